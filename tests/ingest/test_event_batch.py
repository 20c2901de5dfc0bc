"""Events processed a batch at a time give what they give one by one, with a few statements per batch."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kundebase.ingest import events
from kundebase.ingest.models import Event
from tests.ingest.test_events_http import identify, post

pytestmark = pytest.mark.django_db


@pytest.fixture
def write_key(db, settings):
    from kundebase.ingest import services
    from kundebase.orders.models import Product

    settings.KUNDEBASE_EVENT_PROCESSING = "off"  # stored only; the test works the queue itself
    Product.objects.create(sku="BOOT-1", name="Fjellstøvel", list_price="2000", unit_cost="1000")
    return services.add_source(name="webshop")[1]


def page(anon=None, user=None, name="Boots", n=0):
    return {"type": "page", "anonymousId": anon, "userId": user, "name": name, "messageId": f"p-{anon}-{user}-{n}",
            "properties": {"url": f"https://shop.example.no/{name.lower()}"}, "timestamp": "2026-11-01T10:00:00Z"}


def order(user, number, **props):
    return {"type": "track", "userId": user, "event": "Order Completed", "messageId": f"o-{number}",
            "properties": {"order_id": number, "currency": "NOK", **props}, "timestamp": "2026-11-02T10:00:00Z"}


MIX = [
    page(anon="anon-1", n=1),
    {"type": "track", "anonymousId": "anon-1", "event": "Product Viewed", "messageId": "t-1",
     "properties": {"sku": "BOOT-1"}},
    order(None, "ANON-1", revenue=50) | {"anonymousId": "anon-1", "userId": None},
    identify("user-1", "anon-1", email="Kari.Nordmann@example.no", firstName="Kari", lastName="Nordmann",
             phone="+47 412 34 567", address={"street": "Storgata 1", "postalCode": "0155", "city": "Oslo"}),
    page(user="user-1", n=2),
    order("user-1", "SHOP-1", products=[{"sku": "BOOT-1", "name": "Boots", "price": 99.5, "quantity": 2},
                                        {"name": "Socks", "price": 10}]),
    order("user-1", "SHOP-1", revenue=1) | {"messageId": "o-again"},  # the same order again: nothing new
    order("user-1", "", revenue=30),  # no number: one is allocated
    identify("user-2", email="ola@example.no", lastName="Hansen"),
    identify("user-3", email="OLA@example.no", firstName="Ola"),  # the same e-mail: the same person
    identify("user-1", firstName="Kari", lastName="Nordmann-Berg"),  # an update of a person from this batch
    page(user="nobody", n=3),  # an unknown user: waits, and is never joined (it has no anonymous id)
    identify("nobody"),  # traits without a name or contact: no person
    {"type": "track", "userId": "user-2", "event": "Offer Accepted", "messageId": "acc-1",
     "properties": {"offer_id": "1"}},
    {"type": "group", "userId": "user-2", "groupId": "g-1", "messageId": "g-1",
     "traits": {"name": "Hansen AS", "orgNumber": "923609016"}},
    {"type": "alias", "previousId": "anon-9", "userId": "user-2", "messageId": "al-1"},
    page(anon="anon-9", n=4),  # aliased before: on Ola's timeline
    identify("phone-only", phone="+47 900 11 222"),  # known only by phone: the number stands in for the name
    order("user-2", "BAD-1", products=[{"sku": "BOOT-1", "quantity": -1}]),  # refused: a dead letter
    page(user="user-2", name="After", n=5),
]


def _snapshot() -> dict[str, Any]:
    """Everything the events wrote, with customers named by their display name (ids differ between runs)."""
    from kundebase.core.models import Observation
    from kundebase.ingest.models import Identity
    from kundebase.interactions.models import Interaction
    from kundebase.orders.models import Order, OrderLine
    from kundebase.parties.models import Address, Company, ContactPoint, ContactRole, Party, Person
    from kundebase.privacy.models import ConsentEvent

    name = dict(Party.objects.values_list("pk", "display_name"))
    return {
        "persons": sorted(Person.objects.values_list("display_name", "given_name", "family_name", "status",
                                                     "birth_date")),
        "companies": sorted(Company.objects.values_list("display_name", "org_number")),
        "roles": sorted((name[p], name[c]) for p, c in ContactRole.objects.values_list("person_id", "company_id")),
        "contact_points": sorted((name[p], k, v, prim) for p, k, v, prim in ContactPoint.objects.values_list(
            "party_id", "kind", "normalised", "is_primary")),
        "addresses": sorted((name[p], s, c) for p, s, c in Address.objects.values_list("party_id", "street", "city")),
        "identities": sorted((k, v, name.get(p)) for k, v, p in Identity.objects.values_list("kind", "value",
                                                                                             "party_id")),
        "orders": sorted((n, name[p], str(r), cur, ch, src) for n, p, r, cur, ch, src in Order.objects.values_list(
            "order_number", "party_id", "revenue", "currency", "channel", "source")),
        "lines": sorted((o, d, str(q), str(r), s or "") for o, d, q, r, s in OrderLine.objects.values_list(
            "order__order_number", "description", "quantity", "revenue", "product__sku")),
        "interactions": sorted((name[p], k, s, b, o.isoformat(), m) for p, k, s, b, o, m in
                               Interaction.objects.values_list("party_id", "kind", "subject", "body", "occurred_at",
                                                               "source_record_id")),
        "events": sorted((m, name.get(p), bool(e), at is not None) for m, p, e, at in Event.objects.values_list(
            "message_id", "party_id", "error", "processed_at")),
        # The bulk writer notes the values given (not empty ones, nor the default status) and also the address a
        # person was created with, as an import does: what the events said is all there.
        "provenance": sorted((name.get(r), f, v, s, sr) for r, f, v, s, sr in Observation.objects.filter(
            entity="person").exclude(field__in=("address", "status")).exclude(value="").values_list(
                "record_id", "field", "value", "source", "source_record_id")),
        "consents": ConsentEvent.objects.count(),
    }


class _Undo(Exception):
    pass


def _processed(client, key, batches: list[list[dict]], *, one_by_one: bool, size: int = 500) -> dict[str, Any]:
    """Send the batches, process them, snapshot what they wrote; then undo it all (for the other path)."""
    out: dict[str, Any] = {}
    try:
        with transaction.atomic():
            for batch in batches:
                timed = [{"timestamp": "2026-11-03T10:00:00Z", **m} for m in batch]  # not the time received
                assert post(client, "/v1/batch", {"batch": timed}, key).status_code == 200
                events.process(one_by_one=one_by_one, batch_size=size)
            out.update(_snapshot())
            raise _Undo
    except _Undo:
        return out


@pytest.mark.parametrize("size", [500, 3])
def test_a_batch_gives_what_the_events_give_one_by_one(client, write_key, size):
    # Two deliveries: the second finds the first's customers, identities and waiting visitors stored.
    second = [page(anon="anon-2", n=6), identify("user-4", "anon-2", email="kari.nordmann@example.no"),
              order("user-3", "SHOP-2", revenue=10), page(user="user-1", name="Again", n=7),
              identify("user-1", phone="+47 913 00 000"), identify("user-1", lastName="Nordmann", gender="female"),
              identify("user-2", email="ola@example.no", lastName="Hansen"),  # known persons, twice in a batch
              # a known person's new address is added once; an address the person has is not added again
              identify("user-2", address={"street": "Kirkeveien 3", "postalCode": "0360", "city": "Oslo"})
              | {"messageId": "moved-1"},
              identify("user-2", address={"street": "kirkeveien 3", "postalCode": "0360", "city": "Oslo"})
              | {"messageId": "moved-2"},
              identify("user-1", address={"street": "Storgata 1", "postalCode": "0155", "city": "Oslo"})
              | {"messageId": "stayed"}]
    reference = _processed(client, write_key, [MIX, second], one_by_one=True)
    batched = _processed(client, write_key, [MIX, second], one_by_one=False, size=size)
    assert reference["persons"] and reference["orders"] and reference["interactions"]  # the fixture does work
    assert sum(1 for e in reference["events"] if e[2]) == 1  # the refused order is the one dead letter
    assert [a for a in reference["addresses"] if a[1] in ("Kirkeveien 3", "Storgata 1")] == [
        ("Hansen", "Kirkeveien 3", "Oslo"), ("Kari Nordmann-Berg", "Storgata 1", "Oslo")], reference["addresses"]
    for part in reference:
        assert batched[part] == reference[part], part


def test_a_batch_costs_a_few_statements_not_a_score_per_event(client, write_key):
    def queries(n: int, tag: str) -> int:
        batch = [identify(f"{tag}-u{i}", email=f"{tag}{i}@example.no", lastName=f"N{i}") for i in range(n)]
        batch += [page(user=f"{tag}-u{i}", n=i) for i in range(n)]
        batch += [order(f"{tag}-u{i}", f"{tag}-O{i}", revenue=10) for i in range(n)]
        assert post(client, "/v1/batch", {"batch": batch}, write_key).status_code == 200
        with CaptureQueriesContext(connection) as seen:
            assert events.process() == 3 * n
        return len(seen)

    small, large = queries(5, "a"), queries(50, "b")
    assert large <= small + 10, (small, large)  # ten times the events, (almost) the same statements
    assert large < 70, large


def test_a_batch_tells_the_customers_it_changed_once_and_their_new_phones_find_them(client, write_key, monkeypatch):
    from kundebase.core import hooks
    from kundebase.matching.models import BlockingKey
    from kundebase.parties.models import Person

    first = [identify(f"known-{i}", email=f"known{i}@example.no", lastName=f"Berg{i}") for i in range(3)]
    assert post(client, "/v1/batch", {"batch": first}, write_key).status_code == 200
    assert events.process() == 3
    told: list[tuple[list[int], bool]] = []
    monkeypatch.setattr(hooks, "party_saved", [*hooks.party_saved,
                                               lambda *, party_ids, created: told.append((party_ids, created))])
    later = [identify(f"known-{i}", phone=f"+47 900 11 22{i}", address={"street": f"Storgata {i}",
                                                                       "postalCode": "0155", "city": "Oslo"})
             | {"messageId": f"again-{i}"} for i in range(3)]
    assert post(client, "/v1/batch", {"batch": later}, write_key).status_code == 200
    assert events.process() == 3
    known = sorted(Person.objects.values_list("pk", flat=True))
    # one call for the batch's changed customers, after its writes (not one per phone and address added)
    assert [call for call in told if not call[1]] == [(known, False)]
    for i, pk in enumerate(Person.objects.order_by("family_name").values_list("pk", flat=True)):
        keys = set(BlockingKey.objects.filter(party_id=pk).values_list("key", flat=True))
        assert any(k.endswith(f"+479001122{i}") for k in keys), keys
        # the address a known person's identify brings is added, as an import's row adds it
        assert list(Person.objects.get(pk=pk).addresses.values_list("street", flat=True)) == [f"Storgata {i}"]


@pytest.mark.parametrize("one_by_one", [False, True])
def test_an_identify_that_changes_a_known_person_and_adds_phones_is_one_version(client, write_key, one_by_one):
    from kundebase.core.models import AuditEntry, Observation
    from kundebase.parties.models import Person

    assert post(client, "/v1/batch", {"batch": [identify("kari", email="kari@example.no", lastName="Nordmann")]},
                write_key).status_code == 200
    events.process(one_by_one=one_by_one)
    kari = Person.objects.get()
    version, entries = kari.version, AuditEntry.objects.filter(party_id=kari.pk).count()
    again = identify("kari", firstName="Kari", lastName="Nordmann", phone="+47 900 11 222") | {"messageId": "2"}
    assert post(client, "/v1/batch", {"batch": [again]}, write_key).status_code == 200
    events.process(one_by_one=one_by_one)
    kari.refresh_from_db()
    assert kari.given_name == "Kari" and kari.version == version + 1
    added = list(AuditEntry.objects.filter(party_id=kari.pk).order_by("pk"))[entries:]
    assert len(added) == 1, [(a.action, a.fields) for a in added]
    assert {"given_name", "contact_points.phone"} <= set(added[0].fields)
    assert set(kari.contact_points.values_list("normalised", flat=True)) == {"kari@example.no", "+4790011222"}
    assert {"given_name", "phone"} <= set(Observation.objects.filter(record_id=kari.pk, entity="person")
                                             .values_list("field", flat=True))


def test_one_audit_entry_names_every_record_and_the_access_report_shows_it(client, write_key):
    from kundebase.core import audit
    from kundebase.core.models import AuditEntry, AuditRecord
    from kundebase.parties.models import Person
    from kundebase.privacy import access

    post(client, "/v1/batch", {"batch": MIX}, write_key)
    before = AuditEntry.objects.count()
    events.process()
    batch_entries = AuditEntry.objects.filter(entity="event_batch")
    assert batch_entries.count() == 1
    entry = batch_entries.get()
    kari = Person.objects.get(family_name="Nordmann-Berg")
    named = set(entry.records.filter(party_id=kari.pk).values_list("entity", flat=True))
    assert named == {"person", "order", "interaction"}
    assert AuditEntry.objects.count() - before < 10  # not one per order and timeline entry
    report = access.collect(kari.pk)
    assert any(row["entity"] == "event_batch" for row in report["audit_entries"])
    assert audit.verify().ok
    AuditRecord.objects.filter(entry=entry, party_id=kari.pk).first().delete()  # someone hides a record
    assert not audit.verify().ok


def test_a_refused_bulk_write_is_retried_event_by_event(client, write_key, monkeypatch):
    from kundebase.ingest import event_batch
    from kundebase.parties.models import Person

    post(client, "/v1/batch", {"batch": MIX}, write_key)
    real = event_batch.Batch.write

    def refused(self):
        real(self)
        with connection.cursor() as cursor:  # the database refuses the batch's writes as a whole
            cursor.execute("INSERT INTO ingest_event (id) VALUES (NULL)")

    monkeypatch.setattr(event_batch.Batch, "write", refused)
    assert events.process() == len(MIX)
    assert Person.objects.count() == 3 and not Event.objects.filter(processed_at__isnull=True).exists()
    assert Event.objects.exclude(error="").count() == 1


def test_sqlite_claims_skip_a_live_worker_and_take_over_a_dead_one(client, write_key, backend):
    if backend != "sqlite":
        pytest.skip("PostgreSQL claims with row locks (FOR UPDATE SKIP LOCKED): see the concurrency test")
    from kundebase.ingest import event_queue

    post(client, "/v1/batch", {"batch": [page(user=f"u{i}", n=i) for i in range(4)]}, write_key)
    first, second = list(Event.objects.order_by("id").values_list("pk", flat=True))[:2]
    Event.objects.filter(pk=first).update(claimed_by="alive", claimed_at=timezone.now())
    Event.objects.filter(pk=second).update(claimed_by="dead", claimed_at=timezone.now() - dt.timedelta(hours=1))
    claimed, token = event_queue._claim(None, 10)
    assert first not in claimed and second in claimed and len(claimed) == 3
    assert set(Event.objects.filter(claimed_by=token).values_list("pk", flat=True)) == set(claimed)
    assert events.process() == 0  # all four are held
    Event.objects.update(claimed_by="", claimed_at=None)
    assert events.process() == 4


@pytest.mark.django_db(transaction=True)
def test_two_workers_on_one_queue_process_each_event_exactly_once(client, write_key, backend):
    if backend != "postgresql":
        pytest.skip("the SQLite test database is in memory (shared cache), which raises table locks instead of "
                    "waiting like the production file does; concurrent workers are tested on PostgreSQL")
    import threading

    from kundebase.interactions.models import Interaction
    from kundebase.orders.models import Order
    from kundebase.parties.models import Person

    users = 30
    known = [identify(f"u{i}", email=f"p{i}@example.no", lastName=f"N{i}") for i in range(users)]
    assert post(client, "/v1/batch", {"batch": known}, write_key).status_code == 200
    events.process()
    mix = []
    for i in range(300):
        user = f"u{i % users}"
        if i % 10 == 9:
            mix.append(order(user, f"C-{i}", revenue=10))
        elif i % 10 == 8:
            mix.append(identify(f"new-{i}", email=f"new{i}@example.no", lastName=f"M{i}"))
        else:
            mix.append(page(user=user, n=i))
    for start in range(0, len(mix), 100):
        assert post(client, "/v1/batch", {"batch": mix[start:start + 100]}, write_key).status_code == 200
    done: list[int] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def worker() -> None:
        try:
            barrier.wait(timeout=10)
            total = 0
            while count := events.process(batch_size=25):
                total += count
            done.append(total)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert sum(done) == len(mix) and all(done), done  # both worked, together each event once
    assert not Event.objects.filter(processed_at__isnull=True).exists()
    assert not Event.objects.exclude(error="").exists()
    pages = [m["messageId"] for m in mix if m["type"] == "page"]
    assert sorted(Interaction.objects.values_list("source_record_id", flat=True)) == sorted(pages)
    assert Order.objects.count() == 30 and Person.objects.count() == users + 30


@pytest.mark.parametrize("one_by_one", [True, False])
@pytest.mark.parametrize("together", [True, False])
def test_a_users_events_sent_before_the_identify_join_the_timeline(client, write_key, one_by_one, together):
    """A shop may send a user's ``track`` before its ``identify`` (and two workers may take them out of order):
    the events wait for the user to be known and then go on the person's timeline, in one batch or two."""
    from kundebase.interactions.models import Interaction
    from kundebase.orders.models import Order

    early = [{"type": "track", "userId": "late-user", "event": "Newsletter Opened", "messageId": "nl-1",
              "properties": {"issue": 3}},
             order("late-user", "EARLY-1", revenue=40),
             {"type": "track", "userId": "someone-else", "event": "Newsletter Opened", "messageId": "nl-2"}]
    known = [identify("late-user", email="sent.late@example.no", firstName="Sent", lastName="Late")]
    deliveries = [early + known] if together else [early, known]
    for delivery in deliveries:
        assert post(client, "/v1/batch", {"batch": delivery}, write_key).status_code == 200
        events.process(one_by_one=one_by_one)
    person = Event.objects.get(message_id="m-late-user-None").party_id
    assert person
    assert set(Interaction.objects.filter(party_id=person).values_list("source_record_id", flat=True)) >= {"nl-1"}
    assert Order.objects.get(order_number="EARLY-1").party_id == person
    assert Event.objects.get(message_id="nl-1").party_id == person
    assert Event.objects.get(message_id="nl-2").party_id is None  # another user's: still waiting


