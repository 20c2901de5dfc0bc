"""Keeping profiles current on write: every change marks which *kind* of data changed, not just "stale".

A profile is built from a few sources (the customer record, consent ledger, orders, timeline, loyalty, product
interests, offer events, static segment lists).  A write sets the bit of its source in the row's
``stale_parts`` and raises its ``generation`` in one indexed ``UPDATE`` (no row is touched when the customer has
no profile yet, so writers pay almost nothing).  The next read rebuilds only the parts that depend on a marked
source (:data:`PART_SOURCES`): an "Offers shown" timeline entry re-reads the last interactions and the offer
counters, and re-evaluates only the segments whose rule looks at interactions; the analytics mirror and the key
figures are touched only when orders changed.

The model signals the analytics mirror already relies on (orders, interactions, customers, addresses) and
the consent ledger, loyalty and segment records mark the customer's profile; bulk imports reach us through
``core.hooks.party_saved`` and the event batch marks what it wrote.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import F
from django.db.models.signals import post_delete, post_save

IDENTITY = 1
"""The customer record: party, person, company, addresses, contact points, custom fields."""
CONSENT = 2
SEGMENTS = 4
"""Static segment lists (and, with :func:`mark_all`, segment definitions): every segment is re-evaluated."""
ORDERS = 8
LOYALTY = 16
INTERACTIONS = 32
INTERESTS = 64
OFFERS = 128
OFFER_RULES = 256
"""The offers' eligibility rules (their definitions): every profile's answers to them are evaluated again."""
EVERYTHING = 511

PART_SOURCES = {
    "identity": IDENTITY,
    "consent": IDENTITY | CONSENT | ORDERS,  # the country's policy, the register exemption for customers
    "key_figures": ORDERS,
    "loyalty": LOYALTY,
    "last_interactions": INTERACTIONS,
    "interests": INTERESTS,
    "offers": OFFERS,
}
"""Which sources each part of a profile is computed from (segments: :func:`rule_sources`)."""

MODEL_SOURCES = {
    "Party": IDENTITY, "Person": IDENTITY, "Company": IDENTITY, "Address": IDENTITY, "ContactPoint": IDENTITY,
    "Order": ORDERS, "Interaction": INTERACTIONS, "ConsentEvent": CONSENT, "LoyaltyEntry": LOYALTY,
    "LoyaltyMember": LOYALTY, "SegmentMember": SEGMENTS, "ProductInterest": INTERESTS,
}
ATTRIBUTE_SOURCES = (("orders.", ORDERS), ("interactions.", INTERACTIONS), ("loyalty.", LOYALTY),
                     ("consent", CONSENT), ("interest", INTERESTS))
"""Segment-language attribute prefixes and the source they read; anything else reads the customer record,
except campaign responses and nested segments, which may read anything."""
READS_ANYTHING = ("campaign", "segment")


def rule_sources(rule: Any) -> int:
    """The sources a segment-language rule reads: a change to any other leaves its answer as it was."""
    found = 0
    if isinstance(rule, dict):
        attr = rule.get("attr")
        if isinstance(attr, str):
            if attr in READS_ANYTHING:
                return EVERYTHING
            found |= next((bit for prefix, bit in ATTRIBUTE_SOURCES if attr.startswith(prefix)), IDENTITY)
        for value in rule.values():
            if isinstance(value, dict | list):
                found |= rule_sources(value)
    elif isinstance(rule, list):
        for value in rule:
            found |= rule_sources(value)
    return found


def mark(party_ids: Iterable[int | None], sources: int = EVERYTHING) -> None:
    """What these customers' profiles show from ``sources`` is out of date."""
    from kundebase.offers.models import Profile

    ids = sorted({int(pid) for pid in party_ids if pid})
    if ids:
        Profile.objects.filter(party_id__in=ids).update(generation=F("generation") + 1,
                                                        stale_parts=F("stale_parts").bitor(sources))


