"""Turning stored tracking events into customers, orders and timeline entries.

Events are first committed raw (``Event``), then processed here in arrival
order: ``identify`` creates or updates a person, ``track "Order Completed"``
becomes an order, other events and page/screen views become web visits on the
timeline, ``group`` links a company (and the person's role there), ``alias``
joins two identities.  Events of an anonymous visitor wait (processed, without
a customer) until the visitor identifies; then they are put on that person's
timeline.  Processing claims an event with a conditional UPDATE, so any number
of threads or processes can work the queue without doing an event twice.  An
event that cannot be processed is set aside as a *dead letter* with its error
(see :mod:`kundebase.ingest.dead_letters`); it never holds up the ones behind it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import threading
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from kundebase.core.errors import DomainError
from kundebase.core.provenance import SourceRef, observe
from kundebase.ingest import survivorship
from kundebase.ingest.models import Event, Identity, Source

log = logging.getLogger(__name__)
CHANNEL = "events"
TIMELINE_TYPES = ("track", "page", "screen")


# --- identities and writes: straight to the database, or collected by a batch -----------------------------------


class Direct:
    """Look-ups and writes of one event at a time, straight against the database.

    The handlers below do all their reading and writing of identities, persons, orders and timeline entries
    through the unit of work in force (:func:`unit`): this one outside a batch, and
    :class:`kundebase.ingest.event_batch.Batch` while a batch is processed — which answers the same questions
    from look-ups made once for the whole batch and collects the writes for a few bulk statements.  The
    handlers are the same in both, so a batch gives what the events one by one give.
    """

    def party_of(self, source_id: int, kind: str, value: str) -> Any:
        if not value:
            return None
        return Identity.objects.filter(source_id=source_id, kind=kind, value=value).values_list(
            "party_id", flat=True).first()

    def link(self, source_id: int, kind: str, value: str, party_id: Any) -> None:
        if not value:
            return
        identity, created = Identity.objects.get_or_create(source_id=source_id, kind=kind, value=str(value)[:200],
                                                           defaults={"party_id": party_id})
        if not created and party_id and identity.party_id != party_id:
            Identity.objects.filter(pk=identity.pk).update(party_id=party_id)

    def by_contact_points(self, normalised: list[str]) -> Any:
        """The one person these e-mails/phones belong to (``None`` when none or several)."""
        from kundebase.parties.models import ContactPoint

        found = set(ContactPoint.objects.filter(normalised__in=normalised, party__kind="person",
                                                party__merged_into__isnull=True).values_list("party_id", flat=True))
        return found.pop() if len(found) == 1 else None

    def likely_duplicate(self, event: Event, data: dict[str, Any], cps: list[dict[str, Any]],
                         addresses: list[dict[str, Any]]) -> Any:
        from kundebase.matching import entry

        candidates = entry.likely_duplicates(kind="person", fields=data, contact_points=cps, addresses=addresses)
        return candidates[0].party_id if candidates and candidates[0].score >= 0.99 else None

    def create_person(self, event: Event, data: dict[str, Any], cps: list[dict[str, Any]],
                      addresses: list[dict[str, Any]], source: SourceRef) -> Any:
        from kundebase.parties import services

        return services.create_person(data=data, contact_points=cps, addresses=addresses, channel=CHANNEL,
                                      source=source).pk

    def person_values(self, party_id: int) -> dict[str, Any] | None:
        """The person's fields survivorship weighs (``None``: not a person)."""
        from kundebase.parties.models import Person

        return Person.objects.filter(pk=party_id).values(*survivorship.SURVIVING_FIELDS["person"]).first()

    def survivorship_context(self, party_id: int, source: SourceRef) -> dict[str, Any]:
        """What :func:`survivorship.decide` would otherwise read itself (its stored candidates, the priority)."""
        return {}

    def contact_points_of(self, party_id: int) -> set[str]:
        from kundebase.parties.models import ContactPoint

        return set(ContactPoint.objects.filter(party_id=party_id).values_list("normalised", flat=True))

    def addresses_of(self, party_id: int) -> set[tuple[str, str]]:
        from kundebase.parties.models import Address
        from kundebase.parties.validation import address_key

        return {address_key(street, postcode) for street, postcode in
                Address.objects.filter(party_id=party_id).values_list("street", "postcode")}

    def writing(self, needed: bool) -> Any:
        """Around an event's writes through the services (the single event has its own savepoint already)."""
        return contextlib.nullcontext()

    def changed(self, party_id: int) -> None:
        """The person's row was changed by the services."""

    def observe(self, entity: str, record_id: int, values: dict[str, Any], source: SourceRef) -> None:
        observe(entity, record_id, values, source)

    def real(self, party_id: Any) -> int:
        """The customer's id as the database knows it (a batch's new person is written first)."""
        return int(party_id)

    def order_exists(self, number: str) -> bool:
        from kundebase.orders.models import Order

        return Order.objects.filter(order_number=number).exists()

    def known_skus(self, skus: set[str]) -> set[str]:
        from kundebase.orders.models import Product

        return set(Product.objects.filter(sku__in=skus).values_list("sku", flat=True))

    def add_order(self, event: Event, party_id: Any, data: dict[str, Any], lines: list[dict[str, Any]]) -> None:
        from kundebase.orders.services import create_order

        create_order(party_id=party_id, lines=lines, channel=CHANNEL, data=data)

    def add_interaction(self, event: Event, party_id: Any, data: dict[str, Any]) -> None:
        from kundebase.interactions.services import log_interaction

        log_interaction(party_id=party_id, channel=CHANNEL, source_record_id=event.message_id, data=data)

    def waiting(self, source_id: int, kind: str, value: str, exclude: int) -> list[Event]:
        """The earlier events of a visitor (``kind`` "anonymous") or of a user id not known yet (``kind``
        "user") that wait for that visitor or user to be known, oldest first."""
        return list(waiting_events(Event.objects.filter(source_id=source_id), kind, [value])
                    .exclude(pk=exclude).order_by("id").select_related("source"))

    def joined(self, earlier: Event, party_id: Any) -> None:
        Event.objects.filter(pk=earlier.pk).update(party_id=party_id)

    def atomic(self) -> Any:
        return transaction.atomic()


