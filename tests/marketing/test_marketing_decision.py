"""Target lists and ``/privacy/marketing-allowed`` ask one rule: on a mixed population (Norway, Denmark,
Germany, Hungary; consumers and companies; consents, objections, national registers, recent orders) every
export use holds exactly the customers the endpoint allows on its channel."""

from __future__ import annotations

import csv
import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.utils import timezone

from kundebase.marketing import segments
from kundebase.orders import services as orders
from kundebase.parties import services as parties
from kundebase.privacy import consent, registers

pytestmark = pytest.mark.django_db
PURPOSE = "direct_marketing"
USES = {"letter": "post", "call": "phone", "email": "email", "sms": "sms", "mailing_house": "post"}
PLACES = {
    "NO": ("Storgata 1", "0150", "Oslo", "+47412{:05d}"),
    "DK": ("Vesterbrogade 10", "1620", "København V", "+45212{:05d}"),
    "DE": ("Hauptstraße 5", "10115", "Berlin", "+49151123{:05d}"),
    "HU": ("Váci utca 1", "1052", "Budapest", "+3630123{:04d}"),
}


def _customer(kind: str, name: str, country: str, n: int) -> Any:
    street, postcode, city, phone = PLACES[country]
    cps = [{"kind": "email", "value": f"c{n}@example.org"}, {"kind": "mobile", "value": phone.format(n)}]
    addresses = [{"street": f"{street} {n}", "postcode": postcode, "city": city, "country": country}]
    if kind == "person":
        return parties.create_person(data={"given_name": name, "family_name": f"{country}{n}"},
                                     contact_points=cps, addresses=addresses)
    return parties.create_company(data={"legal_name": f"{name} {country}{n} AS"}, contact_points=cps,
                                  addresses=addresses)


@pytest.fixture
def population(db: Any) -> list[Any]:
    """Per country: plain consumer, consumer who agreed to calls and e-mail, consumer on the national register
    who ordered recently, consumer on the register who never ordered, consumer who objected to letters, and a
    company."""
    people: list[Any] = []
    n = 0
    on_register: list[Any] = []
    for country in PLACES:
        for role in ("Plain", "Agreed", "Customer", "Registered", "Objected", "Firm"):
            n += 1
            party = _customer("company" if role == "Firm" else "person", role, country, n)
            people.append(party)
            if role == "Agreed":
                for channel in ("phone", "email", "sms"):
                    consent.record(party_id=party.pk, purpose=PURPOSE, channel=channel, status="granted")
            if role == "Objected":
                consent.record(party_id=party.pk, purpose=PURPOSE, channel="post", status="withdrawn")
            if role in ("Customer", "Registered"):
                on_register.append(party)
            if role == "Customer":
                orders.create_order(party_id=party.pk, data={"ordered_at": timezone.now() - dt.timedelta(days=30)},
                                    lines=[{"description": "x", "revenue": "10"}])
    phones = "\n".join(p.contact_points.get(kind="mobile").value for p in on_register).encode()
    registers.import_register(register="no_reservasjon", content=phones)
    lines = "\n".join(f"{p.display_name};{p.addresses.get().street};{p.addresses.get().postcode}"
                      for p in on_register).encode()
    registers.import_register(register="dk_robinson", content=lines)
    return people


def _names(api: Any, segment_id: int, use: str) -> set[str]:
    res = api.post(f"/api/v1/segments/{segment_id}/exports", {"use": use, "purpose": PURPOSE})
    assert res.status_code == 201, res.content
    body = b"".join(api.get(res.json()["download"]).streaming_content).decode("utf-8-sig")
    return {row["name"] for row in csv.DictReader(StringIO(body), delimiter=";")}


@pytest.mark.parametrize("use", list(USES))
def test_every_target_list_holds_exactly_whom_the_endpoint_allows(api, population, use) -> None:
    segment = segments.create_segment(data={"name": "Everyone", "kind": "static",
                                            "rule": {"or": [{"attr": "kind", "op": "eq", "value": "person"},
                                                             {"attr": "kind", "op": "eq", "value": "company"}]}})
    allowed = set()
    for party in population:
        res = api.get("/api/v1/privacy/marketing-allowed", party_id=party.pk, channel=USES[use], purpose=PURPOSE)
        assert res.status_code == 200
        if res.json()["allowed"]:
            allowed.add(party.display_name)
    assert _names(api, segment.pk, use) == allowed
    assert 0 < len(allowed) < len(population)


def test_danish_german_and_hungarian_consumers_are_not_called_without_consent(api, population) -> None:
    segment = segments.create_segment(data={"name": "Consumers", "kind": "static",
                                            "rule": {"attr": "kind", "op": "eq", "value": "person"}})
    called = _names(api, segment.pk, "call")
    for party in population:
        country = party.addresses.get().country
        if party.kind != "person" or country == "NO":
            continue
        agreed = party.display_name.startswith("Agreed")
        assert (party.display_name in called) is agreed, party.display_name
        reason = api.get("/api/v1/privacy/marketing-allowed", party_id=party.pk, channel="phone").json()["reason"]
        assert reason == ("consent" if agreed else "no_consent")
    assert {"Plain NO1", "Customer NO3"} <= called and "Registered NO4" not in called
