"""Access, erasure and restriction: complete, logged, one transaction, suppression that holds."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Sum

pytestmark = pytest.mark.django_db


def _note(person, text="Ønsker levering på fredager"):
    from kundebase.interactions.services import log_interaction

    return log_interaction(party_id=person.pk, data={"kind": "call", "subject": "Levering", "body": text},
                           actor="test")


def test_access_report_holds_everything_and_is_logged(api, make_person, make_order):
    from kundebase.core.models import AuditEntry
    from kundebase.privacy import consent
    from kundebase.privacy.models import DataSubjectRequest

    person = make_person(phone="+4741234567")
    _note(person)
    make_order(person.pk, "250.00")
    consent.record(party_id=person.pk, purpose="newsletter", channel="email", status="granted")
    res = api.post(f"/api/v1/privacy/persons/{person.pk}/access")
    assert res.status_code == 200, res.content
    report = res.json()
    assert report["profile"]["family_name"] == "Nordmann"
    assert {cp["kind"] for cp in report["contact_points"]} == {"email", "mobile"}
    assert report["addresses"][0]["street"] == "Storgata 1"
    assert report["interactions"][0]["body"] == "Ønsker levering på fredager"
    assert report["orders"][0]["lines"][0]["description"] == "Kaffe"
    assert report["consents"][0]["status"] == "granted"
    assert {o["field"] for o in report["provenance"]} >= {"family_name", "email"}
    assert any(a["action"] == "create" for a in report["audit_entries"])
    assert report["language"] == "nb" and report["purposes"]
    req = DataSubjectRequest.objects.get(kind="access")
    assert req.status == "done" and req.party_id_at_request == person.pk
    assert (req.due_at - req.received_at).days in (28, 29, 30, 31)
    assert AuditEntry.objects.filter(action="export", party_id=person.pk).exists()


def test_access_report_html_is_in_the_persons_language(api, make_person):
    nb = make_person(language="nb")
    en = make_person("John", "Smith", language="en")
    res = api.post(f"/api/v1/privacy/persons/{nb.pk}/access?format=html")
    assert res.status_code == 200 and res["Content-Type"].startswith("text/html")
    assert "Dette har vi registrert om deg" in res.content.decode()
    res = api.post(f"/api/v1/privacy/persons/{en.pk}/access?format=html")
    assert "What we hold about you" in res.content.decode()
    assert api.post("/api/v1/privacy/persons/999999/access").status_code == 404


def test_access_from_the_cli_writes_the_file(tmp_path, make_person):
    person = make_person()
    out = tmp_path / "report.json"
    call_command("privacy", "access", str(person.pk), "--format", "json", "--output", str(out))
    assert json.loads(out.read_text())["customer_id"] == person.pk


def test_erasure_keeps_revenue_and_removes_every_identifier(api, make_person, make_order):
    from kundebase.core.models import AuditEntry, Observation
    from kundebase.interactions.models import Interaction
    from kundebase.orders.models import Order
    from kundebase.parties.models import Address, ContactPoint, Person
    from kundebase.privacy.models import ConsentEvent, DataSubjectRequest

    person = make_person(phone="+4741234567", email="kari@example.no")
    other = make_person("Per", "Hansen")
    make_order(person.pk, "250.00")
    make_order(person.pk, "99.50")
    make_order(other.pk, "10.00")
    _note(person, "Kari ringte fra Storgata 1")
    from kundebase.privacy import consent

    consent.record(party_id=person.pk, purpose="newsletter", channel="email", status="granted")
    before = Order.objects.aggregate(total=Sum("revenue"))["total"]
    res = api.post(f"/api/v1/privacy/persons/{person.pk}/erasure", {"requested_by": "the person, by letter"})
    assert res.status_code == 200, res.content
    assert res.json()["status"] == "done" and res.json()["kind"] == "erasure"
    assert Order.objects.aggregate(total=Sum("revenue"))["total"] == before == Decimal("359.50")
    assert Order.objects.filter(party_id=person.pk, anonymised_at__isnull=False, source="").count() == 2
    erased = Person.objects.get(pk=person.pk)
    assert erased.erased_at is not None
    assert (erased.given_name, erased.family_name, erased.birth_date) == ("", "", None)
    assert "Kari" not in erased.display_name and erased.customer_number == f"ERASED-{person.pk}"
    assert not ContactPoint.objects.filter(party_id=person.pk).exists()
    assert not Address.objects.filter(party_id=person.pk).exists()
    assert Interaction.objects.get(party_id=person.pk).body == ""
    assert not Observation.objects.filter(record_id=person.pk, entity="person").exists()
    assert not ConsentEvent.objects.filter(party_id=person.pk).exists()
    texts = " ".join(str(v) for row in AuditEntry.objects.values("note", "fields", "actor") for v in row.values())
    assert "kari@example.no" not in texts and "Nordmann" not in texts
    assert DataSubjectRequest.objects.get(kind="erasure").requested_by == "the person, by letter"
    assert Person.objects.get(pk=other.pk).family_name == "Hansen"


def test_erased_person_stays_suppressed_via_api_and_import_hook(api, make_person, person_payload):
    from kundebase.core import hooks
    from kundebase.parties.models import Person

    res = api.post("/api/v1/persons", person_payload)
    pid = res.json()["id"]
    assert api.post(f"/api/v1/privacy/persons/{pid}/erasure").status_code == 200
    res = api.post("/api/v1/persons", person_payload)
    assert res.status_code == 409 and res.json()["code"] == "suppressed"
    # Another spelling of the same phone, no e-mail: still refused (the import path runs the same hook).
    res = api.post("/api/v1/persons", person_payload | {"contact_points": [{"kind": "phone",
                                                                             "value": "0047 41234567"}]})
    assert res.status_code == 409
    row = {"given_name": "Kari", "family_name": "Nordmann", "birth_date": "1980-12-31"}
    reasons = [check(kind="person", records=[(row, [])])[0] for check in hooks.identity_blocked]
    assert any(reasons) and "name and birth date" in next(r for r in reasons if r)
    assert Person.objects.filter(erased_at__isnull=True).count() == 0
    res = api.post("/api/v1/persons", person_payload | {"given_name": "Anne", "contact_points": [],
                                                        "birth_date": "1990-01-01"})
    assert res.status_code == 201


def test_erasure_of_unknown_person_is_a_404_problem_and_twice_is_a_conflict(api, make_person):
    from kundebase.privacy.models import DataSubjectRequest

    res = api.post("/api/v1/privacy/persons/424242/erasure")
    assert res.status_code == 404 and res["Content-Type"] == "application/problem+json"
    assert not DataSubjectRequest.objects.exists()
    person = make_person()
    assert api.post(f"/api/v1/privacy/persons/{person.pk}/erasure").status_code == 200
    assert api.post(f"/api/v1/privacy/persons/{person.pk}/erasure").status_code == 409


def test_erasure_is_one_transaction(make_person, monkeypatch):
    from kundebase.parties.models import ContactPoint, Person
    from kundebase.privacy import erasure

    person = make_person()

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(erasure, "close_request", broken)
    with pytest.raises(RuntimeError):
        erasure.erase(party_id=person.pk)
    assert Person.objects.get(pk=person.pk).erased_at is None
    assert ContactPoint.objects.filter(party_id=person.pk).exists()


def test_only_administrators_serve_rights(api_as, make_person):
    person = make_person()
    for role in ("sales", "marketing", "analyst", "service"):
        client = api_as(role)
        assert client.post(f"/api/v1/privacy/persons/{person.pk}/erasure").status_code == 403
        assert client.post(f"/api/v1/privacy/persons/{person.pk}/access").status_code == 403


def test_restriction_freezes_processing_without_deleting(api, make_person):
    from kundebase.privacy import consent
    from kundebase.privacy.registers import marketing_allowed, marketing_allowed_ids
    from kundebase.privacy.retention import active_customers

    person = make_person()
    consent.record(party_id=person.pk, purpose="newsletter", channel="email", status="granted")
    assert api.post(f"/api/v1/privacy/persons/{person.pk}/restriction").status_code == 200
    res = api.patch(f"/api/v1/persons/{person.pk}", {"family_name": "Olsen"})
    assert res.status_code == 409 and res.json()["code"] == "restricted"
    for path, body in ((f"/api/v1/parties/{person.pk}/contact-points", {"kind": "email", "value": "new@example.no"}),
                       (f"/api/v1/parties/{person.pk}/addresses", {"city": "Bergen", "country": "NO"})):
        res = api.post(path, body)
        assert res.status_code == 409 and res.json()["code"] == "restricted", path
    assert person.contact_points.filter(value="new@example.no").count() == 0
    assert person.addresses.filter(city="Bergen").count() == 0
    assert marketing_allowed(person.pk, "email", "newsletter") == (False, "restricted")
    assert person.pk not in set(marketing_allowed_ids("email", "newsletter"))
    assert not active_customers().filter(pk=person.pk).exists()
    assert api.get(f"/api/v1/persons/{person.pk}").json()["family_name"] == "Nordmann"
    assert api.post(f"/api/v1/privacy/persons/{person.pk}/restriction").status_code == 409
    assert api.delete(f"/api/v1/privacy/persons/{person.pk}/restriction").status_code == 200
    assert api.patch(f"/api/v1/persons/{person.pk}", {"family_name": "Olsen"}).status_code == 200


def test_cli_erase_and_restrict(make_person, capsys):
    from django.core.management.base import CommandError

    person = make_person()
    call_command("privacy", "restrict", str(person.pk))
    call_command("privacy", "erase", str(person.pk))
    assert "erased customer" in capsys.readouterr().out
    with pytest.raises(CommandError, match="does not exist"):
        call_command("privacy", "erase", "999999")


def test_requests_and_retention_plan_through_the_api(api, api_as, make_person):
    person = make_person()
    api.post(f"/api/v1/privacy/persons/{person.pk}/access")
    api.post(f"/api/v1/privacy/persons/{person.pk}/restriction", {"requested_by": "the person by phone"})
    res = api.get("/api/v1/privacy/requests")
    assert res.status_code == 200
    kinds = [(r["kind"], r["status"], r["party_id_at_request"]) for r in res.json()["items"]]
    assert kinds == [("access", "done", person.pk), ("restriction", "done", person.pk)]
    assert api.get("/api/v1/privacy/requests", limit=0).status_code == 422
    assert api_as("sales").get("/api/v1/privacy/requests").status_code == 403
    res = api.get("/api/v1/privacy/retention")
    assert res.status_code == 200 and res.json()["candidates"] == []


def test_other_apps_join_access_and_erasure_through_the_hook_lists(api, make_person):
    from kundebase.orders.models import ProductCategory, ProductInterest
    from kundebase.privacy import access, erasure

    person = make_person()
    category = ProductCategory.objects.create(name="Kaffe", slug="kaffe")
    ProductInterest.objects.create(party_id=person.pk, category=category, source="stated")
    held = {person.pk: ["segment:coffee-lovers"]}

    def section(*, party_id):
        return {"segments": held.get(party_id, [])}

    def forget(*, party_id):
        return len(held.pop(party_id, []))

    access.access_sections.append(section)
    erasure.on_erase.append(forget)
    try:
        report = api.post(f"/api/v1/privacy/persons/{person.pk}/access").json()
        assert report["other"] == {"segments": ["segment:coffee-lovers"]}
        assert report["product_interests"][0]["category__name"] == "Kaffe"
        res = api.post(f"/api/v1/privacy/persons/{person.pk}/erasure")
        assert res.status_code == 200 and "other:" in res.json()["outcome"]
        assert held == {} and not ProductInterest.objects.filter(party_id=person.pk).exists()
    finally:
        access.access_sections.remove(section)
        erasure.on_erase.remove(forget)
