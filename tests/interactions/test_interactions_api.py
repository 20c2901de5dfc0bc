"""The timeline through the API: every kind of contact, follow-ups, and refusals that write nothing."""

from __future__ import annotations

import datetime as dt

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer(api, person_payload):
    return api.post("/api/v1/persons", person_payload).json()


@pytest.mark.parametrize("kind", ["inquiry", "visit", "letter", "email", "call", "meeting", "note", "web_visit"])
def test_every_kind_is_logged(api, customer, kind):
    res = api.post("/api/v1/interactions", {"party_id": customer["id"], "kind": kind, "direction": "out",
                                            "channel": "phone", "subject": "Spørsmål om telt", "body": "Hei!"})
    assert res.status_code == 201, res.content
    body = res.json()
    assert (body["kind"], body["handled_by"]) == (kind, "administrator-user")
    assert [i["id"] for i in api.get("/api/v1/interactions", party_id=customer["id"]).json()["items"]] == [body["id"]]


def test_follow_up_is_open_until_done(api, customer):
    due = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    created = api.post("/api/v1/interactions", {"party_id": customer["id"], "kind": "call", "follow_up_on": due})
    iid = created.json()["id"]
    assert [i["id"] for i in api.get("/api/v1/interactions", open_follow_up=True).json()["items"]] == [iid]
    res = api.patch(f"/api/v1/interactions/{iid}", {"follow_up_done": True})
    assert res.status_code == 200 and res.json()["follow_up_done_at"]
    assert api.get("/api/v1/interactions", open_follow_up=True).json()["items"] == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"kind": "telepathy"}, "kind"), ({"direction": "sideways"}, "direction"), ({"channel": "pigeon"}, "channel"),
     ({"occurred_at": "2999-01-01T10:00:00Z"}, "occurred_at"), ({"subject": "a\x00b"}, "subject"),
     ({"contact_person_id": 999999}, "contact_person_id")],
)
def test_bad_interactions_are_refused(api, customer, changes, field):
    from kundebase.interactions.models import Interaction

    res = api.post("/api/v1/interactions", {"party_id": customer["id"], "kind": "call"} | changes)
    assert res.status_code == 422, res.content
    assert field in {e["field"] for e in res.json()["errors"]}
    assert not Interaction.objects.exists()


def test_unknown_customer_and_missing_interaction(api):
    assert api.post("/api/v1/interactions", {"party_id": 424242, "kind": "call"}).status_code == 404
    assert api.get("/api/v1/interactions/424242").status_code == 404
    assert api.delete("/api/v1/interactions/424242").status_code == 404