_units = threading.local()
_direct = Direct()


def unit() -> Direct:
    """The unit of work in force on this thread: a batch's while one is processed, else the direct one."""
    return getattr(_units, "current", None) or _direct


def party_of(source_id: int, kind: str, value: str) -> Any:
    return unit().party_of(source_id, kind, value)


def link(source_id: int, kind: str, value: str, party_id: Any) -> None:
    unit().link(source_id, kind, value, party_id)


def resolve(event: Event) -> Any:
    return (party_of(event.source_id, "user", event.user_id)
            or party_of(event.source_id, "anonymous", event.anonymous_id))


# --- traits → a person --------------------------------------------------------------------------------------------


def _trait(traits: dict[str, Any], *names: str) -> str:
    for name in names:
        value = traits.get(name)
        if value not in (None, "") and not isinstance(value, dict | list):
            return str(value).strip()
    return ""


def person_from_traits(traits: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    from kundebase.core.errors import ErrorCollector
    from kundebase.ingest import shapes
    from kundebase.parties import validation

    given = _trait(traits, "firstName", "first_name", "firstname")
    family = _trait(traits, "lastName", "last_name", "lastname")
    name = _trait(traits, "name")
    if name and not family:
        given, _sp, family = name.rpartition(" ")
    data: dict[str, Any] = {}
    if family:
        data["family_name"], data["given_name"] = family, given
    birthday = _trait(traits, "birthday", "birth_date", "birthDate")
    if birthday:
        data["birth_date"] = shapes.iso_date_or_text(birthday[:10])
    gender = _trait(traits, "gender").lower()
    if gender in ("female", "male", "diverse"):
        data["gender"] = gender
    errors = ErrorCollector()
    cleaned = validation.clean_person(data, errors, partial=True) if data else {}
    for bad in {e.field for e in errors.errors}:
        cleaned.pop(bad, None)
    addresses = []
    address = traits.get("address")
    if isinstance(address, dict):
        local = ErrorCollector()
        cleaned_address = validation.clean_address({
            "street": _trait(address, "street", "line1"), "postcode": _trait(address, "postalCode", "postal_code",
                                                                              "zip"),
            "city": _trait(address, "city"), "region": _trait(address, "state", "region"),
            "country": shapes.country_code(_trait(address, "country") or settings.KUNDEBASE_DEFAULT_COUNTRY)}, local)
        if not local:
            addresses.append(cleaned_address)
    country = validation.record_country(addresses)  # how a national phone number is read
    cps = []
    for kind, names in (("email", ("email",)), ("phone", ("phone", "phoneNumber", "mobile"))):
        value = _trait(traits, *names)
        if value:
            local = ErrorCollector()
            cp = validation.clean_contact_point({"kind": kind, "value": value}, local, default_country=country)
            if not local:
                cps.append(cp)
    return cleaned, cps, addresses


def _identify_person(event: Event, traits: dict[str, Any], source: SourceRef) -> Any:
    from kundebase.parties import services
    from kundebase.parties.validation import address_key

    data, cps, addresses = person_from_traits(traits)
    work = unit()
    party_id = resolve(event)
    if party_id is None and cps:
        party_id = work.by_contact_points([cp["normalised"] for cp in cps])
    if party_id is None and (data.get("family_name") or cps):
        party_id = work.likely_duplicate(event, data, cps, addresses)
    if party_id is None:
        if not (data.get("family_name") or cps):
            return None
        if not data.get("family_name"):
            # A visitor known only by e-mail or phone: the address stands in for the name until one arrives.
            data = {**data, "family_name": cps[0]["value"][:150]}
        return work.create_person(event, data, cps, addresses, source)
    party_id = work.real(party_id)
    person = work.person_values(party_id)
    if person is None:
        return party_id
    incoming = {k: v for k, v in data.items() if v not in (None, "")}
    changes = survivorship.decide("person", party_id, person, incoming, source,
                                  **work.survivorship_context(party_id, source))
    have = work.contact_points_of(party_id)
    new_cps = [cp for cp in cps if cp["normalised"] not in have]
    lived = work.addresses_of(party_id) if addresses else set()
    new_addresses = [a for a in addresses if address_key(a["street"], a["postcode"]) not in lived]
    with work.writing(bool(changes or new_cps or new_addresses)):
        if changes or new_cps or new_addresses:
            # what the identify changes and the phones, e-mails and address it adds (as an import's row adds
            # them): one version, one audit entry
            added = services.Additions(
                contact_points=[{"kind": cp["kind"], "value": cp["value"]} for cp in new_cps],
                addresses=[{**address, "is_primary": False} for address in new_addresses])
            services.update_person(party_id=party_id, changes=changes, channel=CHANNEL, source=source,
                                   additions=added)
        if changes:
            work.changed(party_id)
        work.observe("person", party_id, {k: v for k, v in incoming.items() if k not in changes}, source)
    return party_id


# --- handlers ------------------------------------------------------------------------------------------------------


def _moment(event: Event) -> dt.datetime:
    raw = event.payload.get("timestamp") or event.payload.get("originalTimestamp")
    try:
        moment = dt.datetime.fromisoformat(str(raw).replace("Z", "+00:00")) if raw else event.received_at
    except ValueError:
        moment = event.received_at
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return min(moment, timezone.now())


def _money(value: Any) -> Decimal | None:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, TypeError):
        return None
    return number if number.is_finite() else None


