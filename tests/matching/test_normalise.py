"""Every normaliser with real-world spellings from Norway, Denmark, Sweden, Germany, Hungary and the UK."""

from __future__ import annotations

import pytest

from kundebase.core import identifiers
from kundebase.matching.normalise import addresses, companies, contacts, names


@pytest.mark.parametrize("spellings", [
    ("Søren Ærø", "Soeren Aeroe", "Soren Aero"),            # DK: ø/oe/o, æ/ae
    ("Åse Ødegård", "Aase Oedegaard", "Ase Odegard"),       # NO: å/aa/a
    ("Björn Älvström", "Bjoern Aelvstroem", "Bjorn Alvstrom"),  # SE
    ("Jürgen Müller", "Juergen Mueller", "Jurgen Muller"),  # DE: ü/ue/u
    ("Strauß", "Strauss", "STRAUSS"),                       # DE: ß/ss
    ("Erdős Pál", "Erdös Pál", "Erdos Pal"),                # HU: ő/ö/o
    ("Szűcs Éva", "Szücs Eva", "Szucs Eva"),                # HU: ű/ü/u
])
def test_transliterations_share_one_key(spellings: tuple[str, ...]) -> None:
    keys = {names.key(s) for s in spellings}
    assert len(keys) == 1, keys


def test_different_names_keep_different_keys() -> None:
    assert names.key("Hansen") != names.key("Jensen")
    assert names.key("Müller") != names.key("Möller")
    assert names.plain("Ørjan Bæk") == "orjan baek"


@pytest.mark.parametrize(("a", "b"), [
    ("Bob", "Robert"), ("Kalle", "Karl"), ("Hansi", "Hans"), ("Pisti", "István"), ("Jóska", "József"),
    ("Kari", "Karianne"), ("Liz", "Elisabeth"), ("Gyuri", "György"), ("Mikkel", "Michael"), ("Lisbeth", "Erzsébet"),
])
def test_nicknames(a: str, b: str) -> None:
    assert names.same_person_name(a, b)
    assert names.nickname_group(a) == names.nickname_group(b)


def test_unrelated_given_names_are_not_nicknames() -> None:
    assert not names.same_person_name("Kari", "Ola")
    assert not names.same_person_name("", "Ola")


def test_family_name_first() -> None:
    assert names.split_full_name("Nagy István", "hu") == ("István", "Nagy")
    assert names.split_full_name("Kari Nordmann", "nb") == ("Kari", "Nordmann")
    assert names.split_full_name("Nordmann, Kari") == ("Kari", "Nordmann")
    assert names.swapped("István", "Nagy", "Nagy", "Istvan")
    assert not names.swapped("Kari", "Nordmann", "Kari", "Nordmann")


def test_titles_and_particles_are_not_name_parts() -> None:
    assert names.tokens("Dr. med. Hans-Peter von Müller") == ["hans", "peter", "muller"]


@pytest.mark.parametrize(("name", "core", "form"), [
    ("Nordisk Fisk AS", "nordisk fisk", "as"),                        # NO
    ("Equinor ASA", "equinor", "asa"),                                # NO
    ("AS Vinmonopolet", "vinmonopolet", "as"),                        # NO, form first
    ("Hansen & Søn ApS", "hansen and son", "aps"),                    # DK
    ("Mærsk A/S", "maersk", "a s"),                                   # DK
    ("Jensen I/S", "jensen", "i s"),                                  # DK
    ("Volvo AB (publ)", "volvo", "ab publ"),                          # SE
    ("Müller GmbH & Co. KG", "muller", "gmbh and co kg"),             # DE
    ("Siemens AG", "siemens", "ag"),                                  # DE
    ("Bäckerei Schmidt e.K.", "backerei schmidt", "e k"),             # DE
    ("Pannon Kft.", "pannon", "kft"),                                 # HU
    ("Magyar Telekom Nyrt.", "magyar telekom", "nyrt"),               # HU
    ("OTP Bank Zrt.", "otp bank", "zrt"),                             # HU
    ("Kovács és Társa Bt.", "kovacs es tarsa", "bt"),                 # HU
    ("Tesco PLC", "tesco", "plc"), ("Acme Limited", "acme", "limited"), ("Acme Ltd", "acme", "ltd"),  # UK
])
def test_legal_forms(name: str, core: str, form: str) -> None:
    assert companies.split_legal_form(name) == (core, form)


def test_company_keys_ignore_form_and_connectors() -> None:
    assert companies.key("Hansen & Søn ApS") == companies.key("HANSEN OG SØN A/S")
    assert companies.key("Müller GmbH") == companies.key("Müller GmbH & Co. KG")
    assert companies.key("AS") == "as"  # a name that is only a form stays a name


