"""The batch engine's fast paths give what the plain per-record paths give, and its model weighs by frequency."""

from __future__ import annotations

from itertools import combinations
from typing import Any

import duckdb
import numpy as np
import pytest

from kundebase.matching import batch, blocking, fields
from kundebase.matching.comparisons import CODE
from kundebase.matching.model import Params

RECORDS: list[dict[str, Any]] = [
    {"given_name": "Kari", "family_name": "Nordmann", "birth_date": "31.12.1980", "street": "Storgt. 12 B",
     "postcode": "0155", "city": "Oslo", "phone": "412 34 567", "email": "Kari.Nordmann+shop@GoogleMail.com"},
    {"given_name": " Kari ", "family_name": "Nordmann", "birth_date": "1980-12-31", "street": "Storgata 12b",
     "postcode": "N-0155", "city": "OSLO", "phone": "+47 41234567", "email": "karinordmann@gmail.com"},
    {"given_name": "Nordmann", "family_name": "Kari", "birth_date": "1980-12-31", "phone": "0047 41234567"},
    {"given_name": "István", "family_name": "Nagy", "birth_date": "1975.03.04", "street": "Fő u. 12/A",
     "postcode": "1011", "city": "Budapest", "phone": "+36 30 123 4567", "country": "HU"},
    {"given_name": "Pisti", "family_name": "Nagy", "birth_date": "1975-03-04", "street": "Fő utca 12. A",
     "postcode": "1011", "city": "Budapest", "country": "hu"},
    {"given_name": "Jürgen", "family_name": "Müller", "street": "Hauptstraße 5a", "postcode": "D-10115",
     "city": "Berlin", "email": "j.mueller@web.de", "country": "DE", "national_id": "12 345 678 901"},
    {"given_name": "Juergen", "family_name": "Mueller", "street": "Hauptstr. 5 A", "postcode": "10115",
     "city": "Berlin", "email": "J.Mueller@web.de", "country": "DE"},
    {"family_name": "Hansen"}, {"given_name": "Ola", "family_name": "Hansen", "postcode": "0155"},
    {"given_name": "Ola", "family_name": "Hansen", "postcode": "0155", "birth_date": "1970-01-01"},
    {},
]
ROLES = ("given_name", "family_name", "birth_date", "street", "postcode", "city", "phone", "email", "country",
         "national_id")


def _columns(records: list[dict[str, Any]]) -> dict[str, list[Any]]:
    return {role: [r.get(role, "") for r in records] for role in ROLES}


def test_every_way_of_preparing_gives_the_same_features() -> None:
    one = [fields.prepare_one(r) for r in RECORDS]
    many = fields.prepare(RECORDS)
    columns = fields.prepare_columns(_columns(RECORDS), len(RECORDS), codes=True)
    con = duckdb.connect()
    con.execute("CREATE TABLE rows (" + ", ".join(f"c_{r} VARCHAR" for r in ROLES) + ")")
    con.executemany(f"INSERT INTO rows VALUES ({', '.join('?' * len(ROLES))})",
                    [[r.get(role) or None for role in ROLES] for r in RECORDS])
    table = fields.prepare_table(con, "rows", {role: f"c_{role}" for role in ROLES}, len(RECORDS), codes=True)
    for name in fields.FEATURES:
        expected = [row[name] for row in one]
        assert list(many[name]) == expected, name
        assert list(columns[name]) == expected, name
        assert list(table[name]) == expected, name
    assert one[0]["phone"] == one[1]["phone"] == one[2]["phone"] == "+4741234567"
    assert one[0]["email"] == one[1]["email"] == "karinordmann@gmail.com"
    assert one[3]["street_key"] == one[4]["street_key"]


def test_codes_are_one_vocabulary_with_zero_for_empty() -> None:
    feats = fields.prepare_columns(_columns(RECORDS), len(RECORDS), codes=True)
    seen: dict[int, str] = {}
    for name in fields.FEATURES:
        for value, code in zip(feats[name], feats[CODE + name], strict=True):
            assert seen.setdefault(int(code), value) == value
            assert (code == 0) == (value == "")
    # a given name and a family name share codes, so a swapped name order is seen as equal
    assert feats[CODE + "given_key"][2] == feats[CODE + "family_key"][0]


def _pairs_from_string_keys(feats: dict[str, np.ndarray], rules: tuple[tuple[str, ...], ...]) -> set[tuple[int, int]]:
    blocks: dict[str, list[int]] = {}
    for i, keys in enumerate(blocking.keys("person", feats, rules)):
        for key in keys:
            blocks.setdefault(key, []).append(i)
    return {pair for ids in blocks.values() if 2 <= len(ids) <= blocking.MAX_BLOCK
            for pair in combinations(sorted(set(ids)), 2)}


