"""Offer definitions: the one write path (API, web form) with the validation both share.

Eligibility is a rule in the segment language; it must compile (errors name the path inside the rule,
``eligibility.and[1].value``).  Caps are whole numbers of zero or more, and a validity window may not end
before it starts.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from kundebase.core import audit
from kundebase.core.errors import ErrorCollector, NotFound, ValidationFailed
from kundebase.offers.models import Offer

FIELDS = ("name", "kind", "product_sku", "content", "discount_pct", "margin", "channel", "priority", "valid_from",
          "valid_until", "cap_per_customer", "cap_total", "eligibility", "active")


def _decimal(value: Any, name: str, errors: ErrorCollector, *, low: Decimal | None = None,
             high: Decimal | None = None) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        errors.add(name, _("Give a number"))
        return None
    if not number.is_finite() or (low is not None and number < low) or (high is not None and number > high):
        errors.add(name, _("Give a number between %(low)s and %(high)s") % {"low": low, "high": high}
                   if high is not None else _("Give a number of %(low)s or more") % {"low": low})
        return None
    return number.quantize(Decimal("0.01"))


def _count(value: Any, name: str, errors: ErrorCollector) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        errors.add(name, _("Give a whole number"))
        return None
    if number < 0:
        errors.add(name, _("A cap cannot be negative"), "negative")
        return None
    if number > 2**31 - 1:
        errors.add(name, _("The number is too large"))
        return None
    return number


def _moment(value: Any, name: str, errors: ErrorCollector) -> dt.datetime | None:
    if value in (None, ""):
        return None
    moment = value if isinstance(value, dt.datetime) else None
    if moment is None:
        try:
            moment = parse_datetime(str(value)) or (
                dt.datetime.combine(dt.date.fromisoformat(str(value)), dt.time()))
        except ValueError:
            moment = None
    if moment is None:
        errors.add(name, _("Give a date and time (YYYY-MM-DDTHH:MM)"))
        return None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def clean(data: dict[str, Any], *, current: Offer | None = None) -> dict[str, Any]:
    """Validated model values from the given fields (missing ones keep ``current``'s); raises with every fault."""
    from kundebase.marketing.segments import validate
    from kundebase.orders.models import Product

    errors = ErrorCollector()
    unknown = sorted(set(data) - set(FIELDS))
    for key in unknown:
        errors.add(key, _("Unknown field"), "unknown_field")
    out: dict[str, Any] = {}
    if "name" in data or current is None:
        name = str(data.get("name") or "").strip()
        if not name or len(name) > 200:
            errors.add("name", _("Give the offer a name of 1–200 characters"), "required")
        out["name"] = name
    if "kind" in data:
        if data["kind"] not in Offer.Kind.values:
            errors.add("kind", _("Choose product or content"))
        out["kind"] = data["kind"]
    if "channel" in data:
        if data["channel"] not in Offer.Channel.values:
            errors.add("channel", _("Choose one of %(values)s") % {"values": ", ".join(Offer.Channel.values)})
        out["channel"] = data["channel"]
    if "product_sku" in data:
        sku = str(data.get("product_sku") or "").strip()
        product = Product.objects.filter(sku=sku).first() if sku else None
        if sku and product is None:
            errors.add("product_sku", _("No product has this SKU"), "not_found")
        out["product"] = product
    if "content" in data:
        out["content"] = str(data.get("content") or "")[:10000]
    if "discount_pct" in data:
        out["discount_pct"] = _decimal(data["discount_pct"], "discount_pct", errors, low=Decimal(0),
                                       high=Decimal(100)) or Decimal(0)
    if "margin" in data:
        out["margin"] = _decimal(data["margin"], "margin", errors, low=Decimal(0), high=Decimal("9999999999"))
    if "priority" in data:
        try:
            out["priority"] = int(data.get("priority") or 0)
            if abs(out["priority"]) > 1_000_000:
                raise ValueError
        except (TypeError, ValueError):
            errors.add("priority", _("Give a whole number"))
    for name in ("cap_per_customer", "cap_total"):
        if name in data:
            out[name] = _count(data[name], name, errors)
    for name in ("valid_from", "valid_until"):
        if name in data:
            out[name] = _moment(data[name], name, errors)
    start = out.get("valid_from", current.valid_from if current else None)
    end = out.get("valid_until", current.valid_until if current else None)
    if start and end and end <= start:
        errors.add("valid_until", _("The offer must end after it starts"), "window")
    if "eligibility" in data:
        rule = data.get("eligibility") or None
        if rule is not None:
            try:
                validate(rule)
            except ValidationFailed as exc:
                for error in exc.errors:
                    errors.add("eligibility" + error.field.removeprefix("rule"), error.message, error.code)
        out["eligibility"] = rule
    if "active" in data:
        out["active"] = bool(data["active"])
    kind = out.get("kind", current.kind if current else Offer.Kind.PRODUCT)
    product = out.get("product", current.product if current else None)
    if kind == Offer.Kind.PRODUCT and product is None and not any(e.field == "product_sku" for e in errors.errors):
        errors.add("product_sku", _("A product offer names its product"), "required")
    errors.raise_if_any()
    return out


@transaction.atomic
def create_offer(*, data: dict[str, Any], actor: object = None, channel: str = "api") -> Offer:
    offer = Offer.objects.create(**clean(data))
    if offer.eligibility and offer.active:
        from kundebase.offers import freshness

        freshness.mark_offer_rules()  # profiles keep each customer's answer to every active offer's rule
    audit.record(action="create", actor=actor, entity="offer", record_id=offer.pk, channel=channel,
                 note=offer.name[:200])
    return offer


def get_offer(offer_id: int) -> Offer:
    offer = Offer.objects.select_related("product").filter(pk=offer_id).first()
    if offer is None:
        raise NotFound(_("Offer"), offer_id)
    return offer


@transaction.atomic
def update_offer(*, offer_id: int, changes: dict[str, Any], actor: object = None, channel: str = "api") -> Offer:
    offer = get_offer(offer_id)
    values = clean(changes, current=offer)
    rule_before = (offer.eligibility, offer.active)
    for key, value in values.items():
        setattr(offer, key, value)
    offer.save()
    if offer.eligibility and offer.active and (offer.eligibility, offer.active) != rule_before:
        from kundebase.offers import freshness

        freshness.mark_offer_rules()  # profiles keep each customer's answer to every active offer's rule
    audit.record(action="update", actor=actor, entity="offer", record_id=offer.pk, channel=channel,
                 fields=sorted(values))
    return offer


def margin_of(offer: Offer) -> Decimal:
    """What one acceptance earns: the offer's own margin, else the product's list price after the discount
    less its unit cost (never below zero)."""
    if offer.margin is not None:
        return offer.margin
    if offer.product is None:
        return Decimal(0)
    price = offer.product.list_price * (Decimal(100) - offer.discount_pct) / Decimal(100)
    return max(price - offer.product.unit_cost, Decimal(0)).quantize(Decimal("0.01"))


def as_dict(offer: Offer) -> dict[str, Any]:
    return {"id": offer.pk, "name": offer.name, "kind": offer.kind,
            "product_sku": offer.product.sku if offer.product else None, "content": offer.content,
            "discount_pct": float(offer.discount_pct), "margin": float(margin_of(offer)), "channel": offer.channel,
            "priority": offer.priority, "valid_from": offer.valid_from, "valid_until": offer.valid_until,
            "cap_per_customer": offer.cap_per_customer, "cap_total": offer.cap_total,
            "eligibility": offer.eligibility, "active": offer.active}
