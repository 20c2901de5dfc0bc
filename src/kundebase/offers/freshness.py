"""Keeping profiles current on write: every change to what a profile shows raises its generation.

The model signals the analytics mirror already relies on (orders, interactions, customers, addresses) and
the consent ledger, loyalty and segment records mark the customer's profile; bulk imports reach us through
``core.hooks.party_saved``.  Marking is one indexed ``UPDATE`` that touches no row when the customer has no
profile yet, so writers pay almost nothing; the rebuild happens once, on the next read.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import F
from django.db.models.signals import post_delete, post_save


def mark(party_ids: Iterable[int | None]) -> None:
    """The profiles of these customers are out of date."""
    from kundebase.offers.models import Profile

    ids = [int(pid) for pid in party_ids if pid]
    if ids:
        Profile.objects.filter(party_id__in=ids).update(generation=F("generation") + 1)


def mark_all() -> None:
    """Every profile is out of date (a segment's definition changed, so anyone's membership may have)."""
    from kundebase.offers.models import Profile

    Profile.objects.update(generation=F("generation") + 1)


def parties_saved(*, party_ids: list[int], created: bool, **_kw: Any) -> None:
    if not created:
        mark(party_ids)


def _party_of(sender: Any, instance: Any, **_kw: Any) -> None:
    party_id = getattr(instance, "party_id", None)
    if party_id is None and sender.__name__ in {"Party", "Person", "Company"}:
        party_id = instance.pk
    mark([party_id])
    merged_into = getattr(instance, "merged_into_id", None)
    if merged_into:
        mark([merged_into])


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
