"""Processing tracking events a batch at a time: a few set-based statements instead of some twenty per event.

A claimed batch (:mod:`kundebase.ingest.event_queue`) is worked in arrival order by the same handlers that
process a single event (:mod:`kundebase.ingest.events`), with :class:`Batch` as their unit of work:
identities, contact points, known persons' fields and provenance, order numbers, products, customers' states
and the visitors' waiting events are looked up once for the whole batch; new persons, orders, order lines,
timeline entries, provenance, identities and the events' outcomes are written with one bulk statement each at
the end, with one audit entry naming every record the batch wrote.

An event whose content the services refuse (or that trips over anything else) becomes a dead letter and its
collected writes are dropped; the rest of the batch lands.
"""

from __future__ import annotations

import contextlib
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from django.db import InterfaceError, OperationalError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kundebase.core import identifiers
from kundebase.core.errors import ErrorCollector, NotFound
from kundebase.core.provenance import SourceRef
from kundebase.ingest import events
from kundebase.ingest.event_persons import create_persons
from kundebase.ingest.models import Event, Identity, Source
from kundebase.parties.validation import address_key

log = logging.getLogger(__name__)
IDENTITY_KINDS = tuple(Identity.Kind.values)
DIRECT_TYPES = ("group",)
"""Events whose handling writes through the services (companies, roles): each runs in a savepoint of its own.
An identify's writes to a known person have theirs (:meth:`Batch.writing`); everything else only collects
writes, which a failure simply drops."""


class Pending:
    """A person the batch creates, before it is written: the batch's references to it get its id then."""

    __slots__ = ("pk",)

    def __init__(self) -> None:
        self.pk: int | None = None

    def __repr__(self) -> str:
        return f"<new person {self.pk or '(not written)'}>"


def as_id(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, Pending):
        if value.pk is None:
            raise RuntimeError("a new person of the batch was referenced before it was written")
        return value.pk
    return int(value)


def with_sources(batch: list[Event]) -> list[Event]:
    """Give the events their sources, each read once: a batch comes from one source or a few, and a source
    joined to every row costs a model instance (and its timestamps parsed) per event."""
    sources = Source.objects.in_bulk({e.source_id for e in batch})
    cache = Event.source.field.set_cached_value
    for event in batch:
        cache(event, sources[event.source_id])
    return batch


# --- the unit of work of one batch ------------------------------------------------------------------------------