def _order(event: Event, party_id: Any) -> None:
    props = event.payload.get("properties") or {}
    number = str(props.get("order_id") or props.get("orderId") or "")[:60]
    work = unit()
    if number and work.order_exists(number):
        return
    products = [p for p in props.get("products") or [] if isinstance(p, dict)]
    skus = {str(p.get("sku")) for p in products if p.get("sku")}
    known = work.known_skus(skus)
    lines = []
    for product in products:
        quantity = _money(product.get("quantity")) or Decimal(1)
        price = _money(product.get("price"))
        line: dict[str, Any] = {"quantity": str(quantity),
                                "description": str(product.get("name") or product.get("sku") or "")[:300]}
        if str(product.get("sku")) in known:
            line["sku"] = str(product["sku"])
        if price is not None:
            line["revenue"] = str(price * quantity)
        elif "sku" not in line:
            line["revenue"] = "0"
        lines.append(line)
    if not lines:
        total = _money(props.get("revenue")) or _money(props.get("total")) or Decimal(0)
        lines = [{"description": str(event.payload.get("event"))[:300], "revenue": str(total)}]
    work.add_order(event, party_id, {"order_number": number, "ordered_at": _moment(event), "channel": "web",
                                     "currency": str(props.get("currency") or settings.KUNDEBASE_DEFAULT_CURRENCY),
                                     "source": event.source.name}, lines)


