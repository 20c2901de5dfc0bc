"""The duplicate check at entry: blocking keys kept on save, candidates with reasons, same score as batch."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from kundebase.matching import batch, entry, records, store
from kundebase.matching.models import BlockingKey, PendingParty
from tests.matching.helpers import company, person

pytestmark = pytest.mark.django_db


def _kari(**kw: Any) -> Any:
    values = dict(born="1980-12-31", email="kari.nordmann@example.no", phone="+47 412 34 567",
                  street="Storgata 1", postcode="0155", city="Oslo")
    values.update(kw)
    return person("Kari", "Nordmann", **values)


def test_saving_a_party_keeps_its_blocking_keys_and_queues_it() -> None:
    kari = _kari()
    keys = set(BlockingKey.objects.filter(party_id=kari.pk).values_list("key", flat=True))
    assert any(k.endswith("+4741234567") for k in keys)
    assert any(k.endswith("kari.nordmann@example.no") for k in keys)
    assert PendingParty.objects.filter(party_id=kari.pk).exists()
    from kundebase.parties import services

    services.update_person(party_id=kari.pk, changes={"family_name": "Hansen"})
    keys_after = set(BlockingKey.objects.filter(party_id=kari.pk).values_list("key", flat=True))
    assert "3:kari|nordman" in keys and "3:kari|nordman" not in keys_after  # rule 3: the name pair
    assert "3:hansen|kari" in keys_after


def test_likely_duplicates_finds_a_typed_variant_with_reasons() -> None:
    kari = _kari()
    person("Ola", "Nordmann", born="1975-01-02", email="ola@example.no", street="Storgata 1", postcode="0155")
    found = entry.likely_duplicates(
        kind="person", fields={"given_name": "Kari", "family_name": "Nordman", "birth_date": "1980-12-31"},
        contact_points=[{"kind": "mobile", "value": "0047 41234567"}], addresses=[])
    assert [c.party_id for c in found] == [kari.pk]
    assert found[0].score >= entry.THRESHOLD
    assert "same phone" in found[0].reasons and "same birth date" in found[0].reasons
    assert found[0].as_dict()["customer_number"] == kari.customer_number


def test_a_stranger_with_a_shared_postcode_is_not_a_duplicate() -> None:
    _kari()
    found = entry.likely_duplicates(kind="person", fields={"given_name": "Per", "family_name": "Olsen",
                                                           "birth_date": "1990-05-05"},
                                    contact_points=[], addresses=[{"street": "Storgata 1", "postcode": "0155",
                                                                   "city": "Oslo", "country": "NO"}])
    assert found == []


def test_exclude_id_and_merged_parties_are_left_out() -> None:
    kari = _kari()
    args = dict(kind="person", fields={"given_name": "Kari", "family_name": "Nordmann", "birth_date": "1980-12-31"},
                contact_points=[{"kind": "email", "value": "Kari.Nordmann@example.no"}], addresses=[])
    assert entry.likely_duplicates(**args)
    assert entry.likely_duplicates(**args, exclude_id=kari.pk) == []


def test_api_refuses_a_duplicate_with_candidates(api: Any, person_payload: dict[str, Any]) -> None:
    first = api.post("/api/v1/persons", person_payload)
    assert first.status_code == 201, first.content
    again = dict(person_payload, given_name="Kari", family_name="Nordman")
    refused = api.post("/api/v1/persons?allow_duplicate=false", again)
    assert refused.status_code == 409
    body = refused.json()
    assert body["candidates"][0]["party_id"] == first.json()["id"]
    assert body["candidates"][0]["reasons"]


def test_subsidiaries_of_one_group_are_not_duplicates() -> None:
    parent = company("Nordisk Fisk Holding AS", org="923609016")
    bergen = company("Nordisk Fisk AS", org="984851006", parent=parent.pk, phone="+47 55 12 34 56",
                     street="Bryggen 1", postcode="5003", city="Bergen")
    found = entry.likely_duplicates(kind="company", fields={"legal_name": "Nordisk Fisk AS", "org_number": "974760673",
                                                            "parent_id": parent.pk},
                                    contact_points=[{"kind": "phone", "value": "55 12 34 56"}],
                                    addresses=[{"street": "Bryggen 1", "postcode": "5003", "city": "Bergen",
                                                "country": "NO"}])
    assert found == []
    same = entry.likely_duplicates(kind="company", fields={"legal_name": "NORDISK FISK A/S", "org_number": "984851006"},
                                   contact_points=[{"kind": "phone", "value": "55 12 34 56"}], addresses=[])
    assert [c.party_id for c in same] == [bergen.pk]


def test_fast_path_scores_a_pair_as_the_batch_engine_does() -> None:
    people = [
        _kari(),
        person("Kari", "Nordman", born="1980-12-31", phone="41234567", street="Storgt. 1", postcode="0155"),
        person("Karianne", "Nordmann", born="1980-12-13", email="kari.nordmann@example.no"),
        person("Ola", "Hansen", born="1970-03-04", email="ola.hansen@example.no", street="Storgata 1",
               postcode="0155"),
    ]
    people += [person(f"Person{i}", f"Family{i % 7}", born=f"19{50 + i}-01-0{1 + i % 9}", postcode="0155",
                      street=f"Gate {i}") for i in range(12)]
    recs = records.load("person")
    ids = list(recs)
    result = batch.run("person", [recs[i] for i in ids])
    store.save_params(result.params)
    assert result.params.info.get("default") is None
    checked = 0
    for left, right, prob in zip(result.left, result.right, result.probability, strict=True):
        a, b = ids[left], ids[right]
        fast = dict((pid, p) for pid, p, _why in entry.score_against("person", recs[a], {b: recs[b]}))
        assert fast[b] == pytest.approx(float(prob), abs=1e-9)
        checked += 1
    assert checked >= 3
    kari, variant = people[0].pk, people[1].pk
    row = np.flatnonzero((np.array(ids)[result.left] == kari) & (np.array(ids)[result.right] == variant))
    assert len(row) == 1


def test_candidates_come_from_every_key_in_one_query_and_crowded_keys_are_ignored(
        monkeypatch: pytest.MonkeyPatch, django_assert_num_queries: Any) -> None:
    from kundebase.matching import blocking

    crowd = [person(f"Crowd{i}", "Hansen").pk for i in range(4)]
    pair = [person("Pair", f"Olsen{i}").pk for i in range(2)]
    BlockingKey.objects.bulk_create([BlockingKey(party_id=pid, key="t:crowded") for pid in crowd]
                                    + [BlockingKey(party_id=pid, key="t:rare") for pid in pair]
                                    + [BlockingKey(party_id=crowd[0], key="t:own")])
    monkeypatch.setattr(blocking, "MAX_BLOCK", 3)
    with django_assert_num_queries(1):
        found = entry.candidate_ids("person", ["t:crowded", "t:rare", "t:own", "t:none"], exclude_id=pair[1])
    assert found == sorted([pair[0], crowd[0]])  # the crowded key (4 > 3) gives nothing; the excluded id is out
    monkeypatch.setattr(blocking, "MAX_BLOCK", 4)
    assert entry.candidate_ids("person", ["t:crowded"]) == sorted(crowd)
    assert entry.candidate_ids("person", []) == []


def test_a_record_with_more_keys_than_one_statement_holds_is_asked_in_slices(monkeypatch: pytest.MonkeyPatch) -> None:
    target = person("Many", "Keys").pk
    BlockingKey.objects.create(party_id=target, key="t:last")
    monkeypatch.setattr(entry, "KEYS_PER_STATEMENT", 7)
    keys = [f"t:none{i}" for i in range(600)] + ["t:last"]
    assert entry.candidate_ids("person", keys) == [target]
