"""Imported people get their name parts and their name order from their language (Hungarian family first)."""

from __future__ import annotations

import pytest

from kundebase.parties.models import Person

pytestmark = pytest.mark.django_db


def test_a_full_name_is_split_in_the_order_of_the_persons_language(run_import, tmp_path):
    path = tmp_path / "nevek.csv"
    path.write_text("Név;Nyelv;E-mail\n"
                    "Nagy István;hu;nagy.istvan@example.hu\n"
                    "Kari Nordmann;nb;kari@example.no\n", encoding="utf-8")
    job = run_import(path)
    assert job.created_count == 2, list(job.rows.values_list("problems", flat=True))
    nagy = Person.objects.get(family_name="Nagy")
    assert (nagy.given_name, nagy.display_name) == ("István", "Nagy István")
    kari = Person.objects.get(family_name="Nordmann")
    assert (kari.given_name, kari.display_name) == ("Kari", "Kari Nordmann")


def test_a_hungarian_installation_shows_its_customers_family_name_first(run_import, settings):
    settings.KUNDEBASE_DEFAULT_COUNTRY = "HU"
    run_import("persons_hu_semicolon_latin2.csv")
    assert set(Person.objects.values_list("display_name", flat=True)) == {"Kovács Erzsébet", "Szőke Győző"}