def _timeline(event: Event, party_id: Any) -> None:
    payload = event.payload
    props = payload.get("properties") or {}
    if event.type == "track":
        subject = str(payload.get("event") or "")
    else:
        subject = str(payload.get("name") or props.get("title") or props.get("url") or props.get("path") or
                      event.type)
    body = json.dumps(props, ensure_ascii=False, sort_keys=True)[:4000] if props else ""
    unit().add_interaction(event, party_id, {"kind": "web_visit", "channel": "web", "direction": "in",
                                             "occurred_at": _moment(event), "subject": subject[:300], "body": body,
                                             "source": event.source.name})


def _place(event: Event, party_id: Any) -> None:
    if event.type == "track" and str(event.payload.get("event", "")).strip().lower() == "order completed":
        _order(event, party_id)
    else:
        _timeline(event, party_id)


def waiting_events(events: Any, kind: str, values: Any) -> Any:
    """Of ``events``, those that wait for their visitor (``kind`` "anonymous") or user id (``kind`` "user") among
    ``values`` to be known: processed without a customer or an error, of a kind that goes on the timeline.  (The
    user-id form repeats the ``event_user_waiting`` index's condition, so the databases use it.)"""
    waiting = events.filter(party_id__isnull=True, processed_at__isnull=False, type__in=TIMELINE_TYPES, error="")
    if kind == "user":
        return waiting.filter(user_id__in=values).exclude(user_id="")
    return waiting.filter(anonymous_id__in=values)


def _join_waiting(event: Event, party_id: Any, *keys: tuple[str, str]) -> None:
    """Put the earlier events of a visitor or a user id on the person's timeline, now that we know who it was.

    A user id's events wait as a visitor's do: a shop may send ``track`` before ``identify``, and two workers may
    take a user's ``identify`` and the ``track`` behind it in two batches at once (each batch holds the locks of
    its identities, :func:`identity_locks`, so the later one sees the earlier one's or waits here to be joined)."""
    work = unit()
    found: dict[int, Event] = {}
    for kind, value in keys:
        if value:
            found.update((e.pk, e) for e in work.waiting(event.source_id, kind, value, event.pk))
    for pk in sorted(found):
        with work.atomic():
            _place(found[pk], party_id)
            work.joined(found[pk], party_id)


def identity_keys(batch: list[Event]) -> list[str]:
    """The identities a batch of events may look up, link or join, as keys for :func:`identity_locks`: user and
    anonymous ids and alias' previous ids per source (whatever their kind: an alias joins both), and the
    e-mail addresses of ``identify`` traits (two persons with one address are one)."""
    keys: set[str] = set()
    for event in batch:
        payload = event.payload if isinstance(event.payload, dict) else {}
        for value in (event.user_id, event.anonymous_id, payload.get("previousId")):
            if value not in (None, ""):
                keys.add(f"{event.source_id}\x00{str(value)[:200]}")
        if event.type == "identify":  # any payload at all: a malformed one becomes a dead letter later, not here
            context = payload.get("context")
            traits = payload.get("traits") or (context.get("traits") if isinstance(context, dict) else None)
            email = traits.get("email") if isinstance(traits, dict) else None
            if isinstance(email, str) and email.strip():
                keys.add("email\x00" + email.strip().lower())
    return sorted(keys)


