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

import datetime as dt
import json
import logging
import time
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import InterfaceError, OperationalError, transaction
from django.utils import timezone

from kundebase.core.errors import DomainError
from kundebase.core.provenance import SourceRef, observe
from kundebase.ingest import survivorship
from kundebase.ingest.models import Event, Identity, Source

log = logging.getLogger(__name__)
CHANNEL = "events"
TIMELINE_TYPES = ("track", "page", "screen")


# --- identities ------------------------------------------------------------------------------------------------


def party_of(source_id: int, kind: str, value: str) -> int | None:
    if not value:
        return None
    return Identity.objects.filter(source_id=source_id, kind=kind, value=value).values_list(
        "party_id", flat=True).first()


def link(source_id: int, kind: str, value: str, party_id: int | None) -> None:
    if not value:
        return
    identity, created = Identity.objects.get_or_create(source_id=source_id, kind=kind, value=str(value)[:200],
                                                       defaults={"party_id": party_id})
    if not created and party_id and identity.party_id != party_id:
        Identity.objects.filter(pk=identity.pk).update(party_id=party_id)


def resolve(event: Event) -> int | None:
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


def _identify_person(event: Event, traits: dict[str, Any], source: SourceRef) -> int | None:
    from kundebase.matching import entry
    from kundebase.parties import services
    from kundebase.parties.models import ContactPoint, Person

    data, cps, addresses = person_from_traits(traits)
    party_id = resolve(event)
    if party_id is None and cps:
        found = set(ContactPoint.objects.filter(normalised__in=[cp["normalised"] for cp in cps],
                                                party__kind="person", party__merged_into__isnull=True)
                    .values_list("party_id", flat=True))
        if len(found) == 1:
            party_id = found.pop()
    if party_id is None and (data.get("family_name") or cps):
        candidates = entry.likely_duplicates(kind="person", fields=data, contact_points=cps, addresses=addresses)
        if candidates and candidates[0].score >= 0.99:
            party_id = candidates[0].party_id
    if party_id is None:
        if not (data.get("family_name") or cps):
            return None
        if not data.get("family_name"):
            # A visitor known only by e-mail or phone: the address stands in for the name until one arrives.
            data = {**data, "family_name": cps[0]["value"][:150]}
        person = services.create_person(data=data, contact_points=cps, addresses=addresses, channel=CHANNEL,
                                        source=source)
        return person.pk
    person = Person.objects.filter(pk=party_id).values(*survivorship.SURVIVING_FIELDS["person"]).first()
    if person is None:
        return party_id
    incoming = {k: v for k, v in data.items() if v not in (None, "")}
    changes = survivorship.decide("person", party_id, person, incoming, source)
    if changes:
        services.update_person(party_id=party_id, changes=changes, channel=CHANNEL, source=source)
    observe("person", party_id, {k: v for k, v in incoming.items() if k not in changes}, source)
    have = set(ContactPoint.objects.filter(party_id=party_id).values_list("normalised", flat=True))
    for cp in cps:
        if cp["normalised"] not in have:
            services.add_contact_point(party_id=party_id, data={"kind": cp["kind"], "value": cp["value"]},
                                       channel=CHANNEL, source=source)
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


def _order(event: Event, party_id: int) -> None:
    from kundebase.orders.models import Order, Product
    from kundebase.orders.services import create_order

    props = event.payload.get("properties") or {}
    number = str(props.get("order_id") or props.get("orderId") or "")[:60]
    if number and Order.objects.filter(order_number=number).exists():
        return
    products = [p for p in props.get("products") or [] if isinstance(p, dict)]
    skus = {str(p.get("sku")) for p in products if p.get("sku")}
    known = set(Product.objects.filter(sku__in=skus).values_list("sku", flat=True))
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
    create_order(party_id=party_id, lines=lines, channel=CHANNEL,
                 data={"order_number": number, "ordered_at": _moment(event), "channel": "web",
                       "currency": str(props.get("currency") or settings.KUNDEBASE_DEFAULT_CURRENCY),
                       "source": event.source.name})


def _timeline(event: Event, party_id: int) -> None:
    from kundebase.interactions.services import log_interaction

    payload = event.payload
    props = payload.get("properties") or {}
    if event.type == "track":
        subject = str(payload.get("event") or "")
    else:
        subject = str(payload.get("name") or props.get("title") or props.get("url") or props.get("path") or
                      event.type)
    body = json.dumps(props, ensure_ascii=False, sort_keys=True)[:4000] if props else ""
    log_interaction(party_id=party_id, channel=CHANNEL, source_record_id=event.message_id,
                    data={"kind": "web_visit", "channel": "web", "direction": "in", "occurred_at": _moment(event),
                          "subject": subject[:300], "body": body, "source": event.source.name})


def _place(event: Event, party_id: int) -> None:
    if event.type == "track" and str(event.payload.get("event", "")).strip().lower() == "order completed":
        _order(event, party_id)
    else:
        _timeline(event, party_id)