@pytest.mark.parametrize("codes", [True, False])
def test_blocks_from_codes_are_the_blocks_of_the_stored_keys(codes: bool) -> None:
    """The batch blocks on integer codes; the entry check looks up key strings: both must give one set."""
    crowd = [{"given_name": f"Anne{i}", "family_name": "Berg", "birth_date": "1990-01-01"}
             for i in range(blocking.MAX_BLOCK + 1)]
    records = RECORDS + crowd
    feats = fields.prepare(records, codes=codes)
    left, right = blocking.candidate_pairs("person", feats)
    found = set(zip(left.tolist(), right.tolist(), strict=True))
    assert found == _pairs_from_string_keys(feats, blocking.RULES["person"])
    assert (0, 1) in found and (0, 2) in found and (3, 4) in found and (5, 6) in found
    first_crowd = len(RECORDS)
    assert (first_crowd, first_crowd + 1) not in found  # family name + birth date shared by too many


def test_a_common_shared_name_weighs_less_than_a_rare_one() -> None:
    params = Params("person", ["given_name"], m=[[0.01, 0.02, 0.02, 0.05, 0.9]],
                    u=[[0.95, 0.02, 0.01, 0.01, 0.01]], prior=0.001,
                    tf={"given_name": {"feature": "given_key", "level": 4, "total": 1000,
                                       "counts": {"ola": 100, "ase": 2}}})
    levels = np.array([[4], [4], [4], [3]], dtype=np.int8)
    tf = params.term_frequencies({"given_key": np.array(["ola", "ase", "unseen", "ola"], dtype=object)})
    assert tf["given_name"].tolist() == [0.1, 0.002, 0.001, 0.1]
    weights = params.field_weights(levels, tf)[:, 0]
    plain = params.field_weights(levels)[:, 0]
    assert weights[0] < plain[0] < weights[1] < weights[2]
    assert weights[3] == plain[3]  # only the exact level is adjusted
    assert weights[0] == pytest.approx(np.log2(0.9 / 0.01) + np.log2(0.01 / 0.1))
    p = params.probability(levels, tf)
    assert p[0] < p[1] < p[2]
    assert Params.from_json(params.as_json()).tf == params.tf


def test_a_trained_model_carries_its_frequencies_and_a_deterministic_prior() -> None:
    people = []
    for i in range(60):
        given = "Ola" if i % 3 else f"Rare{i}"
        people.append({"given_name": given, "family_name": f"Hansen{i % 20}", "birth_date": f"19{40 + i}-05-06",
                       "postcode": f"{1000 + i % 5}", "email": f"p{i}@example.no"})
    for i in (0, 1, 2):  # three second records that share the e-mail address
        people.append({**people[i], "given_name": people[i]["given_name"] + "x", "postcode": "9999"})
    result = batch.run("person", people)
    table = result.params.tf["given_name"]
    assert table["feature"] == "given_key" and table["counts"]["ola"] == 40
    assert all(count >= 2 for count in table["counts"].values())
    n = len(people)
    assert result.params.info["deterministic_pairs"] == 3
    assert result.params.prior == pytest.approx(3 / batch.DETERMINISTIC_RECALL / (n * (n - 1) / 2))
    weights = result.field_weights()
    assert weights.shape == (len(result.left), len(result.comparisons))


@pytest.mark.parametrize(("given", "family", "email", "user"), [
    ("Péter", "Szabó", "peter.szabo@freemail.hu", ""),
    ("Péter", "Szabó", "SzaboPeter@citromail.hu", ""),
    ("Péter", "Szabó", "p.szabo@t-online.hu", ""),
    ("Anne Marie", "Næss", "anne_naess@gmail.com", ""),
    ("Péter", "Szabó", "peter.szabo75@freemail.hu", "peter.szabo75"),
    ("Kari", "Nordmann", "kalle.kanin@online.no", "kalle.kanin"),
    ("Kari", "Nordmann", "", ""),
])
def test_an_email_user_name_counts_only_where_it_says_more_than_the_name(given: str, family: str, email: str,
                                                                          user: str) -> None:
    assert fields.prepare_one({"given_name": given, "family_name": family, "email": email})["email_user"] == user


def test_namesakes_with_one_user_name_at_two_providers_do_not_agree_on_it() -> None:
    from kundebase.matching import comparisons

    email = next(c for c in comparisons.PERSON_COMPARISONS if c.name == "email")
    records = [{"given_name": "Péter", "family_name": "Szabó", "email": "peter.szabo@freemail.hu"},
               {"given_name": "Péter", "family_name": "Szabó", "email": "peter.szabo@citromail.hu"},
               {"given_name": "Péter", "family_name": "Szabó", "email": "szabo.p75@freemail.hu"},
               {"given_name": "Peti", "family_name": "Szabó", "email": "szabo.p75@outlook.hu"}]
    for codes in (False, True):
        feats = fields.prepare(records, codes=codes)
        left, right = batch.Taken(feats, np.array([0, 2])), batch.Taken(feats, np.array([1, 3]))
        assert email.compare(left, right).tolist() == [0, 1]
