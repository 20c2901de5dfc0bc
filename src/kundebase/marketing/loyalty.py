"""The loyalty programme: an append-only points ledger whose balance is always derived.

Points are earned from orders (per currency unit of revenue) and from actions
(configurable rules), spent by redemption and lost by expiry.  Expiry is
first-in-first-out: redemptions use the oldest points first, and a lot that
reaches its expiry date with points left over loses exactly those.  Redemption
locks the member row, so two concurrent redemptions can never both spend the
same points.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from kundebase.core import audit
from kundebase.core.errors import Conflict, NotFound, ValidationFailed
from kundebase.marketing.models import LoyaltyActionRule, LoyaltyEntry, LoyaltyMember, LoyaltyProgramme, LoyaltyTier
from kundebase.orders.models import Order
from kundebase.parties.models import Party
from kundebase.privacy import consent

TIER_WINDOW_DAYS = 365


def programme() -> LoyaltyProgramme:
    found = LoyaltyProgramme.objects.order_by("pk").first()
    return found or LoyaltyProgramme.objects.create()


def add_months(moment: dt.datetime, months: int) -> dt.datetime:
    month = moment.month - 1 + months
    year, month = moment.year + month // 12, month % 12 + 1
    days = [31, 29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28, 31, 30, 31, 30, 31, 31, 30, 31,
            30, 31][month - 1]
    return moment.replace(year=year, month=month, day=min(moment.day, days))


def balance(party_id: int) -> int:
    return int(LoyaltyEntry.objects.filter(party_id=party_id).aggregate(s=Sum("points"))["s"] or 0)


def _member(party_id: int, *, lock: bool = False) -> LoyaltyMember:
    qs = LoyaltyMember.objects.select_for_update() if lock else LoyaltyMember.objects
    member = qs.filter(party_id=party_id).first()
    if member is None:
        raise NotFound(_("Loyalty member"), party_id)
    return member


@transaction.atomic
def join(*, party_id: int, consent_given: bool, actor: object = None, channel: str = "api",
         notice_version: str = "") -> LoyaltyMember:
    """Member club sign-up: needs the customer's consent to the programme's purpose, recorded in the ledger."""
    if not Party.objects.filter(pk=party_id, merged_into__isnull=True, erased_at__isnull=True).exists():
        raise NotFound(_("Customer"), party_id)
    if not consent_given:
        raise ValidationFailed.one("consent", _("Joining the club needs the member's consent"), "required")
    if LoyaltyMember.objects.filter(party_id=party_id).exists():
        raise Conflict(_("Already a member"), code="already_member")
    prog = programme()
    consent.record(party_id=party_id, purpose=prog.purpose, channel="email", status="granted", source="form",
                   explanation="Loyalty club sign-up", notice_version=notice_version, actor=actor,
                   channel_of_request=channel)
    member = LoyaltyMember.objects.create(party_id=party_id)
    audit.record(action="create", actor=actor, entity="loyalty_member", record_id=member.pk, party_id=party_id,
                 channel=channel)
    rule = LoyaltyActionRule.objects.filter(action="signup").first()
    if rule is not None:
        _earn(party_id, rule.points, reference="action:signup")
    return member


def _earn(party_id: int, points: int, *, reference: str, order: Order | None = None,
          at: dt.datetime | None = None) -> LoyaltyEntry:
    at = at or timezone.now()
    entry = LoyaltyEntry.objects.create(party_id=party_id, kind=LoyaltyEntry.Kind.EARN, points=points,
                                        occurred_at=at, expires_at=add_months(at, programme().expiry_months),
                                        order=order, reference=reference[:120])
    update_tier(party_id)
    return entry


@transaction.atomic
def earn_for_order(*, order_id: int, actor: object = None, channel: str = "api") -> LoyaltyEntry | None:
    """Points for an order of a member (once per order); ``None`` when the customer is not a member."""
    order = Order.objects.filter(pk=order_id).first()
    if order is None:
        raise NotFound(_("Order"), order_id)
    if not LoyaltyMember.objects.filter(party_id=order.party_id).exists():
        return None
    points = int((order.revenue * programme().points_per_unit).to_integral_value(rounding=ROUND_FLOOR))
    if points <= 0:
        return None
    try:
        with transaction.atomic():
            entry = _earn(order.party_id, points, reference=f"order:{order.order_number}", order=order,
                          at=order.ordered_at)
    except IntegrityError as exc:
        raise Conflict(_("Points for this order were already given"), code="already_earned") from exc
    audit.record(action="change", actor=actor, entity="loyalty", record_id=entry.pk, party_id=order.party_id,
                 channel=channel, fields=["points"], note=f"+{points}")
    return entry


@transaction.atomic
def earn_for_action(*, party_id: int, action: str, reference: str = "", actor: object = None,
                    channel: str = "api") -> LoyaltyEntry:
    rule = LoyaltyActionRule.objects.filter(action=action).first()
    if rule is None:
        raise ValidationFailed.one("action", _("No earning rule for action %(a)s") % {"a": action[:60]}, "not_found")
    _member(party_id)
    entry = _earn(party_id, rule.points, reference=f"action:{action}:{reference}")
    audit.record(action="change", actor=actor, entity="loyalty", record_id=entry.pk, party_id=party_id,
                 channel=channel, fields=["points"], note=f"+{rule.points}")
    return entry


@transaction.atomic
def redeem(*, party_id: int, points: Any, reference: str = "", actor: object = None,
           channel: str = "api") -> LoyaltyEntry:
    """Spend points; refused beyond the balance.  The member row lock serialises concurrent redemptions."""
    if not isinstance(points, int) or isinstance(points, bool) or points <= 0 or points > 10**9:
        raise ValidationFailed.one("points", _("Give a positive whole number of points"), "invalid")
    _member(party_id, lock=True)
    expire_party(party_id, timezone.now())
    available = balance(party_id)
    if points > available:
        raise Conflict(_("Only %(n)d points are available") % {"n": available}, code="insufficient_points",
                       available=available)
    entry = LoyaltyEntry.objects.create(party_id=party_id, kind=LoyaltyEntry.Kind.REDEEM, points=-points,
                                        reference=reference[:120])
    audit.record(action="change", actor=actor, entity="loyalty", record_id=entry.pk, party_id=party_id,
                 channel=channel, fields=["points"], note=f"-{points}")
    return entry


def expiring_amount(entries: list[tuple[str, int, dt.datetime, dt.datetime | None]], now: dt.datetime) -> int:
    """Points that have expired by ``now`` and are not yet written off, by FIFO over the ledger.

    ``entries`` are ``(kind, points, occurred_at, expires_at)`` in time order.  Each earned lot keeps
    what is left of it; a redemption consumes the oldest lots still alive at its time; a lot whose
    date has passed loses its remainder.  Earlier write-offs are subtracted, so the run is idempotent.
    """
    lots: list[list[Any]] = []  # [remaining, expires_at]
    expired = 0
    written_off = 0

    def lapse(moment: dt.datetime) -> int:
        lost = 0
        for lot in lots:
            if lot[0] > 0 and lot[1] is not None and lot[1] <= moment:
                lost += lot[0]
                lot[0] = 0
        return lost

    for kind, points, at, expires_at in entries:
        expired += lapse(at)
        if kind == LoyaltyEntry.Kind.EARN:
            lots.append([points, expires_at])
        elif kind == LoyaltyEntry.Kind.EXPIRE:
            written_off += -points
        else:
            spend = -points
            for lot in lots:
                take = min(lot[0], spend)
                lot[0] -= take
                spend -= take
                if spend <= 0:
                    break
    expired += lapse(now)
    return max(expired - written_off, 0)


def expire_party(party_id: int, now: dt.datetime) -> int:
    entries = list(LoyaltyEntry.objects.filter(party_id=party_id).order_by("occurred_at", "id")
                   .values_list("kind", "points", "occurred_at", "expires_at"))
    amount = expiring_amount(entries, now)
    if amount > 0:
        LoyaltyEntry.objects.create(party_id=party_id, kind=LoyaltyEntry.Kind.EXPIRE, points=-amount,
                                    occurred_at=now, reference="expiry")
        update_tier(party_id)
    return amount


def run_expiry(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Write off expired points for every member with a lot past its date (idempotent)."""
    now = now or timezone.now()
    party_ids = (LoyaltyEntry.objects.filter(kind=LoyaltyEntry.Kind.EARN, expires_at__lte=now)
                 .values_list("party_id", flat=True).distinct())
    members, points = 0, 0
    for party_id in party_ids.iterator():
        with transaction.atomic():
            LoyaltyMember.objects.select_for_update().filter(party_id=party_id).first()
            amount = expire_party(party_id, now)
        if amount:
            members += 1
            points += amount
    return {"members": members, "points": points}


