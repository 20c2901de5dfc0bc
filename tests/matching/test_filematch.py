"""``kundebase match FILE.csv``: works on plain files without any database, in every header language."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from kundebase.matching.filematch import propose_mapping

ROOT = Path(__file__).resolve().parents[2]
FEBRL1 = ROOT / "benchmarks" / "data" / "febrl1.csv"


def _write(path: Path, header: list[str], rows: list[list[str]], encoding: str = "utf-8") -> Path:
    with path.open("w", newline="", encoding=encoding) as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.mark.parametrize(("headers", "expected"), [
    (["kundenr", "Fornavn", "Etternavn", "Fødselsdato", "Adresse", "Postnummer", "Poststed", "Mobil", "E-post"],
     {"given_name": "Fornavn", "family_name": "Etternavn", "birth_date": "Fødselsdato", "street": "Adresse",
      "postcode": "Postnummer", "city": "Poststed", "phone": "Mobil", "email": "E-post"}),
    (["id", "Vorname", "Nachname", "Geburtsdatum", "Straße", "Hausnummer", "PLZ", "Ort", "Telefon", "E-Mail"],
     {"given_name": "Vorname", "family_name": "Nachname", "birth_date": "Geburtsdatum", "street": "Straße",
      "house_number": "Hausnummer", "postcode": "PLZ", "city": "Ort", "phone": "Telefon", "email": "E-Mail"}),
    (["azonosito", "Vezetéknév", "Keresztnév", "Születési dátum", "Irányítószám", "Város", "Telefonszám"],
     {"family_name": "Vezetéknév", "given_name": "Keresztnév", "birth_date": "Születési dátum",
      "postcode": "Irányítószám", "city": "Város", "phone": "Telefonszám"}),
    (["nr", "Fornavn", "Efternavn", "CPR-nummer", "Postnr", "By"],
     {"given_name": "Fornavn", "family_name": "Efternavn", "national_id": "CPR-nummer", "postcode": "Postnr",
      "city": "By"}),
    (["id", "Förnamn", "Efternamn", "Personnummer", "Postort"],
     {"given_name": "Förnamn", "family_name": "Efternamn", "national_id": "Personnummer", "city": "Postort"}),
    (["id", "Company name", "Org number", "Website", "Phone"],
     {"company_name": "Company name", "org_number": "Org number", "website": "Website", "phone": "Phone"}),
])
def test_mapping_is_proposed_from_headers(headers: list[str], expected: dict[str, str]) -> None:
    proposed = propose_mapping(headers[1:])
    assert {k: v for k, v in proposed.items() if k in expected} == expected


def test_dedupe_writes_pairs_and_clusters(tmp_path: Path) -> None:
    src = _write(tmp_path / "kunder.csv", ["kundenr", "Fornavn", "Etternavn", "Fødselsdato", "Adresse", "Postnummer",
                                           "Mobil", "E-post"], [
        ["1", "Kari", "Nordmann", "31.12.1980", "Storgata 12B", "0155", "+47 412 34 567", "kari@example.no"],
        ["2", "Kari", "Nordman", "1980-12-31", "Storgt. 12 b", "N-0155", "0047 41234567", ""],
        ["3", "Ola", "Hansen", "1975-01-02", "Ringveien 3", "5003", "", "ola@example.no"],
        ["4", "Nordmann", "Kari", "31.12.1980", "Storgaten 12b", "0155", "41234567", "Kari@Example.no"],
        ["5", "Per", "Olsen", "1990-06-06", "Ringvn. 4", "5003", "", ""],
    ])
    pairs, clusters = tmp_path / "pairs.csv", tmp_path / "clusters.csv"
    call_command("match", str(src), "--id-column", "kundenr", "--output", str(pairs), "--clusters", str(clusters),
                 "--weights")
    rows = list(csv.DictReader(pairs.open(encoding="utf-8")))
    assert list(rows[0])[:3] == ["id_l", "id_r", "match_probability"]
    assert any(k.startswith("w_") for k in rows[0])
    found = {tuple(sorted((r["id_l"], r["id_r"]))) for r in rows}
    assert found == {("1", "2"), ("1", "4"), ("2", "4")}
    assert all(0.5 <= float(r["match_probability"]) <= 1 for r in rows)
    members = list(csv.DictReader(clusters.open(encoding="utf-8")))
    assert list(members[0]) == ["cluster_id", "id"]
    by_cluster: dict[str, set[str]] = {}
    for m in members:
        by_cluster.setdefault(m["cluster_id"], set()).add(m["id"])
    assert {"1", "2", "4"} in by_cluster.values() and len(members) == 5


def test_link_two_files_with_an_explicit_mapping(tmp_path: Path) -> None:
    left = _write(tmp_path / "a.csv", ["id", "first", "last", "dob"], [["a1", "Jürgen", "Müller", "1966-04-02"],
                                                                        ["a2", "Anna", "Kovács", "1970-01-01"]])
    right = _write(tmp_path / "b.csv", ["id", "first", "last", "dob"], [["b1", "Juergen", "Mueller", "1966-04-02"],
                                                                         ["b2", "Péter", "Nagy", "1980-02-02"]])
    mapping = tmp_path / "m.json"
    mapping.write_text(json.dumps({"given_name": "first", "family_name": "last", "birth_date": "dob"}))
    out = tmp_path / "pairs.csv"
    call_command("match", str(left), "--link", str(right), "--id-column", "id", "--mapping", str(mapping),
                 "--output", str(out))
    rows = list(csv.DictReader(out.open()))
    assert [(r["id_l"], r["id_r"]) for r in rows] == [("a1", "b1")]


def test_febrl1_quality(tmp_path: Path) -> None:
    out = tmp_path / "pairs.csv"
    call_command("match", str(FEBRL1), "--id-column", "rec_id", "--output", str(out))
    truth = {tuple(sorted(r)) for r in csv.reader((ROOT / "benchmarks/data/febrl1_links.csv").open()) if r[0] != "id_l"}
    found = {tuple(sorted((r["id_l"], r["id_r"]))) for r in csv.DictReader(out.open())}
    tp = len(found & truth)
    f1 = 2 * tp / (len(found) + len(truth))
    assert f1 > 0.98


@pytest.mark.parametrize(("args", "message"), [
    (["missing.csv", "--id-column", "id", "--output", "x.csv"], "does not exist"),
    (["{src}", "--id-column", "nope", "--output", "x.csv"], "no column"),
    (["{src}", "--id-column", "id"], "--output"),
    (["{src}", "--id-column", "id", "--output", "x.csv", "--threshold", "1.5"], "between 0 and 1"),
    (["{src}", "--id-column", "id", "--output", "x.csv", "--mapping", "{bad}"], "not a JSON mapping"),
    (["{src}", "--id-column", "id", "--output", "x.csv", "--mapping", "{unknown}"], "unknown fields"),
    (["{src}", "--id-column", "id", "--output", "x.csv", "--mapping", "{wrongcol}"], "does not have"),
    (["{latin1}", "--id-column", "id", "--output", "x.csv"], "CSV"),
    (["{empty}", "--id-column", "id", "--output", "x.csv"], "no rows"),
    (["{src}", "--id-column", "id", "--output", "x.csv", "--link", "{empty}"], "no rows"),
])
def test_bad_input_is_refused_clearly(tmp_path: Path, args: list[str], message: str) -> None:
    src = _write(tmp_path / "in.csv", ["id", "name"], [["1", "Kari"]])
    latin = tmp_path / "latin1.csv"
    latin.write_bytes("id,navn\n1,S\xf8ren \xc6r\xf8\n2,\xff\xfe\x00\x00\n".encode("latin-1"))
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    unknown = tmp_path / "unknown.json"
    unknown.write_text(json.dumps({"shoe_size": "name"}))
    wrongcol = tmp_path / "wrongcol.json"
    wrongcol.write_text(json.dumps({"full_name": "navn"}))
    empty = _write(tmp_path / "empty.csv", ["id", "name"], [])
    paths = {"src": src, "bad": bad, "unknown": unknown, "wrongcol": wrongcol, "latin1": latin, "empty": empty}
    real = [a.format(**paths) if "{" in a else (str(tmp_path / a) if a.endswith(".csv") else a) for a in args]
    with pytest.raises(CommandError, match=message):
        call_command("match", *real)


def test_empty_cells_read_as_empty_text(tmp_path: Path) -> None:
    from kundebase.matching.filematch import read

    src = _write(tmp_path / "gaps.csv", ["id", "name", "email"], [["1", "Kari", ""], ["2", "", "ola@example.no"]])
    ids, columns, headers = read(src, "id")
    assert ids == ["1", "2"] and headers == ["id", "name", "email"]
    assert columns["email"] == ["", "ola@example.no"] and columns["name"] == ["Kari", ""]


def test_importer_and_file_matcher_read_headers_from_one_table() -> None:
    """A header word either of them knows, both know: ``Tlf`` came from the importer, ``Kundenavn`` from the
    file matcher."""
    from kundebase.ingest import mapping

    assert propose_mapping(["Kundenavn", "Tlf", "Mobilnummer"]) == {"full_name": "Kundenavn", "phone": "Tlf"}
    assert mapping.propose(["Kundenavn", "Tlf"], [], "persons") == {"Kundenavn": "full_name", "Tlf": "phone"}
