"""Two rows of one file that are one person are held for review whether they fall in one chunk or in two."""

from __future__ import annotations

from typing import Any

import pytest

from kundebase.ingest import importer
from kundebase.parties.models import Person

pytestmark = pytest.mark.django_db

ROWS = ("fornavn;etternavn;fødselsdato;adresse;postnummer;poststed\n"
        "Kari;Nordmann;31.12.1980;Storgata 1;0155;Oslo\n"
        "Ola;Hansen;02.03.1975;Kirkeveien 12;0368;Oslo\n"
        "Kari;Nordman;31.12.1980;Storgata 1;0155;Oslo\n")  # a typo of the first row: no shared e-mail or phone


@pytest.mark.parametrize("chunk_size", [1, importer.CHUNK])
def test_a_likely_duplicate_of_an_earlier_row_is_held_however_the_file_is_cut(run_import, tmp_path, chunk_size):
    path = tmp_path / "fair.csv"
    path.write_text(ROWS, encoding="utf-8")
    job = run_import(path, source="fair", chunk_size=chunk_size)
    assert (job.created_count, job.review_count) == (2, 1)
    kari = Person.objects.get(family_name="Nordmann")
    assert set(Person.objects.values_list("family_name", flat=True)) == {"Nordmann", "Hansen"}
    row = job.rows.get(outcome="review")
    assert row.line == 3  # lines count the rows after the header
    assert [c["party_id"] for c in row.candidates] == [kari.pk]
    assert row.candidates[0]["customer_number"] == kari.customer_number and row.candidates[0]["reasons"]
    assert row.raw  # the row is kept whole for the reviewer


def test_the_dry_run_counts_the_same_duplicate(tmp_path, db):
    path = tmp_path / "fair.csv"
    path.write_text(ROWS, encoding="utf-8")
    source = importer.get_source("fair", create=True)
    plan = importer.plan(path, entity="persons", source=source)
    report = importer.dry_run(path, source=source, entity="persons", columns=plan.columns)
    assert (report["counts"]["created"], report["counts"]["review"]) == (2, 1)
    assert not Person.objects.exists()
    assert any("line 1 " in p["message"] for p in report["problems"] if p["line"] == 3)


SAME_PERSON = ("fornavn;etternavn;e-post;mobil;adresse;postnummer;poststed\n"
               "Kari;Nordmann;kari@example.no;+47 412 34 567;Storgata 1;0155;Oslo\n"
               "Ola;Hansen;ola@example.no;;Kirkeveien 12;0368;Oslo\n"
               "Kari;Nordmann;kari@example.no;+47 900 11 222;Fjordveien 9;5003;Bergen\n")  # a new phone and address


@pytest.mark.parametrize("chunk_size", [1, importer.CHUNK])
def test_the_second_row_of_a_customer_adds_what_it_brings_however_the_file_is_cut(run_import, tmp_path,
                                                                                   chunk_size):
    from kundebase.core.models import Observation

    path = tmp_path / "shop.csv"
    path.write_text(SAME_PERSON, encoding="utf-8")
    job = run_import(path, source="shop", chunk_size=chunk_size)
    assert (job.created_count, job.updated_count, job.unchanged_count) == (2, 1, 0)
    kari = Person.objects.get(given_name="Kari")
    assert {cp.normalised for cp in kari.contact_points.filter(kind="mobile")} == {"+4741234567", "+4790011222"}
    assert {a.postcode for a in kari.addresses.all()} == {"0155", "5003"}
    assert job.rows.get(line=3).record_id == kari.pk
    assert Observation.objects.filter(record_id=kari.pk, value__contains="900", source="shop").exists()


CHAINS = ("fornavn;etternavn;e-post;mobil;adresse;postnummer;poststed\n"
          "Per;Berg;per@example.no;;Storgata 1;0155;Oslo\n"
          "Per;Berg;per@example.no;+47 900 11 222;Storgata 1;0155;Oslo\n"  # brings a phone
          "Per;Berg;;+47 900 11 222;Fjordveien 9;5003;Bergen\n"  # shares only that phone: Per again
          "Per;Berg;per@example.no;;Storgata 1;0155;Oslo\n"  # the very first row again
          "Anne;Lie;anne@example.no;+47 913 00 000;Kirkeveien 12;0368;Oslo\n"  # a stored customer …
          "Anne;Lie;anne@example.no;+47 913 00 000;Havnegata 3;7010;Trondheim\n")  # … twice, each bringing one


def _state() -> dict[str, Any]:
    from kundebase.parties.models import Address, ContactPoint

    return {"persons": sorted(Person.objects.values_list("given_name", "family_name")),
            "contact points": sorted(ContactPoint.objects.values_list("party__person__given_name", "normalised")),
            "addresses": sorted(Address.objects.values_list("party__person__given_name", "postcode"))}


def test_rows_that_depend_on_earlier_rows_end_the_same_however_the_file_is_cut(run_import, tmp_path):
    """One row per chunk, and the whole file in one chunk: the same outcome for every row, the same store."""
    from django.db import transaction

    path = tmp_path / "chains.csv"
    path.write_text(CHAINS, encoding="utf-8")
    anne = tmp_path / "anne.csv"
    anne.write_text("fornavn;etternavn;e-post;mobil\nAnne;Lie;anne@example.no;+47 913 00 000\n", encoding="utf-8")
    seen = []
    for chunk_size in (1, importer.CHUNK):
        with transaction.atomic():
            run_import(anne, source="crm")  # Anne is stored before the file comes
            job = run_import(path, source="shop", chunk_size=chunk_size)
            outcomes = list(job.rows.order_by("line").values_list("line", "outcome"))
            seen.append((outcomes, _state(), (job.created_count, job.updated_count, job.unchanged_count)))
            transaction.set_rollback(True)
    one_by_one, together = seen
    assert together == one_by_one
    outcomes, state, counts = together
    assert outcomes == [(1, "created"), (2, "updated"), (3, "updated"), (4, "unchanged"), (5, "updated"),
                        (6, "updated")]
    assert state["persons"] == [("Anne", "Lie"), ("Per", "Berg")]
    assert ("Per", "+4790011222") in state["contact points"]
    assert [p for name, p in state["addresses"] if name == "Per"] == ["0155", "5003"]
    assert [p for name, p in state["addresses"] if name == "Anne"] == ["0368", "7010"]
