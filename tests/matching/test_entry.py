"""The duplicate check at entry: blocking keys kept on save, candidates with reasons, same score as batch."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from kundebase.matching import batch, blocking, entry, fields, records, store
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


def _keys(party_id: int) -> set[str]:
    return set(BlockingKey.objects.filter(party_id=party_id).values_list("key", flat=True))


def test_a_contact_point_or_address_added_changed_or_removed_changes_the_blocking_keys() -> None:
    from kundebase.parties import services

    kari = _kari()
    cp = services.add_contact_point(party_id=kari.pk, data={"kind": "mobile", "value": "+47 900 11 222"})
    assert any(k.endswith("+4790011222") for k in _keys(kari.pk))  # found by the new phone at once
    services.update_contact_point(party_id=kari.pk, contact_point_id=cp.pk, data={"value": "+47 900 11 333"})
    assert any(k.endswith("+4790011333") for k in _keys(kari.pk))
    assert not any(k.endswith("+4790011222") for k in _keys(kari.pk))  # no longer found by the old one
    services.remove_contact_point(party_id=kari.pk, contact_point_id=cp.pk)
    assert not any(k.endswith("+4790011333") for k in _keys(kari.pk))
    address = services.add_address(party_id=kari.pk, data={"street": "Fjordveien 9", "postcode": "5003",
                                                            "city": "Bergen", "country": "NO",
                                                            "is_primary": True})
    assert any("5003" in k for k in _keys(kari.pk)) and not any("0155" in k for k in _keys(kari.pk))
    services.remove_address(party_id=kari.pk, address_id=address.pk)
    assert any("0155" in k for k in _keys(kari.pk)) and not any("5003" in k for k in _keys(kari.pk))


def test_changes_told_together_tell_the_hooks_once_at_the_end_and_not_at_all_after_an_error(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from kundebase.core import hooks
    from kundebase.parties import services

    kari, ola = _kari(), person("Ola", "Nordmann", born="1975-01-02", email="ola@example.no")
    told: list[tuple[list[int], bool]] = []
    monkeypatch.setattr(hooks, "party_saved", [*hooks.party_saved,
                                               lambda *, party_ids, created: told.append((party_ids, created))])
    with services.changes_told_together():
        services.update_person(party_id=kari.pk, changes={"family_name": "Hansen"})
        services.add_contact_point(party_id=ola.pk, data={"kind": "mobile", "value": "+47 900 11 222"})
        services.update_person(party_id=ola.pk, changes={"given_name": "Olav"})
        assert told == []  # nothing told yet: the keys are still the old ones
        assert "3:hansen|kari" not in _keys(kari.pk)
    assert told == [(sorted([kari.pk, ola.pk]), False)]
    assert "3:hansen|kari" in _keys(kari.pk) and any(k.endswith("+4790011222") for k in _keys(ola.pk))
    told.clear()
    with pytest.raises(RuntimeError), services.changes_told_together():
        services.update_person(party_id=kari.pk, changes={"family_name": "Berg"})
        raise RuntimeError("the chunk failed")
    assert told == []


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


def _crowd_and_pair(monkeypatch: pytest.MonkeyPatch) -> tuple[list[int], list[int]]:
    """Four customers sharing a key over the (lowered) block limit of 3, two sharing a rare key, one own key."""
    crowd = [person(f"Crowd{i}", "Hansen").pk for i in range(4)]
    pair = [person("Pair", f"Olsen{i}").pk for i in range(2)]
    BlockingKey.objects.bulk_create([BlockingKey(party_id=pid, key="t:crowded") for pid in crowd]
                                    + [BlockingKey(party_id=pid, key="t:rare") for pid in pair]
                                    + [BlockingKey(party_id=crowd[0], key="t:own")])
    monkeypatch.setattr(blocking, "MAX_BLOCK", 3)
    return crowd, pair


def test_candidates_come_from_every_key_in_one_query_and_crowded_keys_are_ignored(
        monkeypatch: pytest.MonkeyPatch, django_assert_num_queries: Any) -> None:
    crowd, pair = _crowd_and_pair(monkeypatch)
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
    monkeypatch.setattr(entry, "KEYS_PER_ARRAY", 7)
    keys = [f"t:none{i}" for i in range(600)] + ["t:last"]
    assert entry.candidate_ids("person", keys) == [target]


def test_candidates_of_many_records_come_from_one_question_per_distinct_key(
        monkeypatch: pytest.MonkeyPatch, django_assert_num_queries: Any) -> None:
    crowd, pair = _crowd_and_pair(monkeypatch)
    asked = [["t:crowded", "t:rare"], ["t:own"], [], ["t:rare", "t:own", "t:none"], ["t:crowded"]]
    with django_assert_num_queries(1):
        together = entry.candidate_ids_many("person", asked, exclude_id=pair[1])
    assert together == [entry.candidate_ids("person", keys, exclude_id=pair[1]) for keys in asked]
    assert together == [[pair[0]], [crowd[0]], [], sorted([pair[0], crowd[0]]), []]


def test_records_keys_of_many_records_are_each_records_own_keys() -> None:
    recs = [
        {"given_name": "Kari", "family_name": "Nordmann", "birth_date": "1980-12-31", "phone": "+4741234567",
         "email": "kari@example.no", "street": "Storgata 1", "postcode": "0155", "country": "NO",
         "extra_phones": ["+4790000001"], "extra_emails": ["kari.n@example.com", "k@example.org"]},
        {"given_name": "István", "family_name": "Nagy", "birth_date": "1975-02-03", "country": "HU",
         "extra_phones": ["06 30 123 4567"]},
        {"given_name": "Kari", "family_name": "Nordmann", "postcode": "0155"},
        {},
    ]
    together = store.records_keys("person", recs)
    assert together == [store.record_keys("person", rec) for rec in recs]
    assert any(k.endswith("+4790000001") for k in together[0])
    assert sum(k.endswith("@example.org") or k.endswith("kari.n@example.com") for k in together[0]) == 2
    assert store.records_keys("person", []) == []


def test_scoring_many_records_at_once_gives_each_the_score_it_gets_alone() -> None:
    people = [
        _kari(),
        person("Kari", "Nordman", born="1980-12-31", phone="41234567", street="Storgt. 1", postcode="0155"),
        person("Ola", "Hansen", born="1970-03-04", email="ola.hansen@example.no", street="Storgata 1",
               postcode="0155"),
        person("Karianne", "Nordmann", born="1980-12-13", email="kari.nordmann@example.no"),
    ]
    recs = records.load("person")
    ids = [p.pk for p in people]
    asked = [{"given_name": "Kari", "family_name": "Nordmann", "birth_date": "1980-12-31", "phone": "+4741234567"},
             {"given_name": "Ola", "family_name": "Hansen", "street": "Storgata 1", "postcode": "0155"},
             {"given_name": "Nobody", "family_name": "Else"}]
    candidates = [ids, ids[1:3], []]
    many = entry.score_many("person", fields.prepare(asked), candidates,
                            entry.Prepared({pid: recs[pid] for pid in ids}), explain_from=0.5)
    alone = [entry.score_against("person", rec, {pid: recs[pid] for pid in cands}, explain_from=0.5)
             for rec, cands in zip(asked, candidates, strict=True)]
    assert [[pid for pid, _p, _w in found] for found in many] == candidates
    for got, want in zip(many, alone, strict=True):
        assert [(pid, why) for pid, _p, why in got] == [(pid, why) for pid, _p, why in want]
        assert [p for _pid, p, _w in got] == pytest.approx([p for _pid, p, _w in want], abs=1e-12)
    assert many[0][0][1] > 0.9 and many[0][0][2]  # Kari herself: likely, with reasons in words
