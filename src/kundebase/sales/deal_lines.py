"""Products on deals: the one write path for deal lines.

A deal's lines are a product, a quantity and a unit price (default the product's list price) in the deal's
currency. A deal with lines has their sum as its amount: the amount follows the lines, and an amount given
beside them must be that sum (422 on ``amount``), so the pipeline's sums and the products never disagree.
Lines are replaced as a whole (:func:`set_deal_lines`); adding and removing one goes through the same path.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kundebase.core.errors import Conflict, ErrorCollector, NotFound
from kundebase.sales.access import deal_or_404
from kundebase.sales.models import Deal, DealLine

MAX_LINES = 100
CENTS = Decimal("0.01")


def _number(value: Any, field: str, errors: ErrorCollector, places: str) -> Decimal | None:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        errors.add(field, _("%(v)s is not a number") % {"v": value}, "invalid_number")
        return None
    if not number.is_finite() or abs(number) >= Decimal("1e9"):
        errors.add(field, _("%(v)s is out of range") % {"v": value}, "out_of_range")
        return None
    return number.quantize(Decimal(places))


def clean_lines(lines: Any, errors: ErrorCollector, *, prefix: str = "lines") -> list[DealLine]:
    """Unsaved lines from ``[{"product_id", "quantity", "unit_price"}]``; each bad value is named by its row
    (``lines[2].quantity``)."""
    from kundebase.orders.models import Product

    if not isinstance(lines, list):
        errors.add(prefix, _("A list of lines"), "invalid")
        return []
    if len(lines) > MAX_LINES:
        errors.add(prefix, _("At most %(n)d lines") % {"n": MAX_LINES}, "too_long")
        return []
    ids = {line.get("product_id") for line in lines if isinstance(line, dict)}
    products = Product.objects.in_bulk([i for i in ids if isinstance(i, int) and not isinstance(i, bool)])
    out = []
    for i, line in enumerate(lines):
        at = f"{prefix}[{i}]."
        if not isinstance(line, dict):
            errors.add(f"{prefix}[{i}]", _("A line needs a product and a quantity"), "invalid")
            continue
        product = products.get(line.get("product_id"))
        if line.get("product_id") in (None, ""):
            errors.add(at + "product_id", _("Required"), "required")
        elif product is None:
            errors.add(at + "product_id", _("Product %(id)s does not exist") % {"id": line.get("product_id")},
                       "not_found")
        elif not product.active:
            errors.add(at + "product_id", _("Product %(p)s is no longer sold") % {"p": product.sku}, "inactive")
        quantity = _number(line.get("quantity", 1) if line.get("quantity") is not None else 1, at + "quantity",
                           errors, "0.001")
        if quantity is not None and quantity <= 0:
            errors.add(at + "quantity", _("Must be greater than zero"), "out_of_range")
        price = line.get("unit_price")
        unit_price = (_number(price, at + "unit_price", errors, "0.01") if price not in (None, "")
                      else (product.list_price if product is not None else Decimal(0)))
        if unit_price is not None and unit_price < 0:
            errors.add(at + "unit_price", _("Must not be negative"), "out_of_range")
        if product is not None and quantity is not None and unit_price is not None:
            out.append(DealLine(product=product, quantity=quantity, unit_price=unit_price, position=i + 1))
    return out


def total(lines: list[DealLine]) -> Decimal:
    return sum((line.amount for line in lines), Decimal(0)).quantize(CENTS)


def amount_from_lines(data: dict[str, Any], errors: ErrorCollector) -> list[DealLine] | None:
    """For a new deal: its cleaned lines (``None`` without ``lines``), and ``data["amount"]`` set to their sum;
    an amount given that is not the sum is refused on ``amount``."""
    if data.get("lines") is None:
        return None
    built = clean_lines(data["lines"], errors)
    if errors:
        return built
    _check_amount(data.get("amount"), total(built), errors)
    data["amount"] = total(built) if built else data.get("amount", 0)
    return built


def _check_amount(given: Any, expected: Decimal, errors: ErrorCollector) -> None:
    if given in (None, ""):
        return
    try:
        same = Decimal(str(given)).quantize(CENTS) == expected
    except (InvalidOperation, ValueError):
        return  # the amount's own check names it
    if not same:
        errors.add("amount", _("The amount follows the products: %(t)s, not %(a)s") % {"t": expected, "a": given},
                   "amount_mismatch")


def refuse_amount_beside_lines(deal: Deal, changes: dict[str, Any], errors: ErrorCollector) -> None:
    """A change of a deal's amount is refused when the deal has lines and the amount is not their sum."""
    if "amount" in changes and deal.lines.exists():
        _check_amount(changes["amount"], total(list(deal.lines.all())), errors)


@transaction.atomic
def set_deal_lines(*, deal_id: int, lines: list[dict[str, Any]], actor: Any = None) -> Deal:
    """Replace an open deal's lines; its amount (and amount in the base currency) becomes their sum. With no
    lines the amount stays as it was and can be typed again."""
    from kundebase.sales.services import _rate

    deal = deal_or_404(actor, deal_id)
    errors = ErrorCollector()
    built = clean_lines(lines, errors)
    errors.raise_if_any()
    if deal.status != Deal.Status.OPEN:
        raise Conflict(_("The deal is %(s)s; reopen it first") % {"s": deal.get_status_display()}, "deal_closed")
    Deal.objects.select_for_update().filter(pk=deal.pk).first()
    deal.lines.all().delete()
    for line in built:
        line.deal = deal
    DealLine.objects.bulk_create(built)
    if built:
        deal.amount = total(built)
        deal.amount_base = (deal.amount * _rate(deal.currency, errors)).quantize(CENTS)
        errors.raise_if_any()
        deal.save(update_fields=["amount", "amount_base", "updated_at"])
    return deal


def _as_data(line: DealLine) -> dict[str, Any]:
    return {"product_id": line.product_id, "quantity": line.quantity, "unit_price": line.unit_price}


def add_deal_line(*, deal_id: int, data: dict[str, Any], actor: Any = None) -> Deal:
    """Add one product to a deal (after its other lines)."""
    deal = deal_or_404(actor, deal_id)
    return set_deal_lines(deal_id=deal.pk, lines=[*map(_as_data, deal.lines.all()), data], actor=actor)


def remove_deal_line(*, deal_id: int, line_id: int, actor: Any = None) -> Deal:
    deal = deal_or_404(actor, deal_id)
    kept = [line for line in deal.lines.all() if line.pk != line_id]
    if len(kept) == deal.lines.count():
        raise NotFound(_("Deal line"), line_id)
    return set_deal_lines(deal_id=deal.pk, lines=[_as_data(line) for line in kept], actor=actor)
