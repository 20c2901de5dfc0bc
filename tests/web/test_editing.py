"""Creating and editing customers, logging contacts and follow-ups through the forms."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db


def _error_beside(page: str, field: str) -> str:
    """The error paragraph that belongs to the input named ``field`` (the input points at it)."""
    match = re.search(rf'<input[^>]*name="{field}"[^>]*aria-describedby="(id_{field}_error)"', page) or re.search(
        rf'<select[^>]*name="{field}"[^>]*aria-describedby="(id_{field}_error)"', page)
    assert match, f"{field} has no error attached"
    error = re.search(rf'<p class="field-error" id="{match.group(1)}">(.*?)</p>', page, re.S)
    assert error
    return error.group(1)


def test_create_person_with_invalid_phone_shows_error_beside_the_field_and_writes_nothing(client_as):
    from kundebase.parties.models import Party

    client = client_as("sales")
    res = client.post("/customers/new/person/", {"given_name": "Per", "family_name": "Hansen", "mobile": "12",
                                                  "email": "per@@example", "birth_date": "2999-01-01",
                                                  "status": "prospect", "country": "NO"})
    assert res.status_code == 422
    page = res.content.decode()
    assert "not a valid phone number" in _error_beside(page, "mobile") or "not a phone number" in _error_beside(
        page, "mobile")
    assert "e-mail" in _error_beside(page, "email")
    assert "future" in _error_beside(page, "birth_date")
    assert 'value="Hansen"' in page  # what was typed is kept
    assert Party.objects.count() == 0


def test_create_person_and_company(client_as):
    from kundebase.parties.models import Company, Person

    client = client_as("sales")
    res = client.post("/customers/new/person/", {"given_name": "Per", "family_name": "Hansen",
                                                  "mobile": "905 12 345", "status": "active", "street": "Gata 2",
                                                  "postcode": "7010", "city": "Trondheim", "country": "no"})
    person = Person.objects.get()
    assert res.status_code == 302 and res["Location"] == f"/customers/{person.pk}/"
    assert person.contact_points.get().value == "+4790512345"
    assert person.addresses.get().city == "Trondheim"
    res = client.post("/customers/new/company/", {"legal_name": "Hansen Bygg AS", "org_number": "123",
                                                   "status": "prospect", "country": "NO"})
    assert res.status_code == 422 and "organisation number" in _error_beside(res.content.decode(), "org_number")
    res = client.post("/customers/new/company/", {"legal_name": "Hansen Bygg AS", "org_number": "974 760 673",
                                                   "parent_number": "nope", "status": "prospect", "country": "NO"})
    assert "No company has customer number nope" in _error_beside(res.content.decode(), "parent_number")
    res = client.post("/customers/new/company/", {"legal_name": "Hansen Bygg AS", "org_number": "974 760 673",
                                                   "status": "prospect", "country": "NO"})
    assert res.status_code == 302 and Company.objects.get().org_number == "974760673"
    assert client.get("/customers/new/robot/").status_code == 404


def test_create_warns_about_a_likely_duplicate_and_creates_on_confirmation(client_as, seeded):
    from kundebase.parties.models import Person

    client = client_as("sales")
    before = Person.objects.count()
    data = {"given_name": "K.", "family_name": "Nordmann", "mobile": "41234567", "status": "prospect", "country": "NO"}
    res = client.post("/customers/new/person/", data)
    page = res.content.decode()
    assert res.status_code == 422 and "This customer may already exist" in page
    assert f"/customers/{seeded.kari.pk}/" in page and Person.objects.count() == before
    res = client.post("/customers/new/person/", data | {"create_anyway": "on"})
    assert res.status_code == 302 and Person.objects.count() == before + 1


def test_edit_person_changes_fields_contact_points_and_address(client_as, seeded):
    client = client_as("service")
    kari = seeded.kari
    page = client.get(f"/customers/{kari.pk}/edit/").content.decode()
    assert 'value="Nordmann"' in page and 'value="+4741234567"' in page
    version = kari.__class__.objects.get(pk=kari.pk).version
    res = client.post(f"/customers/{kari.pk}/edit/", {
        "version": version, "given_name": "Kari", "family_name": "Nordmann-Berg", "status": "active",
        "email": "", "mobile": "+47 412 34 568", "phone": "22 33 44 55", "street": "Storgata 2",
        "postcode": "0155", "city": "Oslo", "country": "NO"})
    assert res.status_code == 302
    kari.refresh_from_db()
    assert kari.display_name == "Kari Nordmann-Berg"
    values = sorted(kari.contact_points.values_list("kind", "value"))
    assert values == [("mobile", "+4741234568"), ("phone", "+4722334455")]
    assert kari.addresses.get().street == "Storgata 2"


def test_one_save_of_the_form_is_one_version_and_one_audit_entry(client_as, seeded):
    """Fields, a removed e-mail, a changed mobile, a new phone and a changed address: one save, one version."""
    from kundebase.core.models import AuditEntry

    client = client_as("service")
    kari = seeded.kari
    version = kari.__class__.objects.get(pk=kari.pk).version
    entries = AuditEntry.objects.filter(party_id=kari.pk, action="change").count()
    res = client.post(f"/customers/{kari.pk}/edit/", {
        "version": version, "given_name": "Kari", "family_name": "Nordmann-Berg", "status": "active",
        "email": "", "mobile": "+47 412 34 568", "phone": "22 33 44 55", "street": "Storgata 2",
        "postcode": "0155", "city": "Oslo", "country": "NO"})
    assert res.status_code == 302
    kari.refresh_from_db()
    assert kari.version == version + 1
    changes = AuditEntry.objects.filter(party_id=kari.pk, action="change")
    assert changes.count() == entries + 1
    assert {"family_name", "contact_points.email", "contact_points.mobile", "contact_points.phone",
            "addresses"} <= set(changes.order_by("-id").first().fields)
    # The version the page showed is now stale: the next save with it is refused, as any concurrent edit is.
    res = client.post(f"/customers/{kari.pk}/edit/", {
        "version": version, "given_name": "Kari", "family_name": "Olsen", "status": "active", "country": "NO"})
    assert res.status_code == 422 and "Someone else changed this customer" in res.content.decode()


def test_stale_edit_is_refused_with_a_clear_message(client_as, seeded):
    from kundebase.parties import services

    client = client_as("service")
    kari = seeded.kari
    version = kari.__class__.objects.get(pk=kari.pk).version
    # Someone else saves first.
    services.update_person(party_id=kari.pk, changes={"given_name": "Karianne"}, expected_version=version)
    res = client.post(f"/customers/{kari.pk}/edit/", {
        "version": version, "given_name": "Kari", "family_name": "Olsen", "status": "active", "country": "NO"})
    assert res.status_code == 422
    assert "Someone else changed this customer" in res.content.decode()
    kari.refresh_from_db()
    assert (kari.given_name, kari.family_name) == ("Karianne", "Nordmann")
    assert kari.contact_points.count() == 2  # nothing half-written


def test_edit_with_invalid_values_shows_all_errors_and_changes_nothing(client_as, seeded):
    client = client_as("service")
    company = seeded.company
    version = company.__class__.objects.get(pk=company.pk).version
    res = client.post(f"/customers/{company.pk}/edit/", {
        "version": version, "legal_name": "", "org_number": "923609016", "org_country": "NO",
        "phone": "abc", "website": "not a site", "status": "active", "city": "Bergen", "country": "ZZ",
        "employees": "-3"})
    page = res.content.decode()
    assert res.status_code == 422
    for field in ("legal_name", "phone", "website", "country", "employees"):
        _error_beside(page, field)
    company.refresh_from_db()
    assert company.legal_name == "Fjordkraft Service AS" and company.version == version


def test_log_a_call_and_schedule_and_close_a_follow_up(client_as, seeded):
    from kundebase.interactions.models import Interaction

    client = client_as("sales")
    pid = seeded.ola.pk
    res = client.post(f"/customers/{pid}/log/", {"kind": "call", "direction": "in", "subject": "Ringte om pris"})
    assert res.status_code == 302 and res["Location"].endswith(f"/customers/{pid}/#timeline")
    call = Interaction.objects.get(party_id=pid, kind="call")
    assert (call.channel, call.handled_by, call.subject) == ("phone", client.user, "Ringte om pris")
    assert "Ringte om pris" in client.get(f"/customers/{pid}/").content.decode()
    res = client.post(f"/customers/{pid}/log/", {"kind": "robot", "subject": "x" * 400})
    assert res.status_code == 422
    assert Interaction.objects.filter(party_id=pid).count() == 1
    res = client.post(f"/customers/{pid}/log/", {"schedule": "1", "subject": "Sjekk tilbud"})
    assert res.status_code == 422 and "Give the date" in res.content.decode()
    res = client.post(f"/customers/{pid}/log/", {"schedule": "1", "subject": "Sjekk tilbud",
                                                  "follow_up_on": "2030-01-02"})
    assert res.status_code == 302
    follow_up = Interaction.objects.get(party_id=pid, follow_up_on__isnull=False)
    res = client.post(f"/follow-ups/{follow_up.pk}/done/", {"next": "https://evil.example/"})
    assert res.status_code == 302 and res["Location"] == f"/customers/{pid}/"
    follow_up.refresh_from_db()
    assert follow_up.follow_up_done_at is not None
    assert client.post("/follow-ups/99999/done/").status_code == 404
