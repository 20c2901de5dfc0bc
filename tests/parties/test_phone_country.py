"""National phone numbers are read in the record's own country, on every channel that validates a record.

The installation's default country here is Norway: a German customer's ``030 1234567`` and a Danish
customer's ``20 12 34 56`` are not Norwegian numbers, and were refused when the default was used for all.
"""

from __future__ import annotations

from typing import Any

import pytest

from kundebase.parties import services
from kundebase.parties.models import Company, ContactPoint, Person

BERLIN = {"street": "Unter den Linden 1", "postcode": "10117", "city": "Berlin", "country": "DE"}
AARHUS = {"street": "Søndergade 1", "postcode": "8000", "city": "Aarhus C", "country": "DK"}


@pytest.fixture(autouse=True)
def _norway_by_default(settings: Any) -> None:
    settings.KUNDEBASE_DEFAULT_COUNTRY = "NO"


def _phones(party_id: int) -> list[str]:
    return sorted(ContactPoint.objects.filter(party_id=party_id).exclude(kind="email").values_list("value", flat=True))


@pytest.mark.django_db
@pytest.mark.parametrize(("address", "spelling", "e164"), [(BERLIN, "030 1234567", "+49301234567"),
                                                            (AARHUS, "20 12 34 56", "+4520123456")])
def test_api_reads_a_national_number_in_the_address_country(api, address, spelling, e164) -> None:
    res = api.post("/api/v1/persons", {"given_name": "Anna", "family_name": "Schmidt", "addresses": [address],
                                       "contact_points": [{"kind": "phone", "value": spelling}]})
    assert res.status_code == 201, res.content
    assert _phones(res.json()["id"]) == [e164]


@pytest.mark.django_db
def test_a_norwegian_number_still_needs_no_country_code(api) -> None:
    res = api.post("/api/v1/persons", {"family_name": "Nordmann",
                                       "contact_points": [{"kind": "mobile", "value": "412 34 567"}]})
    assert res.status_code == 201 and _phones(res.json()["id"]) == ["+4741234567"]


@pytest.mark.django_db
def test_a_company_without_address_uses_its_country_of_registration(api) -> None:
    res = api.post("/api/v1/companies", {"legal_name": "Berliner Bau GmbH", "org_country": "DE",
                                         "contact_points": [{"kind": "phone", "value": "030 1234567"}]})
    assert res.status_code == 201, res.content
    assert _phones(res.json()["id"]) == ["+49301234567"]


@pytest.mark.django_db
def test_numbers_added_later_use_the_stored_address_or_employer(api) -> None:
    person = services.create_person(data={"family_name": "Jensen"}, addresses=[AARHUS])
    res = api.post(f"/api/v1/parties/{person.pk}/contact-points", {"kind": "mobile", "value": "20 12 34 56"})
    assert res.status_code == 201, res.content
    company = services.create_company(data={"legal_name": "Hamburger Handel GmbH", "org_country": "DE"})
    employee = services.create_person(data={"family_name": "Müller"})
    services.add_role(person_id=employee.pk, company_id=company.pk, data={"position": "Einkauf"})
    services.add_contact_point(party_id=employee.pk, data={"kind": "phone", "value": "040 1234567"})
    assert _phones(person.pk) == ["+4520123456"] and _phones(employee.pk) == ["+49401234567"]


@pytest.mark.django_db
def test_web_form_reads_the_number_in_the_country_typed_beside_it(client, make_user) -> None:
    client.force_login(make_user("svc", "service"))
    res = client.post("/customers/new/person/", {"given_name": "Anna", "family_name": "Schmidt", "status": "active",
                                                 "phone": "030 1234567", **BERLIN})
    assert res.status_code == 302, res.content.decode()[:2000]
    anna = Person.objects.get(family_name="Schmidt")
    assert _phones(anna.pk) == ["+49301234567"]
    res = client.post(f"/customers/{anna.pk}/edit/", {
        "version": Person.objects.get(pk=anna.pk).version, "given_name": "Anna", "family_name": "Schmidt",
        "status": "active", "phone": "20 12 34 56", **AARHUS})
    assert res.status_code == 302, res.content.decode()[:2000]
    assert _phones(anna.pk) == ["+4520123456"]


@pytest.mark.django_db
def test_import_reads_each_row_in_its_own_country() -> None:
    from kundebase.ingest import records

    columns = {"Name": "full_name", "Telefon": "phone", "Stadt": "city", "Land": "country"}
    german = records.build(line=2, raw={"Name": "Anna Schmidt", "Telefon": "030 1234567", "Stadt": "Berlin",
                                        "Land": "DE"}, entity="persons", columns=columns, source="t.csv")
    danish = records.build(line=3, raw={"Name": "Mette Jensen", "Telefon": "20 12 34 56", "Stadt": "Aarhus",
                                        "Land": "Danmark"}, entity="persons", columns=columns, source="t.csv")
    assert german.ok and danish.ok, (german.problems, danish.problems)
    assert [cp["value"] for cp in german.contact_points] == ["+49301234567"]
    assert [cp["value"] for cp in danish.contact_points] == ["+4520123456"]
    company = records.build(line=4, raw={"Firma": "Berliner Bau GmbH", "Sitz": "DE", "Telefon": "030 1234567"},
                            entity="companies", columns={"Firma": "legal_name", "Sitz": "org_country",
                                                       "Telefon": "phone"}, source="t.csv")
    assert company.ok and [cp["value"] for cp in company.contact_points] == ["+49301234567"], company.problems


@pytest.mark.django_db
def test_events_read_the_traits_address_country() -> None:
    from kundebase.ingest.events import person_from_traits

    _data, cps, _addresses = person_from_traits({"name": "Mette Jensen", "phone": "20 12 34 56",
                                                 "address": {"city": "Aarhus", "postalCode": "8000",
                                                             "country": "DK"}})
    assert [cp["value"] for cp in cps] == ["+4520123456"]


@pytest.mark.django_db
def test_a_wrong_number_for_the_country_is_still_refused(api) -> None:
    res = api.post("/api/v1/persons", {"family_name": "Schmidt", "addresses": [BERLIN],
                                       "contact_points": [{"kind": "phone", "value": "12"}]})
    assert res.status_code == 422
    assert not Company.objects.exists() and not Person.objects.exists()
