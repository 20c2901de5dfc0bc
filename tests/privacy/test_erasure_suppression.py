"""An erased person stays erased on every channel: their e-mail or phone cannot be attached to another customer
(API, web form, import, event), and the erased tombstone is read-only (API 409 problem+json, web forms refuse)."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from kundebase.parties.models import ContactPoint, Person

pytestmark = pytest.mark.django_db
ERASED_EMAIL = "kari.nordmann@example.no"
ERASED_PHONE = "+4741234567"


@pytest.fixture
def erased(api: Any, make_person: Any) -> Person:
    person = make_person("Kari", "Nordmann", email=ERASED_EMAIL, phone=ERASED_PHONE)
    assert api.post(f"/api/v1/privacy/persons/{person.pk}/erasure").status_code == 200
    person.refresh_from_db()
    assert person.erased_at is not None
    return person


@pytest.fixture
def other(make_person: Any) -> Person:
    return make_person("Per", "Hansen", email="per@example.no", phone="+4790000001")


def _problem(res: Any, status: int, code: str) -> None:
    assert res.status_code == status, res.content
    assert res["Content-Type"].startswith("application/problem+json")
    assert res.json()["code"] == code


@pytest.mark.parametrize(("kind", "value"), [("email", "Kari.Nordmann@Example.no"), ("mobile", "0047 412 34 567"),
                                             ("phone", "41234567")])
def test_api_refuses_an_erased_identifier_on_another_customer(api, erased, other, kind, value) -> None:
    res = api.post(f"/api/v1/parties/{other.pk}/contact-points", {"kind": kind, "value": value})
    _problem(res, 409, "suppressed")
    cp = other.contact_points.get(kind="email")
    _problem(api.patch(f"/api/v1/parties/{other.pk}/contact-points/{cp.pk}", {"kind": kind, "value": value}),
             409, "suppressed")
    assert set(other.contact_points.values_list("normalised", flat=True)) == {"per@example.no", "+4790000001"}


def test_an_ordinary_contact_point_is_still_added(api, erased, other) -> None:
    res = api.post(f"/api/v1/parties/{other.pk}/contact-points", {"kind": "email", "value": "per2@example.no"})
    assert res.status_code == 201


def test_api_keeps_the_erased_record_read_only(api, erased, other) -> None:
    pid = erased.pk
    calls = [
        api.patch(f"/api/v1/persons/{pid}", {"given_name": "Kari", "family_name": "Nordmann"}),
        api.post(f"/api/v1/parties/{pid}/contact-points", {"kind": "email", "value": "new@example.no"}),
        api.post(f"/api/v1/parties/{pid}/addresses", {"street": "Storgata 1", "postcode": "0150", "city": "Oslo",
                                                      "country": "NO"}),
        api.post("/api/v1/interactions", {"party_id": pid, "kind": "note", "subject": "Kari called"}),
        api.post("/api/v1/privacy/consents", {"party_id": pid, "purpose": "direct_marketing", "channel": "email",
                                              "status": "granted"}),
        api.post("/api/v1/orders", {"party_id": pid, "lines": [{"description": "x", "revenue": "1"}]}),
        api.post("/api/v1/roles", {"person_id": pid, "company_id": other.pk}),
    ]
    for res in calls:
        assert res.status_code in (409, 422), res.content
        assert res["Content-Type"].startswith("application/problem+json")
    for res in calls[:6]:
        assert res.json()["code"] == "erased", res.content
    erased.refresh_from_db()
    assert (erased.given_name, erased.family_name) != ("Kari", "Nordmann")
    assert not ContactPoint.objects.filter(party_id=pid).exists() and not erased.addresses.exists()
    assert not erased.interactions.exists() and not erased.orders.exists()


def test_web_forms_refuse_the_erased_record_and_the_erased_identifier(client, make_user, erased, other) -> None:
    user = make_user("svc", "service")
    client.force_login(user)
    for path in (f"/customers/{erased.pk}/edit/", f"/customers/{erased.pk}/log/"):
        res = client.get(path)
        assert res.status_code == 302 and res["Location"] == f"/customers/{erased.pk}/", path
        res = client.post(path, {"given_name": "Kari", "family_name": "Nordmann", "email": ERASED_EMAIL,
                                 "version": erased.version, "kind": "note", "subject": "x"}, follow=True)
        assert "was erased" in res.content.decode()
    erased.refresh_from_db()
    assert erased.family_name != "Nordmann" and not ContactPoint.objects.filter(party_id=erased.pk).exists()
    other.refresh_from_db()
    res = client.post(f"/customers/{other.pk}/edit/", {"given_name": "Per", "family_name": "Hansen",
                                                       "email": ERASED_EMAIL, "mobile": "+4790000001",
                                                       "status": "prospect", "version": other.version})
    assert res.status_code == 422
    assert "asked to be erased" in res.content.decode()
    assert not ContactPoint.objects.filter(normalised=ERASED_EMAIL).exists()


def test_an_import_cannot_attach_an_erased_identifier_to_an_existing_customer(erased, other, tmp_path,
                                                                                settings) -> None:
    from kundebase.ingest import importer

    settings.KUNDEBASE_DATA_DIR = tmp_path / "data"
    update = tmp_path / "update.csv"
    update.write_text("email;phone;first name;last name\n"
                      f"per@example.no;{ERASED_PHONE};Per;Hansen\n", encoding="utf-8")
    job, _created = importer.create_job(path=update, source=importer.get_source("fair", create=True),
                                        entity="persons", name=update.name)
    importer.run_job(job.pk)
    assert not ContactPoint.objects.filter(normalised=ERASED_PHONE).exists()


def test_an_event_cannot_attach_an_erased_identifier_to_an_existing_customer(client, erased, other) -> None:
    from kundebase.ingest import events, services
    from kundebase.ingest.models import Event

    key = services.add_source(name="webshop")[1]
    body = {"batch": [{"type": "identify", "userId": "per-1", "messageId": "m-1",
                       "traits": {"email": "per@example.no", "firstName": "Per", "lastName": "Hansen"}},
                      {"type": "identify", "userId": "per-1", "messageId": "m-2",
                       "traits": {"email": "per@example.no", "phone": ERASED_PHONE}}]}
    auth = "Basic " + base64.b64encode(f"{key}:".encode()).decode()
    res = client.generic("POST", "/v1/batch", json.dumps(body), content_type="application/json",
                         HTTP_AUTHORIZATION=auth)
    assert res.status_code == 200
    events.process()
    assert not ContactPoint.objects.filter(normalised=ERASED_PHONE).exists()
    assert "erased" in Event.objects.get(message_id="m-2").error
