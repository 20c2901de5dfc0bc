"""Plain bulk inserts: what goes in comes back through the ORM exactly, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from kundebase.core.bulk import insert_rows
from kundebase.ingest.models import ImportJob, ImportRow, Source
from kundebase.matching.models import PendingParty
from kundebase.parties.models import Address, Party

pytestmark = pytest.mark.django_db


def _job() -> ImportJob:
    source = Source.objects.create(name="bulk test")
    return ImportJob.objects.create(source=source, entity="persons", file_name="f.csv", file_path="/nowhere",
                                    file_format="csv", content_hash="0" * 64)


def test_json_text_and_numbers_come_back_as_they_went_in() -> None:
    job = _job()
    rows = [{"job_id": job.pk, "line": n, "fingerprint": f"{n:064d}", "outcome": "error", "record_id": None,
             "raw": {"Navn": "Ærlige Åse", "n": n, "list": [1, "ø"]}, "problems": [["E-post", "ugyldig «x»"]],
             "candidates": []} for n in range(1, 4)]
    assert insert_rows(ImportRow, rows) == 3
    stored = list(ImportRow.objects.filter(job=job).order_by("line").values(*rows[0]))
    assert stored == rows
    assert insert_rows(ImportRow, []) == 0


def test_dates_and_times_keep_their_value_and_zone() -> None:
    party = Party.objects.create(kind="person", customer_number="B1", display_name="B", search_name="b")
    moment = timezone.now().replace(microsecond=123456)
    insert_rows(Address, [{"party_id": party.pk, "kind": "postal", "street": "Storgata 1", "postcode": "0155",
                           "city": "Oslo", "municipality": "", "region": "", "country": "NO", "is_primary": True,
                           "valid_from": dt.date(2024, 2, 29),
                           "created_at": moment, "updated_at": moment}])
    address = Address.objects.get(party=party)
    assert address.valid_from == dt.date(2024, 2, 29)
    assert address.created_at == moment and address.street == "Storgata 1"


@pytest.mark.parametrize("more", [0, 1000], ids=["one statement", "bulk path"])
def test_a_conflict_is_skipped_only_when_asked(more: int) -> None:
    """A few rows go as one multi-row INSERT, many by the engine's bulk path (COPY on PostgreSQL): both refuse
    a duplicate unless told to skip it."""
    now = timezone.now()
    extra = [{"party_id": 1000 + n, "queued_at": now} for n in range(more)]
    insert_rows(PendingParty, [{"party_id": 7, "queued_at": now}])
    assert insert_rows(PendingParty, [{"party_id": 7, "queued_at": now}, {"party_id": 8, "queued_at": now}],
                       ignore_conflicts=True) == 2
    assert sorted(PendingParty.objects.values_list("party_id", flat=True)) == [7, 8]
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows(PendingParty, [*extra, {"party_id": 9, "queued_at": now}, {"party_id": 7, "queued_at": now}])
    assert sorted(PendingParty.objects.values_list("party_id", flat=True)) == [7, 8]  # nothing half-written


def test_update_rows_gives_each_row_its_own_values_across_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    from kundebase.core import bulk
    from kundebase.ingest.models import Event

    source = Source.objects.create(name="update test")
    now = timezone.now()
    events = Event.objects.bulk_create(Event(source=source, message_id=f"m{n}", type="page", payload={"n": n},
                                             received_at=now, claimed_by="w1", claimed_at=now) for n in range(7))
    party = Party.objects.create(kind="person", display_name="P")
    monkeypatch.setattr(bulk, "UPDATE_CHUNK", 3)  # the last chunk has no party at all: NULL still has a type
    done = now + dt.timedelta(seconds=5)
    rows = [{"id": e.pk, "processed_at": done, "party_id": party.pk if n < 3 else None, "error": f"e{n}",
             "claimed_by": "", "claimed_at": None} for n, e in enumerate(events)]
    assert bulk.update_rows(Event, rows) == 7
    got = {e.pk: e for e in Event.objects.filter(source=source)}
    for n, event in enumerate(events):
        row = got[event.pk]
        assert row.processed_at == done and row.error == f"e{n}" and row.claimed_by == "" and row.claimed_at is None
        assert row.party_id == (party.pk if n < 3 else None)


def test_insert_returning_gives_the_ids_in_order_and_stores_what_bulk_create_would() -> None:
    from kundebase.core.bulk import insert_returning
    from kundebase.interactions.models import Interaction

    parties = [Party.objects.create(kind="person", customer_number=f"R{n}", display_name=f"P{n}") for n in range(3)]
    moment = timezone.now().replace(microsecond=654321)
    rows = [{"party_id": parties[n % 3].pk, "kind": "web_visit", "channel": "web", "direction": "in",
             "occurred_at": moment - dt.timedelta(minutes=n), "subject": f"Side «{n}»", "body": "",
             "source": "shop", "source_record_id": f"m-{n}", "handled_by": None,
             # varying JSON (one row with a value, the rest empty) and constant text go their own ways
             "custom_fields": {"vekt": n} if n == 4 else {}} for n in range(5)]
    ids = insert_returning(Interaction, rows)
    assert len(ids) == 5 and ids == sorted(ids)
    stored = {i.pk: i for i in Interaction.objects.filter(pk__in=ids)}
    for pk, row in zip(ids, rows, strict=True):
        got = stored[pk]
        assert (got.party_id, got.subject, got.occurred_at, got.custom_fields, got.source_record_id) == (
            row["party_id"], row["subject"], row["occurred_at"], row["custom_fields"], row["source_record_id"])
        assert got.outcome == "" and got.follow_up_on is None and got.handled_by_id is None  # the defaults
        assert got.created_at is not None and got.updated_at is not None
    one = insert_returning(Interaction, [rows[0]])  # a single row: every column a constant
    assert Interaction.objects.get(pk=one[0]).subject == "Side «0»"
    assert insert_returning(Interaction, []) == []


def test_a_batch_marks_its_events_processed_with_their_own_outcome() -> None:
    from kundebase.ingest.event_writes import record_outcomes
    from kundebase.ingest.models import Event

    source = Source.objects.create(name="outcome test")
    now = timezone.now()
    events = Event.objects.bulk_create(Event(source=source, message_id=f"m{n}", type="page", payload={"n": n},
                                             received_at=now, claimed_by="w1", claimed_at=now) for n in range(4))
    party = Party.objects.create(kind="person", display_name="P")
    done = now + dt.timedelta(seconds=5)
    record_outcomes({e.pk: (party.pk if n % 2 else None, "" if n < 3 else "Ugyldig «pris»\\ 'x'")
                     for n, e in enumerate(events)}, done)
    for n, event in enumerate(Event.objects.filter(source=source).order_by("id")):
        assert event.processed_at == done and event.claimed_by == "" and event.claimed_at is None
        assert event.party_id == (party.pk if n % 2 else None)
        assert event.error == ("" if n < 3 else "Ugyldig «pris»\\ 'x'")
