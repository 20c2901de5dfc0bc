"""The identifier look-up behind the API's ``/lookup``, the screen pop and search: one query, best match first."""

from __future__ import annotations

import pytest

from kundebase.parties import services
from kundebase.parties.lookup import lookup

pytestmark = pytest.mark.django_db


def _person(family: str, *, number: str = "", mobile: str = "", email: str = "") -> int:
    points = [{"kind": "mobile", "value": mobile}] if mobile else []
    points += [{"kind": "email", "value": email}] if email else []
    data = {"given_name": "Kari", "family_name": family} | ({"customer_number": number} if number else {})
    return services.create_person(data=data, contact_points=points).pk


def test_each_identifier_kind_is_one_round_trip(django_assert_num_queries):
    kari = _person("Nordmann", number="K-1001", mobile="+47 412 34 567", email="Kari.Nordmann@Example.no")
    company = services.create_company(data={"legal_name": "Fjellsport AS", "org_number": "923 609 016"}).pk
    for query, expected in [("K-1001", [kari]), ("0047 41234567", [kari]), ("412 34 567", [kari]),
                            ("KARI.NORDMANN@EXAMPLE.NO", [kari]), ("NO 923 609 016", [company])]:
        with django_assert_num_queries(1):
            assert lookup(query) == expected, query


def test_customer_number_matches_rank_before_phone_and_org_number_matches():
    by_phone = _person("Telefon", mobile="+47 412 34 567")
    by_number = _person("Nummer", number="41234567")
    assert lookup("41234567") == [by_number, by_phone]


def test_a_customer_found_by_two_branches_is_listed_once_and_the_limit_holds():
    shared = [_person(f"Delt{i}", email="familie@example.no") for i in range(5)]
    assert lookup("familie@example.no") == sorted(shared)
    assert lookup("familie@example.no", limit=2) == sorted(shared)[:2]
    only = _person("Eier", number="91234567", mobile="+47 912 34 567")
    assert lookup("91234567") == [only]


def test_default_country_decides_how_a_national_number_is_read():
    dane = _person("Jensen", mobile="+45 32 12 34 56")
    assert lookup("32 12 34 56", default_country="NO") == []
    assert lookup("32 12 34 56", default_country="DK") == [dane]


@pytest.mark.parametrize("query", ["", "   ", "a\x00b", "x" * 321, "Kari Nordmann", "no-such@example.no"])
def test_text_that_is_no_stored_identifier_finds_nothing(query, django_assert_max_num_queries):
    _person("Nordmann", email="kari@example.no")
    with django_assert_max_num_queries(1):
        assert lookup(query) == []
