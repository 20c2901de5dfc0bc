"""Reading every committed sample file: format, encoding, delimiter, header language and value shapes."""

from __future__ import annotations

from pathlib import Path

import pytest

from kundebase.ingest import mapping, readers, shapes, vcard

DATA = Path(__file__).resolve().parent.parent / "data" / "import"


@pytest.mark.parametrize(("name", "encoding", "delimiter", "first"), [
    ("persons_nb_semicolon_utf8.csv", "utf-8", ";", "Kari"),
    ("persons_da_comma_bom.csv", "utf-8-sig", ",", "Mette"),
    ("persons_sv_tab_cp1252.csv", "cp1252", "\t", "Åsa"),
    ("persons_de_pipe_latin1.csv", "cp1252", "|", "Jürgen"),
    ("persons_hu_semicolon_latin2.csv", "iso8859_2", ";", "Erzsébet"),
    ("persons_en_bad_rows.csv", "utf-8", ",", "Alice"),
])
def test_csv_encoding_and_delimiter_are_detected(name, encoding, delimiter, first):
    info, rows = readers.sniff(DATA / name, name)
    assert (info.format, info.encoding, info.delimiter) == ("csv", encoding, delimiter)
    proposal = mapping.propose(info.headers, [r for _l, r in rows], "persons")
    given = next(col for col, target in proposal.items() if target == "given_name")
    assert rows[0][1][given] == first


def test_hungarian_letters_survive_latin2():
    info, rows = readers.sniff(DATA / "persons_hu_semicolon_latin2.csv")
    assert rows[1][1]["Vezetéknév"] == "Szőke" and rows[1][1]["Keresztnév"] == "Győző"
    assert "Születési dátum" in info.headers


@pytest.mark.parametrize(("name", "expected"), [
    ("persons_nb_semicolon_utf8.csv", {"Fornavn": "given_name", "Etternavn": "family_name",
                                       "Fødselsdato": "birth_date", "Postnummer": "postcode", "Poststed": "city",
                                       "E-post": "email", "Mobil": "mobile", "Kundenummer": "customer_number"}),
    ("persons_da_comma_bom.csv", {"Efternavn": "family_name", "Postnr": "postcode", "By": "city",
                                  "Telefon": "phone"}),
    ("persons_sv_tab_cp1252.csv", {"Förnamn": "given_name", "Efternamn": "family_name", "Postort": "city",
                                   "Födelsedatum": "birth_date"}),
    ("persons_de_pipe_latin1.csv", {"Vorname": "given_name", "Nachname": "family_name", "PLZ": "postcode",
                                    "Ort": "city", "Geburtsdatum": "birth_date", "Handy": "mobile",
                                    "E-Mail": "email", "Straße": "street"}),
    ("persons_hu_semicolon_latin2.csv", {"Vezetéknév": "family_name", "Keresztnév": "given_name",
                                         "Születési dátum": "birth_date", "Irányítószám": "postcode",
                                         "Település": "city", "Telefonszám": "phone", "E-mail cím": "email"}),
    ("persons_en_bad_rows.csv", {"First name": "given_name", "Last name": "family_name",
                                 "Customer number": "customer_number", "Date of birth": "birth_date"}),
    ("persons_nb.xlsx", {"Kundenr": "customer_number", "Født": "birth_date", "Sted": "city"}),
])
def test_mapping_from_header_words(name, expected):
    info, rows = readers.sniff(DATA / name, name)
    proposal = mapping.propose(info.headers, [r for _l, r in rows], "persons")
    assert {k: proposal.get(k) for k in expected} == expected


def test_company_headers_in_every_language():
    headers = ["organisasjonsnummer", "CVR", "orgnr", "adószám", "USt-IdNr"]
    for header in headers:
        assert mapping.by_header(header, "companies") == "org_number", header
    assert mapping.propose(["Firmanavn", "Organisasjonsnummer", "Ansatte"], [], "companies") == {
        "Firmanavn": "legal_name", "Organisasjonsnummer": "org_number", "Ansatte": "employees"}


def test_mapping_from_value_shapes_when_headers_say_nothing():
    rows = [{"A": "kari@example.no", "B": "+47 412 34 567", "C": "31.12.1980", "D": "923 609 016"},
            {"A": "ola@example.no", "B": "90 12 34 56", "C": "1975-04-02", "D": "984851006"}]
    assert mapping.propose(["A", "B", "C", "D"], rows, "persons") == {"A": "email", "B": "phone", "C": "birth_date"}
    assert mapping.propose(["A", "B", "C", "D"], rows, "companies")["D"] == "org_number"


@pytest.mark.parametrize(("text", "iso"), [
    ("31.12.1980", "1980-12-31"), ("1980-12-31", "1980-12-31"), ("31/12/1980", "1980-12-31"),
    ("1980.12.31.", "1980-12-31"), ("19801231", "1980-12-31"), ("31-12-1980", "1980-12-31"),
])
def test_local_date_spellings(text, iso):
    assert shapes.parse_date(text).isoformat() == iso