@pytest.mark.django_db(transaction=True)
def test_a_batch_waits_for_another_batch_holding_its_visitors(client, write_key, backend):
    """Two PostgreSQL workers side by side: the one holding a user's ``identify`` uncommitted makes the one that
    took the user's next ``track`` wait, so the ``track`` finds its customer instead of being stored without."""
    if backend != "postgresql":
        pytest.skip("SQLite runs writing transactions one at a time: there is nothing to wait for")
    import threading

    from kundebase.ingest import event_queue
    from kundebase.interactions.models import Interaction

    track = {"type": "track", "userId": "busy-user", "event": "Newsletter Opened", "messageId": "nl-busy"}
    known = identify("busy-user", email="busy@example.no", firstName="Busy", lastName="User")
    for message in (known, track):
        assert post(client, "/v1/batch", {"batch": [message]}, write_key).status_code == 200
    first, second = Event.objects.order_by("id").values_list("pk", flat=True)
    finished = threading.Event()
    errors: list[BaseException] = []

    def other_worker() -> None:
        try:
            event_queue.run([second], 1)
            finished.set()
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    with transaction.atomic():  # the first worker's batch, not committed yet
        assert event_queue.run([first], 1) == 1
        thread = threading.Thread(target=other_worker)
        thread.start()
        assert not finished.wait(1.0), "the track was processed while its user's identify was uncommitted"
    thread.join(timeout=30)
    assert not errors, errors
    assert finished.is_set()
    person = Event.objects.get(pk=first).party_id
    assert person and Event.objects.get(pk=second).party_id == person
    assert Interaction.objects.filter(party_id=person, source_record_id="nl-busy").exists()
