"""The exported Splink settings score pairs as our engine does (Splink's DuckDB backend stands in for Spark)."""

from __future__ import annotations

import pytest

from kundebase.matching import batch, fields, splink_export

splink = pytest.importorskip("splink", reason="splink is a benchmark extra: pip install -e '.[bench]'")

PEOPLE = [
    {"given_name": "Kari", "family_name": "Nordmann", "birth_date": "1980-12-31", "street": "Storgata 12B",
     "postcode": "0155", "city": "Oslo", "phone": "+47 412 34 567", "email": "kari@example.no"},
    {"given_name": "Kari", "family_name": "Nordman", "birth_date": "1980-12-31", "street": "Storgt. 12 b",
     "postcode": "0155", "city": "Oslo", "phone": "41234567", "email": ""},
    {"given_name": "Søren", "family_name": "Ærø", "birth_date": "1975-02-03", "street": "Vesterbrogade 4",
     "postcode": "1620", "city": "København", "phone": "", "email": "soren@example.dk"},
    {"given_name": "Soeren", "family_name": "Aeroe", "birth_date": "1975-02-03", "street": "Vesterbrogade 4",
     "postcode": "1620", "city": "Kobenhavn", "phone": "", "email": "Soren@Example.dk"},
    {"given_name": "Ola", "family_name": "Hansen", "birth_date": "1990-01-01", "street": "Storgata 12B",
     "postcode": "0155", "city": "Oslo", "phone": "", "email": ""},
] + [{"given_name": f"Navn{i}", "family_name": f"Etter{i % 5}", "birth_date": f"19{50 + i}-0{1 + i % 9}-11",
      "street": f"Veien {i}", "postcode": "0155", "city": "Oslo", "phone": "", "email": ""} for i in range(40)]


def test_exported_settings_give_the_same_probabilities() -> None:
    import duckdb
    from splink import DuckDBAPI, Linker

    result = batch.run("person", PEOPLE)
    feats = fields.prepare(PEOPLE)
    con = duckdb.connect()
    columns = {"unique_id": list(range(len(PEOPLE))), **{k: [str(v) for v in feats[k]] for k in fields.FEATURES}}
    con.execute("CREATE TABLE prepared AS SELECT * FROM (SELECT UNNEST($1) AS unique_id)", [columns["unique_id"]])
    for name in fields.FEATURES:
        con.execute(f'ALTER TABLE prepared ADD COLUMN "{name}" VARCHAR')
    for i in range(len(PEOPLE)):
        sets = ", ".join(f'"{k}" = ?' for k in fields.FEATURES)
        con.execute(f"UPDATE prepared SET {sets} WHERE unique_id = ?", [columns[k][i] for k in fields.FEATURES] + [i])
    db_api = DuckDBAPI(connection=con)
    linker = Linker(db_api.register("prepared"), splink_export.settings(result.params))
    theirs = {(int(a), int(b)): p for a, b, p in linker.inference.predict().as_duckdbpyrelation().select(
        "unique_id_l, unique_id_r, match_probability").fetchall()}
    ours = {(int(a), int(b)): float(p) for a, b, p in zip(result.left, result.right, result.probability, strict=True)}
    shared = set(ours) & set(theirs)
    assert len(shared) >= 5
    for pair in shared:
        assert theirs[pair] == pytest.approx(ours[pair], abs=1e-6), pair
    assert ours[(0, 1)] > 0.9 and ours[(2, 3)] > 0.9