@pytest.mark.parametrize("text", ["31.02.1980", "12/31/1980", "yesterday", "", "1980"])
def test_not_dates(text):
    assert shapes.parse_date(text) is None


def test_xlsx_streams_rows_with_real_dates():
    info, rows = readers.sniff(DATA / "persons_nb.xlsx")
    assert info.format == "xlsx"
    assert rows[0][1]["Født"] == "1979-08-17"
    assert rows[0][1]["Mobil"] == "41234568"


def test_vcard_3_from_iphone():
    with (DATA / "contacts_iphone_v3.vcf").open(encoding="utf-8") as fh:
        cards = list(vcard.parse(fh))
    sigrid, tor = cards
    assert (sigrid["given_name"], sigrid["family_name"], sigrid["email"]) == ("Sigrid", "Haugen",
                                                                             "sigrid@example-haugen.no")
    assert sigrid["mobile"] == "+47 917 65 432" and sigrid["phone"] == "22 11 00 99"
    assert (sigrid["street"], sigrid["postcode"], sigrid["city"], sigrid["country"]) == (
        "Kirkegata 5", "2317", "Hamar", "Norge")
    assert sigrid["company"] == "Haugen Regnskap AS" and sigrid["birth_date"] == "1983-09-21"
    assert sigrid["note"] == "Møtt på messen i Lillestrøm, 2023."
    assert tor["given_name"] == "Tor Erik" and tor["birth_date"] == ""  # --0412 has no year


def test_vcard_4_from_apple_contacts_with_folded_lines():
    info, rows = readers.sniff(DATA / "contacts_apple_v4.vcf")
    agnes, klaus = (r for _l, r in rows)
    assert info.format == "vcard"
    assert (agnes["family_name"], agnes["given_name"], agnes["mobile"]) == ("Nagy", "Ágnes", "+36-30-555-1234")
    assert (agnes["street"], agnes["city"], agnes["postcode"]) == ("Andrássy út 1", "Budapest", "1061")
    assert klaus["company"] == "Schröder & Söhne KG" and klaus["phone"] == "+49 30 1234567"


def test_vcard_21_quoted_printable_from_outlook():
    _info, rows = readers.sniff(DATA / "contacts_outlook.vcf")
    assert rows[0][1]["family_name"] == "Jørgensen" and rows[0][1]["mobile"] == "+45 20 30 40 50"


def test_jsonl_bad_lines_are_rows_with_an_error():
    _info, rows = readers.sniff(DATA / "persons.jsonl")
    assert rows[0][1]["address.city"] == "Oslo"
    assert "_error" in rows[2][1] and "_error" in rows[3][1]


@pytest.mark.parametrize("content", [b"", b"\n\n", b"PK\x03\x04garbage"])
def test_empty_or_broken_files_are_refused(tmp_path, content):
    path = tmp_path / ("f.xlsx" if content.startswith(b"PK") else "f.csv")
    path.write_bytes(content)
    with pytest.raises(readers.UnreadableFile):
        readers.sniff(path)


def test_jsonl_lines_too_deep_or_with_lone_surrogates_are_rows_with_an_error(tmp_path):
    """A line nested deeper than the parser recurses, or holding half of a UTF-16 pair (valid JSON text, not
    valid Unicode), is a bad row like any other, not a failure of the whole upload or of its preview."""
    from kundebase.ingest import records

    path = tmp_path / "people.jsonl"
    path.write_text('{"given_name": "Kari", "family_name": "Nordmann"}\n'
                    + '{"a":' * 5000 + "1" + "}" * 5000 + "\n"
                    + '{"given_name": "\\ud800", "family_name": "X"}\n'
                    + '{"a":' * 500 + "1" + "}" * 500 + "\n", encoding="utf-8")
    info, rows = readers.sniff(path)
    assert [line for line, _row in rows] == [1, 2, 3, 4]
    assert rows[0][1]["given_name"] == "Kari"
    assert "too deeply nested" in rows[1][1]["_error"]
    assert "not valid Unicode" in rows[2][1]["_error"]
    assert "_error" not in rows[3][1]  # deep but within reach: flattened to one long key
    for line, raw in rows:
        records.build(line=line, raw=raw, entity="persons", columns={"given_name": "given_name"}, source="s")


def test_a_csv_field_over_the_size_limit_refuses_the_file_with_its_line(tmp_path):
    path = tmp_path / "long.csv"
    path.write_text("Fornavn;Etternavn\nKari;Nordmann\nOla;" + "N" * 300_000 + "\n", encoding="utf-8")
    with pytest.raises(readers.UnreadableFile, match="line 3"):
        for _row in readers.open_rows(path, readers.sniff(path)[0]):
            pass
