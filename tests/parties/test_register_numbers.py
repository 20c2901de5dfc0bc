"""Company register numbers: German Handelsregister entries and Hungarian cégjegyzékszám are accepted in a
normalised form, while checksummed numbers (Norway, Denmark, Hungarian adószám, German VAT) are still checked."""

from __future__ import annotations

import pytest

from kundebase.parties.models import Company

pytestmark = pytest.mark.django_db


def _create(api, country: str, number: str):
    return api.post("/api/v1/companies", {"legal_name": f"Firma {number}", "org_country": country,
                                          "org_number": number})


@pytest.mark.parametrize(("typed", "stored"), [
    ("HRB 12345 B", "HRB 12345 B"),
    ("HRA 1234", "HRA 1234"),
    ("hrb12345", "HRB 12345"),
    ("GnR 12", "GnR 12"),
    ("PR 123", "PR 123"),
    ("VR 1234", "VR 1234"),
    ("HRB 12345, Amtsgericht München", "München HRB 12345"),
    ("Amtsgericht Charlottenburg HRB 12345 B", "Berlin (Charlottenburg) HRB 12345 B"),
    ("Ludwigshafen HRB 123456", "Ludwigshafen a.Rhein (Ludwigshafen) HRB 123456"),
    ("DE 136 695 976", "DE136695976"),
])
def test_german_register_entries_are_accepted_and_normalised(api, typed, stored) -> None:
    res = _create(api, "DE", typed)
    assert res.status_code == 201, res.content
    assert res.json()["org_number"] == stored
    assert Company.objects.get(pk=res.json()["id"]).org_number == stored


def test_a_german_register_entry_is_found_by_lookup(api) -> None:
    created = _create(api, "DE", "HRB 98765 B").json()
    found = api.get("/api/v1/lookup", q="HRB 98765 B").json()["items"]
    assert [p["id"] for p in found] == [created["id"]]


@pytest.mark.parametrize("bad", ["HRC 12345", "HRB 0", "Atlantis HRB 12345", "DE136695975", "12345"])
def test_malformed_german_numbers_are_refused(api, bad) -> None:
    res = _create(api, "DE", bad)
    assert res.status_code == 422, res.content
    assert [e["code"] for e in res.json()["errors"]] == ["invalid_org_number"]
    assert not Company.objects.exists()


@pytest.mark.parametrize(("typed", "stored"), [("Cg. 01-09-123456", "01-09-123456"), ("13 09 654321", "13-09-654321"),
                                               ("12892312-2-41", "12892312-2-41")])
def test_hungarian_register_and_tax_numbers_are_accepted(api, typed, stored) -> None:
    res = _create(api, "HU", typed)
    assert res.status_code == 201, res.content
    assert res.json()["org_number"] == stored


@pytest.mark.parametrize(("country", "bad"), [("HU", "21-09-123456"), ("HU", "01-24-123456"), ("HU", "12892313-2-41"),
                                              ("NO", "923609017"), ("DK", "13585627")])
def test_checked_numbers_are_still_checked(api, country, bad) -> None:
    assert _create(api, country, bad).status_code == 422
