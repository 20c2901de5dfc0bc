"""Privacy from the customer's 360 page: links to the person's consents and requests, look-up by customer number,
name or e-mail, erasure with a typed confirmation and a summary in words, and an erased record read-only."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_role(make_user):
    def make(role: str) -> Client:
        client = Client()
        client.force_login(make_user(f"{role}-p", role))
        return client

    return make


def test_the_360_page_links_to_the_persons_consents_requests_access_and_erasure(as_role, make_person):
    person = make_person("Sigrid", "Haugland")
    page = as_role("administrator").get(f"/customers/{person.pk}/").content.decode()
    assert f'href="/privacy/persons/{person.pk}/"' in page
    assert f'href="/privacy/?customer={person.customer_number}"' in page
    assert 'value="access_html"' in page and f'href="/privacy/persons/{person.pk}/erase/"' in page
    sales = as_role("sales").get(f"/customers/{person.pk}/").content.decode()
    assert f'href="/privacy/persons/{person.pk}/"' in sales  # sales may see and record consents, as in the API
    assert "/erase/" not in sales and 'value="access_html"' not in sales and "/privacy/?customer" not in sales


def test_the_requests_page_finds_the_person_by_number_name_or_email(as_role, make_person):
    from kundebase.privacy.models import DataSubjectRequest

    person = make_person("Sigrid", "Haugland", email="sigrid.h@example.no")
    make_person("Kari", "Nordmann")
    make_person("Kari", "Nordvik")
    admin = as_role("administrator")
    for typed in (person.customer_number, "Sigrid Haugland", "sigrid.h@example.no"):
        res = admin.post("/privacy/", {"customer": typed, "action": "access_json"})
        assert res.status_code == 200 and "attachment" in res["Content-Disposition"], typed
    assert DataSubjectRequest.objects.filter(party_id_at_request=person.pk).count() == 3
    res = admin.post("/privacy/", {"customer": "Kari", "action": "access_json"})
    page = res.content.decode()
    assert res.status_code == 422 and "Several customers match" in page and "Kari Nordvik" in page
    assert 'class="error"' in page
    res = admin.post("/privacy/", {"customer": "", "action": "restrict"})
    assert res.status_code == 422 and "Type the customer number, name or e-mail address" in res.content.decode()
    listing = admin.get(f"/privacy/?customer={person.customer_number}").content.decode()
    assert "Requests of Sigrid Haugland" in listing and listing.count("<tr>") == 4  # header + three requests


def test_erasure_wants_the_typed_number_or_name_and_says_what_it_did_in_words(as_role, make_person, make_order):
    from kundebase.parties.models import Person

    person = make_person("Sigrid", "Haugland", phone="+4741234599")
    make_order(person.pk)
    admin = as_role("administrator")
    url = f"/privacy/persons/{person.pk}/erase/"
    page = admin.get(url).content.decode()
    assert "danger-zone" in page and 'class="danger"' in page and "This cannot be undone" in page
    res = admin.post(url, {"confirmation": "Sigrid", "verified": "on"})
    body = res.content.decode()
    assert res.status_code == 422 and f"Type the customer number {person.customer_number} or the name" in body
    assert 'id="id_confirmation_error"' in body
    assert Person.objects.get(pk=person.pk).erased_at is None
    res = admin.post(url, {"confirmation": "  sigrid   HAUGLAND ", "verified": "on", "requested_by": "Sigrid"})
    assert res.status_code == 302 and res["Location"] == url
    assert Person.objects.get(pk=person.pk).erased_at is not None
    summary = admin.get(url).content.decode()
    assert "The person was erased" in summary and "1 postal address deleted" in summary
    assert "2 e-mail addresses and phone numbers deleted" in summary and "consent_events" not in summary
    assert admin.post(url, {"confirmation": "x", "verified": "on"}).status_code == 200  # nothing left to erase


def test_an_erased_record_offers_no_edit_and_no_logging(as_role, make_person):
    from kundebase.privacy import erasure

    person = make_person("Sigrid", "Haugland")
    erasure.erase(party_id=person.pk)
    admin = as_role("administrator")
    page = admin.get(f"/customers/{person.pk}/").content.decode()
    assert 'id="erased"' in page and "This person was erased on" in page
    assert f"/customers/{person.pk}/edit/" not in page and f"/customers/{person.pk}/log/" not in page
    assert "Save contact" not in page and "/erase/" not in page and 'value="access_html"' not in page
    res = admin.get(f"/customers/{person.pk}/edit/", follow=True)
    assert "This customer was erased; the record cannot be changed." in res.content.decode()
    consents = admin.get(f"/privacy/persons/{person.pk}/").content.decode()
    assert "no consent can be recorded" in consents and "Record consent or withdrawal" not in consents
    res = admin.post(f"/privacy/persons/{person.pk}/", {"purpose": "newsletter", "channel": "email",
                                                        "status": "granted", "legal_basis": "consent",
                                                        "source": "employee"})
    assert res.status_code == 422


@pytest.mark.parametrize(("role", "status"), [("administrator", 200), ("sales", 403), ("marketing", 403),
                                              ("service", 403), ("analyst", 403)])
def test_only_the_roles_that_may_erase_through_the_api_reach_the_erasure_page(as_role, make_person, role, status):
    from kundebase.parties.models import Person

    person = make_person()
    client = as_role(role)
    assert client.get(f"/privacy/persons/{person.pk}/erase/").status_code == status
    res = client.post(f"/privacy/persons/{person.pk}/erase/", {"confirmation": person.customer_number,
                                                               "verified": "on"})
    assert res.status_code == (302 if status == 200 else 403)
    assert (Person.objects.get(pk=person.pk).erased_at is not None) == (status == 200)


def test_a_company_is_not_erased_but_sent_back_with_a_reason(as_role):
    from kundebase.parties import services

    company = services.create_company(data={"legal_name": "Haugland AS"})
    admin = as_role("administrator")
    res = admin.get(f"/privacy/persons/{company.pk}/erase/", follow=True)
    assert "Only a person can be erased" in res.content.decode()
    assert admin.get("/privacy/persons/999999/erase/").status_code == 404


def test_the_summary_reads_counts_as_sentences():
    from django.utils import translation

    from kundebase.privacy.erasure_summary import describe

    with translation.override("en"):
        lines = describe("addresses: 1, consent_events: 0, fields: 4, other:kundebase.service.personal_data: 2")
    assert lines == ["4 identifying fields emptied or masked", "1 postal address deleted",
                     "2 other records about the person deleted"]
    with translation.override("en"):
        assert describe("") == ["Nothing was stored about the person beyond the record itself."]


def test_the_erasure_page_and_its_summary_speak_norwegian(as_role, make_person):
    person = make_person("Sigrid", "Haugland")
    admin = as_role("administrator")
    admin.post("/i18n/setlang/", {"language": "nb", "next": "/"})
    url = f"/privacy/persons/{person.pk}/erase/"
    page = admin.get(url).content.decode()
    assert "Dette kan ikke angres" in page and "Slett for godt" in page
    res = admin.post(url, {"confirmation": "feil", "verified": "on"})
    assert f"Skriv kundenummeret {person.customer_number} eller navnet" in res.content.decode()
    admin.post(url, {"confirmation": person.customer_number, "verified": "on"})
    summary = admin.get(url).content.decode()
    assert "Personen ble slettet" in summary and "1 postadresse slettet" in summary
    assert "Denne personen ble slettet" in admin.get(f"/customers/{person.pk}/").content.decode()