def _join_anonymous(event: Event, party_id: int) -> None:
    """Put the anonymous visitor's earlier events on the person's timeline, now that we know who it was."""
    if not event.anonymous_id:
        return
    waiting = Event.objects.filter(source_id=event.source_id, anonymous_id=event.anonymous_id,
                                   party_id__isnull=True, processed_at__isnull=False,
                                   type__in=TIMELINE_TYPES, error="").exclude(pk=event.pk).order_by("id")
    for earlier in waiting.select_related("source"):
        with transaction.atomic():
            _place(earlier, party_id)
            Event.objects.filter(pk=earlier.pk).update(party_id=party_id)


def _group(event: Event, source: SourceRef) -> int | None:
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
    if person_id and not ContactRole.objects.filter(person_id=person_id, company_id=company_id).exists():
        services.add_role(person_id=person_id, company_id=company_id,
                          data={"position": _trait(traits, "title", "position")[:150]}, channel=CHANNEL)
    return person_id or company_id


def handle(event: Event) -> int | None:
    """Process one event; returns the customer it concerns (``None`` while the visitor is anonymous)."""
    source = SourceRef(name=event.source.name, record_id=event.message_id[:200], verified=event.source.verified)
    payload = event.payload
    if event.type == "identify":
        traits = payload.get("traits") or (payload.get("context") or {}).get("traits") or {}
        party_id = _identify_person(event, traits if isinstance(traits, dict) else {}, source)
        if party_id:
            link(event.source_id, "user", event.user_id, party_id)
            link(event.source_id, "anonymous", event.anonymous_id, party_id)
            _join_anonymous(event, party_id)
        return party_id
    if event.type == "alias":
        previous = str(payload.get("previousId") or "")
        party_id = party_of(event.source_id, "user", event.user_id) or party_of(
            event.source_id, "user", previous) or party_of(event.source_id, "anonymous", previous)
        link(event.source_id, "user", event.user_id, party_id)
        link(event.source_id, "user", previous, party_id)
        link(event.source_id, "anonymous", previous, party_id)
        if party_id:
            _join_anonymous(Event(pk=event.pk, source_id=event.source_id, anonymous_id=previous), party_id)
        return party_id
    if event.type == "group":
        return _group(event, source)
    party_id = resolve(event)
    if party_id is None:
        link(event.source_id, "anonymous", event.anonymous_id, None)
        return None
    _place(event, party_id)
    return party_id


ROUND_EVENTS = 100
ROUND_SECONDS = 0.25
"""Events processed in one transaction: at most this many, for at most about this long.  A commit per event
cost more than most events' work (a flush of the write-ahead log each); a bound on the round keeps the
write lock short, so the server storing new events beside the worker never waits long (SQLite has one
writer at a time)."""


def process(ids: list[int] | None = None, *, limit: int = 500) -> int:
    """Process waiting events (the given ones, or the oldest ``limit``); returns how many this call did."""
    pending = Event.objects.filter(processed_at__isnull=True)
    if ids is not None:
        pending = pending.filter(pk__in=ids)
    wanted = list(pending.order_by("id").values_list("pk", flat=True)[:limit])
    done, start = 0, 0
    while start < len(wanted):
        count, start = _round(wanted, start)
        done += count
    return done


def _round(wanted: list[int], start: int) -> tuple[int, int]:
    """Claim and process events from ``wanted[start:]`` in one transaction; ``(processed, next start)``.

    Each event is claimed with a conditional UPDATE (another worker's claim of the same event waits for this
    transaction and then finds it taken) and handled in a savepoint of its own.  An event that fails — refused
    by the services, or tripping over anything else in its content — keeps its error and becomes a dead
    letter while the others of the round still land; only a lost database connection (which no event causes)
    ends the round.  A crash loses the round's claims with its writes: those events are simply processed again.
    """
    began = time.monotonic()
    done = 0
    with transaction.atomic():
        while start < len(wanted) and done < ROUND_EVENTS and time.monotonic() - began < ROUND_SECONDS:
            pk = wanted[start]
            start += 1
            if Event.objects.filter(pk=pk, processed_at__isnull=True).update(processed_at=timezone.now()) == 0:
                continue  # another worker has it
            event = Event.objects.select_related("source").get(pk=pk)
            party_id, error = None, ""
            try:
                with transaction.atomic():
                    party_id = handle(event)
            except DomainError as exc:
                error = str(exc)[:2000] or exc.title
            except (OperationalError, InterfaceError):
                raise  # the database went away: the round is retried, the event is not at fault
            except Exception as exc:  # a bug or an unforeseen shape: set aside with the reason, never block
                log.exception("event %s could not be processed; set aside as a dead letter", pk)
                error = f"{type(exc).__name__}: {exc}"[:2000]
            # The reason may quote the event; it must be storable itself (no NUL, no lone surrogate).
            error = error.replace("\x00", "\\x00").encode("utf-8", "backslashreplace").decode("utf-8")
            Event.objects.filter(pk=pk).update(party_id=party_id, error=error)
            done += 1
    return done, start


def kick(ids: list[int]) -> None:
    """After events were committed: process them now (inline), or queue a round of processing for the worker."""
    mode = settings.KUNDEBASE_EVENT_PROCESSING
    if mode == "inline":
        process(ids)
    elif mode == "background":
        from kundebase.ingest.tasks import process_events_soon

        process_events_soon()


def sources_with_key(key: str) -> Source | None:
    from kundebase.ingest.models import key_digest

    return Source.objects.filter(key_digest=key_digest(key), active=True).first()