def run_order_earning(*, actor: object = None, channel: str = "cli") -> int:
    """Give members their points for orders that have none yet (idempotent; schedule it with the expiry)."""
    from django.db.models import Exists, OuterRef

    earned = LoyaltyEntry.objects.filter(order_id=OuterRef("pk"), kind=LoyaltyEntry.Kind.EARN)
    members = LoyaltyMember.objects.filter(party_id=OuterRef("party_id"), joined_at__lte=OuterRef("ordered_at"))
    pending = (Order.objects.filter(Exists(members)).exclude(Exists(earned)).filter(revenue__gt=0)
               .values_list("pk", flat=True))
    given = 0
    for order_id in pending.iterator():
        if earn_for_order(order_id=order_id, actor=actor, channel=channel) is not None:
            given += 1
    return given


def update_tier(party_id: int) -> LoyaltyTier | None:
    """Tier by points earned in the last 12 months; a change is time-stamped for the tier-change trigger."""
    since = timezone.now() - dt.timedelta(days=TIER_WINDOW_DAYS)
    earned = LoyaltyEntry.objects.filter(party_id=party_id, kind=LoyaltyEntry.Kind.EARN,
                                         occurred_at__gte=since).aggregate(s=Sum("points"))["s"] or 0
    tier = LoyaltyTier.objects.filter(threshold__lte=earned).order_by("-threshold").first()
    member = LoyaltyMember.objects.filter(party_id=party_id).first()
    if member is not None and member.tier_id != getattr(tier, "pk", None):
        member.tier = tier
        member.tier_changed_at = timezone.now()
        member.save(update_fields=["tier", "tier_changed_at"])
    return tier


def summary(party_id: int) -> dict[str, Any]:
    member = _member(party_id)
    return {"party_id": party_id, "balance": balance(party_id), "tier": member.tier.name if member.tier else None,
            "joined_at": member.joined_at.isoformat(),
            "entries": [{"kind": e.kind, "points": e.points, "occurred_at": e.occurred_at.isoformat(),
                         "expires_at": e.expires_at.isoformat() if e.expires_at else None, "reference": e.reference}
                        for e in LoyaltyEntry.objects.filter(party_id=party_id).order_by("occurred_at", "id")]}


def points_for(revenue: Decimal) -> int:
    return int((revenue * programme().points_per_unit).to_integral_value(rounding=ROUND_FLOOR))