def identity_locks(batch: list[Event]) -> None:
    """Hold, until the batch's transaction ends, the locks of the identities its events touch.

    Workers side by side claim different events, but two of them may belong to one visitor: without these
    locks a ``track`` could be processed while the ``identify`` before it is still uncommitted in another
    worker's batch, and be stored without its customer.  With them, the second batch waits for the first.
    (Databases with one writer at a time run the batches one after the other anyway.)"""
    from django.db import connection

    from kundebase.core import dialect

    dialect.for_connection(connection).lock_keys(connection, identity_keys(batch))


def _group(event: Event, source: SourceRef) -> Any:
    from kundebase.core import identifiers
    from kundebase.parties import services
    from kundebase.parties.models import Company, ContactRole

    payload = event.payload
    group_id = str(payload.get("groupId") or "")
    traits = payload.get("traits") or {}
    company_id = party_of(event.source_id, "group", group_id)
    org = _trait(traits, "orgNumber", "org_number", "organisationNumber", "vat", "cvr")
    if company_id is None and org:
        company_id = Company.objects.filter(org_number_key=identifiers.org_number_key(org)).values_list(
            "pk", flat=True).first()
    name = _trait(traits, "name", "company") or group_id
    if company_id is None:
        data: dict[str, Any] = {"legal_name": name[:300]}
        if org:
            data["org_number"] = org
            data["org_country"] = _trait(traits, "country") or settings.KUNDEBASE_DEFAULT_COUNTRY
        employees = _trait(traits, "employees")
        if employees.isdigit():
            data["employees"] = int(employees)
        company_id = services.create_company(data=data, channel=CHANNEL, source=source).pk
    link(event.source_id, "group", group_id, company_id)
    person_id = resolve(event)
    person_id = unit().real(person_id) if person_id else None
    if person_id and not ContactRole.objects.filter(person_id=person_id, company_id=company_id).exists():
        services.add_role(person_id=person_id, company_id=company_id,
                          data={"position": _trait(traits, "title", "position")[:150]}, channel=CHANNEL)
    return person_id or company_id


def handle(event: Event) -> Any:
    """Process one event; returns the customer it concerns (``None`` while the visitor is anonymous).

    Within a batch that customer may be one the batch creates: a placeholder that has its id once the batch
    is written."""
    source = SourceRef(name=event.source.name, record_id=event.message_id[:200], verified=event.source.verified)
    payload = event.payload
    if event.type == "identify":
        traits = payload.get("traits") or (payload.get("context") or {}).get("traits") or {}
        party_id = _identify_person(event, traits if isinstance(traits, dict) else {}, source)
        if party_id:
            link(event.source_id, "user", event.user_id, party_id)
            link(event.source_id, "anonymous", event.anonymous_id, party_id)
            _join_waiting(event, party_id, ("user", event.user_id), ("anonymous", event.anonymous_id))
        return party_id
    if event.type == "alias":
        previous = str(payload.get("previousId") or "")
        party_id = party_of(event.source_id, "user", event.user_id) or party_of(
            event.source_id, "user", previous) or party_of(event.source_id, "anonymous", previous)
        link(event.source_id, "user", event.user_id, party_id)
        link(event.source_id, "user", previous, party_id)
        link(event.source_id, "anonymous", previous, party_id)
        if party_id:
            _join_waiting(event, party_id, ("anonymous", previous), ("user", previous), ("user", event.user_id))
        return party_id
    if event.type == "group":
        return _group(event, source)
    party_id = resolve(event)
    if party_id is None:
        link(event.source_id, "anonymous", event.anonymous_id, None)
        return None
    _place(event, party_id)
    return party_id