def mark_each(changes: dict[int, int]) -> None:
    """Mark each customer's profile with its own sources (``{party_id: sources}``), in one statement.

    On PostgreSQL the customers and their sources go as two arrays (an event batch marks hundreds of profiles:
    a ``CASE`` of ``IN`` lists is thousands of parameters for Django to build and the driver to render)."""
    from django.db import connection
    from django.db.models import Case, IntegerField, Value, When

    from kundebase.core.dialect import for_connection
    from kundebase.offers.models import Profile

    if for_connection(connection).has_arrays:
        wanted = {int(pid): int(sources) for pid, sources in changes.items() if pid and sources}
        if wanted:
            table = connection.ops.quote_name(Profile._meta.db_table)
            with connection.cursor() as cursor:
                cursor.execute(f"UPDATE {table} SET generation = {table}.generation + 1, "
                               f"stale_parts = {table}.stale_parts | v.sources "
                               "FROM unnest(%s::bigint[], %s::integer[]) AS v(party_id, sources) "
                               f"WHERE {table}.party_id = v.party_id", [list(wanted), list(wanted.values())])
        return
    by_sources: dict[int, list[int]] = {}
    for pid, sources in changes.items():
        if pid and sources:
            by_sources.setdefault(sources, []).append(int(pid))
    if not by_sources:
        return
    bits = Case(*(When(party_id__in=ids, then=Value(sources)) for sources, ids in by_sources.items()),
                default=Value(0), output_field=IntegerField())
    Profile.objects.filter(party_id__in=[pid for ids in by_sources.values() for pid in ids]).update(
        generation=F("generation") + 1, stale_parts=F("stale_parts").bitor(bits))  # type: ignore[arg-type]


def mark_all() -> None:
    """Every profile's segments are out of date (a segment's definition changed, so anyone's membership may)."""
    from kundebase.offers.models import Profile

    Profile.objects.update(generation=F("generation") + 1, stale_parts=F("stale_parts").bitor(SEGMENTS))


def mark_offer_rules() -> None:
    """Every profile's answers to the offers' eligibility rules are out of date (an offer's rule was defined or
    changed): each is evaluated again on the profile's next read, one indexed query per rule."""
    from kundebase.offers.models import Profile

    Profile.objects.update(generation=F("generation") + 1, stale_parts=F("stale_parts").bitor(OFFER_RULES))


def parties_saved(*, party_ids: list[int], created: bool, **_kw: Any) -> None:
    if not created:
        mark(party_ids)  # a bulk write (an import) may bring anything: orders, consents, list entries


def _party_of(sender: Any, instance: Any, **_kw: Any) -> None:
    party_id = getattr(instance, "party_id", None)
    if party_id is None and sender.__name__ in {"Party", "Person", "Company"}:
        party_id = instance.pk
    mark([party_id], MODEL_SOURCES.get(sender.__name__, EVERYTHING))
    merged_into = getattr(instance, "merged_into_id", None)
    if merged_into:
        mark([merged_into])  # the survivor takes over orders, timeline, consents …


def _segment_changed(sender: Any, instance: Any, **_kw: Any) -> None:
    mark_all()


def connect() -> None:
    from kundebase.interactions.models import Interaction
    from kundebase.marketing.models import LoyaltyEntry, LoyaltyMember, Segment, SegmentMember
    from kundebase.orders.models import Order, ProductInterest
    from kundebase.parties.models import Address, Company, ContactPoint, Party, Person
    from kundebase.privacy.models import ConsentEvent

    for model in (Party, Person, Company, Address, ContactPoint, Order, Interaction, ConsentEvent, LoyaltyEntry,
                  LoyaltyMember, SegmentMember, ProductInterest):
        post_save.connect(_party_of, sender=model, dispatch_uid=f"profile_{model.__name__}_saved")
        post_delete.connect(_party_of, sender=model, dispatch_uid=f"profile_{model.__name__}_deleted")
    post_save.connect(_segment_changed, sender=Segment, dispatch_uid="profile_segment_saved")
    post_delete.connect(_segment_changed, sender=Segment, dispatch_uid="profile_segment_deleted")
