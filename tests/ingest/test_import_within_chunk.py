"""Two rows of one file that are one person are held for review whether they fall in one chunk or in two."""

from __future__ import annotations

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