ROUND_EVENTS = 500
"""Events processed as one batch, in one transaction (``process_events --batch``).  A batch is looked up and
written with a few bulk statements (:mod:`kundebase.ingest.event_batch`), so a larger batch costs less per
event; the bound keeps the transaction, and the write lock SQLite's single writer holds, short."""
WORKER_EVENTS = 1000
"""A dedicated worker's batch on PostgreSQL (``process_events`` without ``--batch``): the claim's row locks let
the event API go on storing events meanwhile, and the two dozen statements every batch makes weigh half as much
per event as in a batch of 500.  On SQLite (one writer) the worker keeps to ``ROUND_EVENTS``."""
CLAIM_TIMEOUT = dt.timedelta(minutes=5)
"""On SQLite a worker's claim on its batch older than this is taken to be a dead worker's, and taken over."""


def process(ids: list[int] | None = None, *, limit: int = 500, batch_size: int | None = None,
            one_by_one: bool = False) -> int:
    """Process waiting events (the given ones, or the oldest ``limit``) in batches; returns how many this call
    did.  ``one_by_one`` runs each event through the services on its own (how events were processed before
    batches; kept as the reference the batch is compared with)."""
    from kundebase.ingest import event_queue

    size = max(1, batch_size or ROUND_EVENTS)
    if ids is not None:
        wanted = list(Event.objects.filter(pk__in=ids, processed_at__isnull=True).order_by("id")
                      .values_list("pk", flat=True)[:limit])
        done, start = 0, 0
        while start < len(wanted):
            part = wanted[start:start + size]
            done += event_queue.run(part, len(part), one_by_one=one_by_one)
            start += len(part)
        return _after(done)
    done = 0
    while done < limit:
        count = event_queue.run(None, min(size, limit - done), one_by_one=one_by_one)
        if not count:
            break
        done += count
    return _after(done)


def _after(done: int) -> int:
    """Run the ``events_processed`` hooks when this call processed anything; return ``done``."""
    from kundebase.core import hooks

    if done:
        for hook in hooks.events_processed:
            hook()
    return done


def worker_batch() -> int:
    """Events per batch of a dedicated worker, unless it is told (``process_events --batch``)."""
    from django.db import connection

    from kundebase.core import dialect

    return WORKER_EVENTS if dialect.for_connection(connection).skip_locked else ROUND_EVENTS


def _round(wanted: list[int], start: int) -> tuple[int, int]:
    """Process one batch of ``wanted[start:]`` (at most ``ROUND_EVENTS``); ``(processed, next start)``."""
    from kundebase.ingest import event_queue

    part = wanted[start:start + ROUND_EVENTS]
    return event_queue.run(part, len(part)), start + len(part)


def reason(event: Event, exc: BaseException) -> str:
    """Why an event became a dead letter, storable as it is (no NUL, no lone surrogate)."""
    if isinstance(exc, DomainError):
        text = str(exc)[:2000] or exc.title
    else:
        log.error("event %s could not be processed; set aside as a dead letter", event.pk, exc_info=exc)
        text = f"{type(exc).__name__}: {exc}"[:2000]
    return text.replace("\x00", "\\x00").encode("utf-8", "backslashreplace").decode("utf-8")


def kick(ids: list[int]) -> None:
    """After events were committed: process them now (inline), queue a round of processing for the task
    worker (background), or wake the dedicated worker (off: ``process_events --follow``)."""
    mode = settings.KUNDEBASE_EVENT_PROCESSING
    if mode == "inline":
        process(ids)
    elif mode == "background":
        from kundebase.ingest.tasks import process_events_soon

        process_events_soon()
    elif ids:
        from kundebase.ingest import event_queue

        event_queue.notify_workers()


def sources_with_key(key: str) -> Source | None:
    from kundebase.ingest.models import key_digest

    return Source.objects.filter(key_digest=key_digest(key), active=True).first()