def test_corporate_group_siblings_are_not_duplicates() -> None:
    parents = {1: None, 2: 1, 3: 1, 4: 3, 5: None}
    assert companies.group_root(4, parents) == 1
    assert companies.distinct_group_members("923609016", "984851006", 1, 1)
    assert not companies.distinct_group_members("923609016", "923609016", 1, 1)
    assert not companies.distinct_group_members("923609016", "984851006", 1, 5)
    cyclic = {1: 2, 2: 1}
    assert companies.group_root(1, cyclic) in (1, 2)


@pytest.mark.parametrize(("street", "expected"), [
    ("Storgata 12B", ("storgate", "12", "b")), ("Storgt. 12 b", ("storgate", "12", "b")),
    ("Storgaten 12b", ("storgate", "12", "b")),                            # NO
    ("Ringveien 10", ("ringvei", "10", "")), ("Ringvn. 10", ("ringvei", "10", "")),
    ("Ringv. 10", ("ringvei", "10", "")), ("Gustav Vigelands vei 3", ("gustav vigelands vei", "3", "")),
    ("Vesterbrogade 4A", ("vesterbrogate", "4", "a")), ("Nørre Allé 7", ("norre alle", "7", "")),  # DK
    ("Drottninggatan 5", ("drottninggate", "5", "")),                      # SE
    ("Hauptstraße 5a", ("hauptstrasse", "5", "a")), ("Hauptstr. 5 A", ("hauptstrasse", "5", "a")),
    ("Hauptstrasse 5a", ("hauptstrasse", "5", "a")),                       # DE
    ("Fő utca 12/A", ("fo utca", "12", "a")), ("Fő u. 12. A", ("fo utca", "12", "a")),  # HU
    ("12 Baker Street", ("baker street", "12", "")), ("12 Baker St", ("baker street", "12", "")),  # UK
])
def test_streets(street: str, expected: tuple[str, str, str]) -> None:
    assert addresses.split_street(street) == expected


@pytest.mark.parametrize(("raw", "country", "expected"), [
    ("N-0155", "NO", "0155"), ("0155", "NO", "0155"), ("DK-2100", "DK", "2100"), ("SE-114 55", "SE", "11455"),
    ("D-10115", "DE", "10115"), ("H-1051", "HU", "1051"), ("sw1a1aa", "GB", "SW1A 1AA"), ("", "NO", ""),
])
def test_postcodes(raw: str, country: str, expected: str) -> None:
    assert addresses.postcode(raw, country) == expected


def test_city_district_suffixes() -> None:
    assert addresses.city("København K") == addresses.city("Kobenhavn")
    assert addresses.city("Budapest V.") == "budapest"


@pytest.mark.parametrize(("raw", "country", "expected"), [
    ("+47 22 33 44 55", "NO", "+4722334455"), ("0047 22334455", "NO", "+4722334455"), ("22 33 44 55", "NO",
                                                                                          "+4722334455"),
    ("30 12 34 56", "DK", "+4530123456"), ("06 30 123 4567", "HU", "+36301234567"),
    ("030 1234567", "DE", "+49301234567"), ("020 7946 0958", "GB", "+442079460958"), ("not a phone", "NO", ""),
])
def test_phones(raw: str, country: str, expected: str) -> None:
    assert identifiers.phone_key(raw, country) == expected


@pytest.mark.parametrize(("raw", "expected"), [
    ("Kari.Nordmann+shop@GoogleMail.com", "karinordmann@gmail.com"),
    ("k.a.r.i.nordmann@gmail.com", "karinordmann@gmail.com"),
    ("Ola.Nordmann+news@Example.NO", "ola.nordmann@example.no"),   # dots matter outside Gmail
    ("JÜRGEN@müller.de", "jürgen@müller.de"),
    ("no-at-sign", ""), ("two@@signs.no", ""), ("", ""),
])
def test_emails(raw: str, expected: str) -> None:
    assert contacts.email(raw) == expected


@pytest.mark.parametrize(("raw", "expected"), [
    ("https://www.Example.no/", "example.no"), ("http://example.no/om-oss?x=1", "example.no"),
    ("www.firma.hu", "firma.hu"), ("example.de:8080/", "example.de"), ("localhost", ""), ("", ""),
])
def test_websites(raw: str, expected: str) -> None:
    assert contacts.website(raw) == expected


@pytest.mark.parametrize("text", ["Ørjan Bæk", "Åse Strauß", "Łukasz Œuvre", "Gergő Szűcs",
                                  "Đorđe Müller-Lüdenscheidt"])
def test_matching_and_search_fold_accents_alike(text: str) -> None:
    assert names.plain(text) == identifiers.fold(text)


@pytest.mark.parametrize("raw", ["22 33 44 55", "+47 22 33 44 55", "0047 22334455"])
def test_matching_key_and_stored_phone_agree_for_any_spelling_of_the_country(raw: str) -> None:
    """One phone normalising: the key matching compares is the number the customer record stores."""
    for country in ("NO", "no"):
        assert identifiers.phone_key(raw, country) == identifiers.phone(raw, country) == "+4722334455"