class Batch(events.Direct):
    """Answers the handlers' look-ups from what was loaded for the whole batch; collects their writes."""

    def __init__(self, batch: list[Event]) -> None:
        self.batch = batch
        self.undo: list[Callable[[], None]] = []
        self.identities: dict[tuple[int, str, str], Any] = {}
        self.stored: dict[tuple[int, str, str], int | None] = {}
        self.looked_up: set[tuple[int, str]] = set()
        self.contact_points: dict[str, set[Any]] = defaultdict(set)
        self.parties: dict[int, bool] = {}
        self.numbers: set[str] = set()
        self.products: dict[str, Any] = {}
        self.skus_checked: set[str] = set()
        self.waiting_stored: dict[tuple[int, str, str], list[Event]] = defaultdict(list)
        self.joined_stored: dict[int, Any] = {}
        self.results: dict[int, tuple[Any, str]] = {}
        self.traits: dict[int, tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]] = {}
        self.likely: dict[int, Any] = {}
        self.blocked: dict[int, str | None] = {}
        self.new_persons: list[tuple[Pending, Event, dict[str, Any], list[dict[str, Any]], list[dict[str, Any]],
                                     SourceRef]] = []
        self.unwritten = 0
        self.unwritten_names: set[str] = set()
        self.likely_stale = False
        self.orders: list[tuple[Event, Any, Any, list[dict[str, Any]]]] = []
        self.interactions: list[tuple[Event, Any, dict[str, Any], list[str]]] = []
        self.touched: set[Any] = set()
        self.person_rows: dict[int, dict[str, Any] | None] = {}
        self.stored_candidates: dict[int, dict[str, list[Any]]] = {}
        self.observations: list[dict[str, Any]] = []
        self.party_contact_points: dict[int, set[str]] = {}
        self.party_addresses: dict[int, set[tuple[str, str]]] = {}
        # the batch's own sources are read already (with_sources): their priorities need no look-up of their own
        self.priorities: dict[str, int] = {e.source.name: e.source.priority for e in batch}

    # -- bookkeeping --

    def _set(self, mapping: dict[Any, Any], key: Any, value: Any) -> None:
        if key in mapping:
            old = mapping[key]
            self.undo.append(lambda: mapping.__setitem__(key, old))
        else:
            self.undo.append(lambda: mapping.pop(key, None))
        mapping[key] = value

    def _append(self, items: list[Any], item: Any) -> None:
        items.append(item)
        self.undo.append(items.pop)

    def rollback(self, mark: int) -> None:
        while len(self.undo) > mark:
            self.undo.pop()()

    # -- loading what the batch will ask --

    def prepare(self) -> None:
        from kundebase.orders.models import Order
        from kundebase.parties.models import ContactPoint, Party

        values: dict[int, set[str]] = defaultdict(set)
        joinable: dict[int, set[str]] = defaultdict(set)  # ids whose waiting events an identify or alias may join
        for event in self.batch:
            payload = event.payload if isinstance(event.payload, dict) else {}
            for value in (event.user_id, event.anonymous_id, payload.get("previousId"), payload.get("groupId")):
                if value not in (None, ""):
                    values[event.source_id].add(str(value)[:200])
            if event.type in ("identify", "alias"):
                joinable[event.source_id].update(
                    str(v)[:200] for v in (event.user_id, event.anonymous_id, payload.get("previousId")) if v)
            if event.type == "identify":
                self._read_traits(event)
        query = Q()
        for source_id, vals in values.items():
            # the kinds named too, so the look-up walks the (source, kind, value) index instead of every
            # identity of the source
            query |= Q(source_id=source_id, kind__in=IDENTITY_KINDS, value__in=vals)
            self.looked_up.update((source_id, v) for v in vals)
        if values:
            for source_id, kind, value, party_id in Identity.objects.filter(query).values_list(
                    "source_id", "kind", "value", "party_id"):
                self.identities[(source_id, kind, value)] = self.stored[(source_id, kind, value)] = party_id
        ours = [e.pk for e in self.batch]
        for source_id, vals in joinable.items():
            for kind in ("anonymous", "user"):
                stored = events.waiting_events(Event.objects.filter(source_id=source_id), kind, vals)
                for event in with_sources(list(stored.exclude(pk__in=ours).order_by("id"))):
                    self.waiting_stored[(source_id, kind, event.user_id if kind == "user"
                                         else event.anonymous_id)].append(event)
        normalised = {cp["normalised"] for _d, cps, _a in self.traits.values() for cp in cps}
        if normalised:
            for value, party_id in ContactPoint.objects.filter(
                    normalised__in=normalised, party__kind="person", party__merged_into__isnull=True).values_list(
                    "normalised", "party_id"):
                self.contact_points[value].add(party_id)
        parties = {p for p in self.stored.values() if p} | {p for ps in self.contact_points.values() for p in ps}
        self._load_parties(parties)
        numbers: set[str] = set()
        skus: set[str] = set()
        orders = [e for e in self.batch if self._is_order(e)]
        orders += [e for waiting in self.waiting_stored.values() for e in waiting if self._is_order(e)]
        for event in orders:
            props = event.payload.get("properties") or {}
            if isinstance(props, dict):  # anything else: the handler makes the event a dead letter
                numbers.add(str(props.get("order_id") or props.get("orderId") or "")[:60])
                products = props.get("products")
                if isinstance(products, list):
                    skus.update(str(p.get("sku")) for p in products if isinstance(p, dict) and p.get("sku"))
        numbers.discard("")
        if numbers:
            self.numbers = set(Order.objects.filter(order_number__in=numbers).values_list("order_number", flat=True))
        self._load_products(skus)
        self._prepare_new_persons(Party)
        known = {self.stored.get((e.source_id, "user", e.user_id)) or self.stored.get((e.source_id, "anonymous",
                                                                                      e.anonymous_id))
                 for e in self.batch if e.type == "identify"}
        self._load_persons({int(p) for p in known if p})

    def _load_persons(self, ids: set[int]) -> None:
        """For identifies of known persons: their fields, stored provenance, contact points and addresses, in
        four statements for all of them (and the sources' priorities in a fifth)."""
        from kundebase.core.models import Observation
        from kundebase.ingest import survivorship
        from kundebase.parties.models import Address, ContactPoint, Person

        ids = {i for i in ids if i not in self.person_rows}
        if not ids:
            return
        # the persons the batch wrote are read with the one asked for: a visitor who identifies again later in
        # the batch asks for their own (three statements each, were they read one by one)
        ids |= {p.pk for p, *_rest in self.new_persons if p.pk and p.pk not in self.person_rows}
        fields = survivorship.SURVIVING_FIELDS["person"]
        for row in Person.objects.filter(pk__in=ids).values("pk", *fields):
            self.person_rows[row.pop("pk")] = row
        for pid in ids:
            self.person_rows.setdefault(pid, None)
            self.stored_candidates[pid] = {}
            self.party_contact_points[pid] = set()
            self.party_addresses[pid] = set()
        rows = list(Observation.objects.filter(entity="person", record_id__in=ids, field__in=fields).values_list(
            "record_id", "field", "value", "source", "received_at", "verified"))
        self._priorities({r[3] for r in rows} | {e.source.name for e in self.batch})
        rows += [(o["record_id"], o["field"], o["value"], o["source"], o["received_at"], o["verified"])
                 for o in self.observations if o["entity"] == "person" and o["record_id"] in ids
                 and o["field"] in fields]  # collected by this batch, not written yet
        for pid, field, value, source, received_at, verified in rows:
            self.stored_candidates[pid].setdefault(field, []).append(
                survivorship.Candidate(value, source, received_at, verified, self.priorities[source]))
        for pid, normalised in ContactPoint.objects.filter(party_id__in=ids).values_list("party_id", "normalised"):
            self.party_contact_points[pid].add(normalised)
        for pid, street, postcode in Address.objects.filter(party_id__in=ids).values_list("party_id", "street",
                                                                                          "postcode"):
            self.party_addresses[pid].add(address_key(street, postcode))

    def _priorities(self, names: set[str]) -> None:
        from kundebase.ingest import survivorship

        missing = names - self.priorities.keys()
        if missing:
            self.priorities.update(survivorship.source_priorities(missing))

    @staticmethod
    def _is_order(event: Event) -> bool:
        return (event.type == "track" and isinstance(event.payload, dict)
                and str(event.payload.get("event", "")).strip().lower() == "order completed")

    def _read_traits(self, event: Event) -> None:
        try:
            payload = event.payload
            traits = payload.get("traits") or (payload.get("context") or {}).get("traits") or {}
            self.traits[event.pk] = events.person_from_traits(traits if isinstance(traits, dict) else {})
        except Exception:  # noqa: BLE001 - the handler meets the same fault and makes the event a dead letter
            return

    def _load_parties(self, ids: Iterable[int]) -> None:
        from kundebase.parties.models import Party

        wanted = {int(p) for p in ids if p and int(p) not in self.parties}
        if wanted:
            for pk, erased_at in Party.objects.filter(pk__in=wanted).values_list("pk", "erased_at"):
                self.parties[pk] = erased_at is not None

    def _load_products(self, skus: set[str]) -> None:
        from kundebase.orders.models import Product

        wanted = skus - self.skus_checked
        if wanted:
            self.products.update({p.sku: p for p in Product.objects.filter(sku__in=wanted)})
            self.skus_checked |= wanted

    def _prepare_new_persons(self, party_model: Any) -> None:
        """For the identifies that may create a person: the matching service's answer and the privacy check,
        each asked once for all of them."""
        from kundebase.core import hooks
        from kundebase.matching import entry

        maybe = []
        for event in self.batch:
            if event.pk not in self.traits:
                continue
            data, cps, addresses = self.traits[event.pk]
            if not (data.get("family_name") or cps):
                continue
            if self._known_at_start(event) or (cps and self._one_owner({cp["normalised"] for cp in cps})):
                continue
            maybe.append(event)
        if not maybe:
            return
        found = entry.likely_duplicates_many(kind="person", items=[self.traits[e.pk] for e in maybe])
        for event, candidates in zip(maybe, found, strict=True):
            self.likely[event.pk] = candidates[0].party_id if candidates and candidates[0].score >= 0.99 else None
        records = []
        for event in maybe:
            data, cps, _addresses = self.traits[event.pk]
            records.append(({**data, "family_name": data.get("family_name") or cps[0]["value"][:150]}, cps))
        reasons: list[str | None] = [None] * len(maybe)
        for check in hooks.identity_blocked:
            for n, reason in enumerate(check(kind="person", records=records)):
                reasons[n] = reasons[n] or reason
        self.blocked = {e.pk: reason for e, reason in zip(maybe, reasons, strict=True)}

    def _known_at_start(self, event: Event) -> bool:
        return bool(self.stored.get((event.source_id, "user", event.user_id))
                    or self.stored.get((event.source_id, "anonymous", event.anonymous_id)))

    def _one_owner(self, normalised: set[str]) -> Any:
        found = set().union(*(self.contact_points.get(n, set()) for n in normalised)) if normalised else set()
        return next(iter(found)) if len(found) == 1 else None

    # -- the handlers' look-ups and writes --

    def party_of(self, source_id: int, kind: str, value: str) -> Any:
        if not value:
            return None
        if (source_id, value) not in self.looked_up:
            self.looked_up.add((source_id, value))
            for k, party_id in Identity.objects.filter(source_id=source_id, kind__in=IDENTITY_KINDS,
                                                       value=value).values_list("kind", "party_id"):
                self.identities[(source_id, k, value)] = self.stored[(source_id, k, value)] = party_id
        return self.identities.get((source_id, kind, value))

    def link(self, source_id: int, kind: str, value: str, party_id: Any) -> None:
        if not value:
            return
        key = (source_id, kind, str(value)[:200])
        self.party_of(source_id, kind, key[2])
        if key not in self.identities or (party_id and self.identities[key] is not party_id
                                          and self.identities[key] != party_id):
            self._set(self.identities, key, party_id)

    def by_contact_points(self, normalised: list[str]) -> Any:
        return self._one_owner(set(normalised))

    def likely_duplicate(self, event: Event, data: dict[str, Any], cps: list[dict[str, Any]],
                         addresses: list[dict[str, Any]]) -> Any:
        if event.pk in self.likely:
            if self.likely_stale:  # the batch wrote persons since: asked again, for the rest of the batch too
                self._ask_likely_again(event)
            return self.likely[event.pk]
        return super().likely_duplicate(event, data, cps, addresses)

    def _ask_likely_again(self, event: Event) -> None:
        """The matching service's answer for this identify and every later one of the batch that may create a
        person, asked again in one go: the persons the batch wrote (or changed) since the last answers may be the
        ones they match.  (Each asked on its own, the first batch of a new shop asked once per new visitor.)"""
        from kundebase.matching import entry

        later = [e for e in self.batch if e.pk in self.likely and e.pk >= event.pk and e.pk not in self.results]
        found = entry.likely_duplicates_many(kind="person", items=[self.traits[e.pk] for e in later])
        for other, candidates in zip(later, found, strict=True):
            self.likely[other.pk] = candidates[0].party_id if candidates and candidates[0].score >= 0.99 else None
        self.likely_stale = False

    def create_person(self, event: Event, data: dict[str, Any], cps: list[dict[str, Any]],
                      addresses: list[dict[str, Any]], source: SourceRef) -> Any:
        from kundebase.core.custom_fields import clean_values
        from kundebase.core.errors import Conflict
        from kundebase.parties import validation

        errors = ErrorCollector()
        cleaned = validation.clean_person(data, errors)
        clean_values("person", data.get("custom_fields"), errors, context=data)
        errors.raise_if_any()
        if event.pk in self.blocked:
            reason = self.blocked[event.pk]
        else:  # not foreseen at the start of the batch: asked now
            reason = None
            from kundebase.core import hooks

            for check in hooks.identity_blocked:
                reason = reason or check(kind="person", records=[(cleaned, cps)])[0]
        if reason:
            raise Conflict(reason, code="suppressed")
        person = Pending()
        self._append(self.new_persons, (person, event, cleaned, cps, addresses, source))
        self.unwritten += 1
        self.undo.append(lambda: setattr(self, "unwritten", self.unwritten - 1))
        name = identifiers.fold(str(cleaned.get("family_name") or ""))
        if name not in self.unwritten_names:
            self.unwritten_names.add(name)
            self.undo.append(lambda: self.unwritten_names.discard(name))
        for cp in cps:
            self._add_contact_point(cp["normalised"], person)
        return person

    def _add_contact_point(self, normalised: str, party: Any) -> None:
        owners = self.contact_points[normalised]
        if party not in owners:
            owners.add(party)
            self.undo.append(lambda: owners.discard(party))

    def person_values(self, party_id: int) -> dict[str, Any] | None:
        self._load_persons({party_id})
        return self.person_rows[party_id]

    def survivorship_context(self, party_id: int, source: SourceRef) -> dict[str, Any]:
        self._load_persons({party_id})
        self._priorities({source.name})
        return {"stored": self.stored_candidates[party_id], "priority": self.priorities[source.name]}

    def contact_points_of(self, party_id: int) -> set[str]:
        self._load_persons({party_id})
        return set(self.party_contact_points[party_id])

    def addresses_of(self, party_id: int) -> set[tuple[str, str]]:
        self._load_persons({party_id})
        return set(self.party_addresses[party_id])

    def writing(self, needed: bool) -> Any:
        if needed:  # a known person changes: what the matching service answered before may change with it
            self.likely_stale = True
        return transaction.atomic() if needed else contextlib.nullcontext()

    def changed(self, party_id: int) -> None:
        """Read again when next asked: the services changed the row and stored its provenance."""
        self.person_rows.pop(party_id, None)
        self.stored_candidates.pop(party_id, None)
        self.party_contact_points.pop(party_id, None)
        self.party_addresses.pop(party_id, None)
        self.undo.append(lambda: None)

    def observe(self, entity: str, record_id: int, values: dict[str, Any], source: SourceRef) -> None:
        from kundebase.ingest import survivorship

        if not values:
            return
        now = timezone.now()
        self._priorities({source.name})
        for field, value in values.items():
            text = "" if value is None else str(value)
            self._append(self.observations, {
                "entity": entity, "record_id": record_id, "field": field, "value": text,
                "source": source.name[:120], "source_record_id": source.record_id[:200], "received_at": now,
                "verified": source.verified})
            if entity == "person" and record_id in self.stored_candidates:
                pool = self.stored_candidates[record_id].setdefault(field, [])
                self._append(pool, survivorship.Candidate(text, source.name, now, source.verified,
                                                          self.priorities[source.name]))

    def real(self, party_id: Any) -> int:
        if isinstance(party_id, Pending) and party_id.pk is None:
            self.write_persons()
        return int(as_id(party_id) or 0)

    def order_exists(self, number: str) -> bool:
        return number in self.numbers

    def known_skus(self, skus: set[str]) -> set[str]:
        self._load_products(skus)
        return {s for s in skus if s in self.products}

    def _check_party(self, party_id: Any) -> None:
        from kundebase.parties.services import erased_conflict

        if isinstance(party_id, Pending):
            return
        self._load_parties([party_id])
        if party_id not in self.parties:
            raise NotFound(_("Customer"), party_id)
        if self.parties[party_id]:
            raise erased_conflict(party_id)

    def add_order(self, event: Event, party_id: Any, data: dict[str, Any], lines: list[dict[str, Any]]) -> None:
        from kundebase.orders.services import build_order

        self._check_party(party_id)
        order, cleaned = build_order(party_id=0, data=data, lines=lines, products=self.products,
                                     check_number=False)
        if order.order_number:
            self.numbers.add(order.order_number)
            self.undo.append(lambda: self.numbers.discard(order.order_number))
        self._append(self.orders, (event, party_id, order, cleaned))

    def add_interaction(self, event: Event, party_id: Any, data: dict[str, Any]) -> None:
        from kundebase.interactions.services import interaction_values

        self._check_party(party_id)
        values, fields = interaction_values(party_id=0, data=data, source_record_id=event.message_id)
        self._append(self.interactions, (event, party_id, values, fields))

    def waiting(self, source_id: int, kind: str, value: str, exclude: int) -> list[Event]:
        stored = [e for e in self.waiting_stored.get((source_id, kind, value), ())
                  if e.pk not in self.joined_stored and e.pk != exclude]
        ours = [e for e in self.batch if e.pk in self.results and e.pk != exclude and e.source_id == source_id
                and (e.user_id if kind == "user" else e.anonymous_id) == value and e.type in events.TIMELINE_TYPES
                and self.results[e.pk] == (None, "")]
        return sorted(stored + ours, key=lambda e: e.pk)

    def joined(self, earlier: Event, party_id: Any) -> None:
        if earlier.pk in self.results:
            self._set(self.results, earlier.pk, (party_id, ""))
        else:
            self._set(self.joined_stored, earlier.pk, party_id)

    def atomic(self) -> Any:
        return contextlib.nullcontext()

    # -- working the batch --

    def _needs_persons_written(self, event: Event) -> bool:
        """Whether handling this event may ask for the database id of a person the batch has not written yet
        (an update of that person, a role, or the matching service, which reads stored persons only)."""
        if not self.unwritten:
            return False
        if event.type == "alias":
            return False
        party = events.resolve(event)
        if isinstance(party, Pending) and party.pk is None:
            return True
        if event.type != "identify" or event.pk not in self.traits:
            return False
        data, cps, _addresses = self.traits[event.pk]
        if any(isinstance(p, Pending) and p.pk is None for cp in cps
               for p in self.contact_points.get(cp["normalised"], ())):
            return True
        family = identifiers.fold(str(data.get("family_name") or ""))
        return bool(family) and family in self.unwritten_names

    @staticmethod
    def _writes_at_once(event: Event) -> bool:
        """Whether the handler may write through the services outside :meth:`writing` (then: a savepoint)."""
        return event.type in DIRECT_TYPES

    def handle(self, event: Event) -> None:
        if self._needs_persons_written(event):
            self.write_persons()
        mark = len(self.undo)
        party_id, error = None, ""
        try:
            with transaction.atomic() if self._writes_at_once(event) else contextlib.nullcontext():
                party_id = events.handle(event)
        except (OperationalError, InterfaceError):
            raise
        except Exception as exc:  # noqa: BLE001 - refused or unforeseen: the event is set aside, never blocks
            self.rollback(mark)
            error = events.reason(event, exc)
            party_id = None
        if not error and party_id and event.type == "identify" and event.pk in self.traits:
            for cp in self.traits[event.pk][1]:  # what the database now says, for the identifies behind it
                self._add_contact_point(cp["normalised"], party_id)
                if party_id in self.party_contact_points:
                    self.party_contact_points[party_id].add(cp["normalised"])
            for address in self.traits[event.pk][2]:
                if party_id in self.party_addresses:
                    self.party_addresses[party_id].add(address_key(address["street"], address["postcode"]))
            if not isinstance(party_id, Pending):
                self._load_parties([party_id])
        self.results[event.pk] = (party_id, error)

    def write_persons(self) -> None:
        waiting = [n for n in self.new_persons if n[0].pk is None]
        if not waiting:
            return
        ids = create_persons([(data, cps, addresses, source) for _p, _e, data, cps, addresses, source in waiting])
        for (person, *_rest), pk in zip(waiting, ids, strict=True):
            person.pk = pk
            self.parties[pk] = False
        self.unwritten = 0
        self.unwritten_names.clear()
        self.likely_stale = True

    def write(self) -> None:
        """Everything the batch collected, a bulk statement per table, and one audit entry naming it all."""
        from kundebase.ingest.event_writes import write

        write(self)
