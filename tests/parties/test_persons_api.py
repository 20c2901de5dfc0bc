"""Persons through the REST API: validation, normalisation, ETags and concurrency."""

from __future__ import annotations

import datetime as dt

import pytest

pytestmark = pytest.mark.django_db


def test_create_person_normalises_contact_points(api, person_payload):
    res = api.post("/api/v1/persons", person_payload)
    assert res.status_code == 201, res.content
    body = res.json()
    assert res["ETag"] == f'"{body["id"]}-1"'
    assert res["Location"] == f"/api/v1/persons/{body['id']}"
    points = {cp["kind"]: cp for cp in body["contact_points"]}
    assert points["email"]["normalised"] == "kari.nordmann@example.no"
    assert points["mobile"]["value"] == "+4741234567"
    assert all(cp["is_primary"] for cp in body["contact_points"])
    assert body["addresses"][0]["country"] == "NO"
    assert body["display_name"] == "Kari Nordmann"
    assert body["customer_number"].isdigit()
    today = dt.date.today()
    assert body["age"] == today.year - 1980 - ((today.month, today.day) < (12, 31))


@pytest.mark.parametrize(
    ("patch", "field", "code"),
    [
        ({"birth_date": "2999-01-01"}, "birth_date", "future_date"),
        ({"contact_points": [{"kind": "email", "value": "not-an-email"}]}, "contact_points[0].value", "invalid_email"),
        ({"contact_points": [{"kind": "phone", "value": "12"}]}, "contact_points[0].value", "invalid_phone"),
        ({"addresses": [{"city": "Oslo", "country": "XX"}]}, "addresses[0].country", "unknown_country"),
        ({"gender": "robot"}, "gender", "invalid_choice"),
        ({"family_name": ""}, "family_name", "required"),
        ({"status": "vip"}, "status", "invalid_choice"),
    ],
)
def test_invalid_person_is_refused_with_problem_json(api, person_payload, patch, field, code):
    from kundebase.parties.models import Party

    res = api.post("/api/v1/persons", person_payload | patch)
    assert res.status_code == 422, res.content
    assert res["Content-Type"] == "application/problem+json"
    problem = res.json()
    assert problem["status"] == 422
    assert (field, code) in {(e["field"], e["code"]) for e in problem["errors"]}, problem
    assert Party.objects.count() == 0


def test_wrong_type_and_unknown_field_are_problems(api, person_payload):
    res = api.post("/api/v1/persons", person_payload | {"birth_date": "31.12.1980"})
    assert res.status_code == 422
    assert res.json()["errors"][0]["field"] == "birth_date"
    res = api.post("/api/v1/persons", person_payload | {"shoe_size": 43})
    assert res.status_code == 422
    assert res.json()["errors"][0]["field"] == "shoe_size"


def test_malformed_json_is_a_problem(api):
    res = api.client.post("/api/v1/persons", data="{not json", content_type="application/json",
                          HTTP_AUTHORIZATION=f"Bearer {api.token}")
    assert res.status_code in (400, 422)
    assert res["Content-Type"] == "application/problem+json"


def test_stale_write_is_refused_with_412(api, person_payload):
    created = api.post("/api/v1/persons", person_payload)
    pid, etag = created.json()["id"], created["ETag"]
    first = api.patch(f"/api/v1/persons/{pid}", {"given_name": "Kari Anne"}, headers={"If-Match": etag})
    assert first.status_code == 200
    assert first["ETag"] == f'"{pid}-2"'
    second = api.patch(f"/api/v1/persons/{pid}", {"family_name": "Hansen"}, headers={"If-Match": etag})
    assert second.status_code == 412
    assert second.json()["code"] == "stale_write"
    current = api.get(f"/api/v1/persons/{pid}").json()
    assert (current["given_name"], current["family_name"]) == ("Kari Anne", "Nordmann")


def test_patch_can_clear_birth_date_and_keeps_other_fields(api, person_payload):
    pid = api.post("/api/v1/persons", person_payload).json()["id"]
    res = api.patch(f"/api/v1/persons/{pid}", {"birth_date": None})
    assert res.status_code == 200
    assert res.json()["birth_date"] is None
    assert res.json()["given_name"] == "Kari"


@pytest.mark.parametrize("query", ["+47 412 34 567", "0047 41234567", "412 34 567", "41234567",
                                   "KARI.NORDMANN@example.no"])
def test_lookup_by_phone_in_any_format_and_email(api, person_payload, query):
    pid = api.post("/api/v1/persons", person_payload).json()["id"]
    res = api.get("/api/v1/lookup", q=query)
    assert res.status_code == 200
    assert [p["id"] for p in res.json()["items"]] == [pid]


def test_search_by_name_ignores_case_accents_and_small_typos(api, person_payload):
    pid = api.post("/api/v1/persons", person_payload | {"given_name": "Ørjan", "family_name": "Bækkelund"}).json()["id"]
    for q in ("ørjan", "ORJAN baekkelund", "Bæk", "Orjan Baekelund"):
        items = api.get("/api/v1/search", q=q).json()["items"]
        assert pid in [p["id"] for p in items], q


def test_cursor_pagination_walks_every_person_once(api, person_payload):
    ids = {api.post("/api/v1/persons", person_payload | {"contact_points": [], "family_name": f"N{i}"}).json()["id"]
           for i in range(7)}
    seen, cursor = [], None
    while True:
        params = {"limit": 3} | ({"cursor": cursor} if cursor else {})
        page = api.get("/api/v1/persons", **params).json()
        seen += [p["id"] for p in page["items"]]
        cursor = page["next"]
        if not cursor:
            break
    assert sorted(seen) == sorted(ids)
    assert api.get("/api/v1/persons", cursor="garbage!").status_code == 422


def test_unauthenticated_and_forbidden(api_as, person_payload, client):
    res = client.get("/api/v1/persons")
    assert res.status_code == 401
    assert res["Content-Type"] == "application/problem+json"
    analyst = api_as("analyst")
    res = analyst.post("/api/v1/persons", person_payload)
    assert res.status_code == 403
    assert res.json()["code"] == "forbidden"


def test_unknown_api_route_is_problem_json(api):
    res = api.get("/api/v1/nothing-here")
    assert res.status_code == 404
    assert res["Content-Type"] == "application/problem+json"


def test_possible_duplicate_refused_when_asked(api, person_payload):
    first = api.post("/api/v1/persons", person_payload).json()
    res = api.post("/api/v1/persons?allow_duplicate=false", person_payload)
    assert res.status_code == 409
    problem = res.json()
    assert problem["code"] == "possible_duplicate"
    assert problem["candidates"][0]["party_id"] == first["id"]
    assert "same e-mail" in problem["candidates"][0]["reasons"]
