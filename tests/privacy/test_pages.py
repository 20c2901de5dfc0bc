"""The privacy pages: permission checked (403, not just hidden), errors next to the field, actions work."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(make_user):
    client = Client()
    client.force_login(make_user("dpo", "administrator"))
    return client


def test_pages_refuse_roles_without_permission(make_user, make_person):
    person = make_person()
    client = Client()
    assert client.get("/privacy/").status_code in (302, 403)
    client.force_login(make_user("ana", "analyst"))
    assert client.get("/privacy/").status_code == 403
    assert client.get("/privacy/quarantine/").status_code == 403
    assert client.get(f"/privacy/persons/{person.pk}/").status_code == 403
    sales = Client()
    sales.force_login(make_user("sam", "sales"))
    assert sales.get(f"/privacy/persons/{person.pk}/").status_code == 200
    assert sales.post("/privacy/", {"customer": person.customer_number, "action": "erase"}).status_code == 403


def test_menu_entries_are_registered(admin_client):
    from kundebase.web.navigation import NAV

    assert {"privacy:home", "privacy:quarantine"} <= {item.url_name for item in NAV}
    assert 'href="/privacy/"' in admin_client.get("/privacy/").content.decode()


def test_consent_form_shows_the_missing_purpose_next_to_the_field(admin_client, make_person):
    from kundebase.privacy.models import ConsentEvent

    person = make_person()
    url = f"/privacy/persons/{person.pk}/"
    res = admin_client.post(url, {"purpose": "", "channel": "email", "status": "granted", "legal_basis": "consent",
                                  "source": "employee"})
    assert res.status_code == 422
    assert "A consent needs a purpose" in res.content.decode()
    assert not ConsentEvent.objects.exists()
    res = admin_client.post(url, {"purpose": "newsletter", "channel": "email", "status": "granted",
                                  "legal_basis": "consent", "source": "employee"})
    assert res.status_code == 302
    page = admin_client.get(url).content.decode()
    assert "Newsletter" in page and "consent" in page
    assert admin_client.get("/privacy/persons/999999/").status_code == 404


def test_access_download_erasure_and_errors_from_the_requests_page(admin_client, make_person):
    from kundebase.parties.models import Person

    person = make_person()
    res = admin_client.post("/privacy/", {"customer": person.customer_number, "action": "access_html"})
    assert res.status_code == 200 and "attachment" in res["Content-Disposition"]
    res = admin_client.post("/privacy/", {"customer": "999999", "action": "erase"})
    assert res.status_code == 422 and "does not exist" in res.content.decode()
    res = admin_client.post("/privacy/", {"customer": person.customer_number, "action": "erase"})
    assert res.status_code == 302 and res["Location"].startswith(f"/privacy/persons/{person.pk}/erase/")
    res = admin_client.post(f"/privacy/persons/{person.pk}/erase/", {"confirmation": person.customer_number})
    assert res.status_code == 422 and "Confirm that you verified" in res.content.decode()
    res = admin_client.post(f"/privacy/persons/{person.pk}/erase/",
                            {"confirmation": person.customer_number, "verified": "on"})
    assert res.status_code == 302
    assert Person.objects.get(pk=person.pk).erased_at is not None
    assert "Erasure" in admin_client.get("/privacy/").content.decode()


def test_quarantine_review_page(admin_client):
    from kundebase.privacy import quarantine
    from kundebase.privacy.models import Quarantine

    row = {"note": "Kunden er gravid"}
    item = quarantine.hold(source="import.csv", row=row, findings=quarantine.screen_row(row))
    page = admin_client.get("/privacy/quarantine/").content.decode()
    assert "Kunden er gravid" in page
    res = admin_client.post("/privacy/quarantine/", {"item": item.pk, "decision": "release", "note": "short"})
    assert res.status_code == 422
    res = admin_client.post("/privacy/quarantine/", {"item": item.pk, "decision": "release",
                                                     "note": "Customer asked for pregnancy-safe products"})
    assert res.status_code == 302
    assert Quarantine.objects.get().status == "released"
