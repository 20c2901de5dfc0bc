"""Orders with their lines, the product catalogue and product interests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from kundebase.core import audit, sequences
from kundebase.core.errors import ErrorCollector, NotFound, ValidationFailed
from kundebase.orders.models import Order, OrderLine, Product, ProductCategory, ProductInterest
from kundebase.parties.models import Party
from kundebase.parties.services import lifecycle, refuse_erased

MAX_LINES = 1000


def _money(value: Any, name: str, errors: ErrorCollector, *, allow_negative: bool = True) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, TypeError):
        errors.add(name, _("%(v)s is not a number") % {"v": value})
        return Decimal(0)
    if not number.is_finite() or abs(number) >= Decimal("1e12"):
        errors.add(name, _("%(v)s is out of range") % {"v": value})
        return Decimal(0)
    if not allow_negative and number < 0:
        errors.add(name, _("Must not be negative"))
    return number.quantize(Decimal("0.01"))


def _clean_lines(lines: list[dict[str, Any]], errors: ErrorCollector,
                 products: dict[str, Product] | None = None) -> list[dict[str, Any]]:
    if not lines:
        errors.add("lines", _("An order needs at least one line"), "required")
    if len(lines) > MAX_LINES:
        errors.add("lines", _("At most %(n)d lines") % {"n": MAX_LINES}, "too_long")
        return []
    if products is None:
        skus = {str(line.get("sku")) for line in lines if line.get("sku")}
        products = {p.sku: p for p in Product.objects.filter(sku__in=skus)}
    out = []
    for i, line in enumerate(lines):
        prefix = f"lines[{i}]."
        product = None
        sku = line.get("sku")
        if sku:
            product = products.get(str(sku))
            if product is None:
                errors.add(prefix + "sku", _("No product with SKU %(s)s") % {"s": sku}, "not_found")
        try:
            quantity = Decimal(str(line.get("quantity", 1)))
            if not quantity.is_finite() or quantity <= 0 or quantity > Decimal("1e8"):
                raise InvalidOperation
        except (InvalidOperation, TypeError):
            errors.add(prefix + "quantity", _("Must be a positive number"))
            quantity = Decimal(1)
        if line.get("revenue") is None:
            if product is None:
                errors.add(prefix + "revenue", _("Give the revenue, or a product SKU with a list price"), "required")
            revenue = (product.list_price * quantity).quantize(Decimal("0.01")) if product else Decimal(0)
        else:
            revenue = _money(line["revenue"], prefix + "revenue", errors)
        if line.get("cost") is None:
            cost = (product.unit_cost * quantity).quantize(Decimal("0.01")) if product else Decimal(0)
        else:
            cost = _money(line["cost"], prefix + "cost", errors, allow_negative=False)
        description = str(line.get("description") or (product.name if product else ""))[:300]
        out.append({"product": product, "quantity": quantity, "revenue": revenue, "cost": cost,
                    "description": description})
    return out


def build_order(*, party_id: int, data: dict[str, Any], lines: list[dict[str, Any]],
                products: dict[str, Product] | None = None,
                check_number: bool = True) -> tuple[Order, list[dict[str, Any]]]:
    """The order and its cleaned lines, validated but not saved (``ValidationFailed`` when they are wrong).

    What :func:`create_order` stores one at a time, and a batch of tracking events stores in bulk: the batch
    gives the products of all its orders (``products``, SKU → product) and has checked its order numbers.
    An order without a number gets none here; the caller allocates it.
    """
    errors = ErrorCollector()
    cleaned_lines = _clean_lines(lines, errors, products)
    ordered_at = data.get("ordered_at") or timezone.now()
    if isinstance(ordered_at, str):
        try:
            ordered_at = dt.datetime.fromisoformat(ordered_at)
        except ValueError:
            errors.add("ordered_at", _("Not a date and time (ISO 8601)"), "invalid_datetime")
            ordered_at = timezone.now()
    if timezone.is_naive(ordered_at):
        ordered_at = timezone.make_aware(ordered_at)
    if ordered_at > timezone.now() + dt.timedelta(days=1):
        errors.add("ordered_at", _("The order date is in the future"), "future_date")
    order_channel = data.get("channel") or "other"
    if order_channel not in Order.Channel.values:
        errors.add("channel", _("Must be one of %(c)s") % {"c": ", ".join(Order.Channel.values)}, "invalid_choice")
    currency = str(data.get("currency") or "NOK").upper()
    if len(currency) != 3 or not currency.isalpha():
        errors.add("currency", _("Use a three-letter ISO 4217 code"))
    number = str(data.get("order_number") or "").strip()
    if check_number and number and Order.objects.filter(order_number=number).exists():
        errors.add("order_number", _("Order number %(n)s exists") % {"n": number}, "duplicate")
    errors.raise_if_any()
    order = Order(party_id=party_id, order_number=number[:60], ordered_at=ordered_at, channel=order_channel,
                  source=str(data.get("source") or "")[:120], currency=currency,
                  revenue=sum((line["revenue"] for line in cleaned_lines), Decimal(0)),
                  cost=sum((line["cost"] for line in cleaned_lines), Decimal(0)))
    return order, cleaned_lines


@transaction.atomic
def create_order(*, party_id: int, data: dict[str, Any], lines: list[dict[str, Any]], actor: object = None,
                 channel: str = "api") -> Order:
    if not Party.objects.filter(pk=party_id).exists():
        raise NotFound(_("Customer"), party_id)
    refuse_erased(party_id)
    order, cleaned_lines = build_order(party_id=party_id, data=data, lines=lines)
    number = order.order_number or str(sequences.allocate("order_number"))
    order.order_number = number[:60]
    warning = _new_business_warning(party_id, order.revenue, order.currency)
    try:
        with transaction.atomic():
            order.save(force_insert=True)
    except IntegrityError as exc:
        raise ValidationFailed.one("order_number", _("Order number %(n)s exists") % {"n": number},
                                   "duplicate") from exc
    OrderLine.objects.bulk_create(OrderLine(order=order, **line) for line in cleaned_lines)
    lifecycle.activate(party_id)
    audit.record(action="create", actor=actor, entity="order", record_id=order.pk, party_id=party_id, channel=channel)
    order.credit_warning = warning
    return order


def _new_business_warning(party_id: int, amount: Decimal, currency: str) -> str:
    """What the apps that watch new business (sales' credit control) say about this order; they raise to refuse
    it, naming ``lines``, where its amount comes from."""
    from kundebase.core import hooks

    said = [fn(party_id=party_id, amount=amount, currency=currency, field="lines") for fn in hooks.new_business]
    return "; ".join(text for text in said if text)


@transaction.atomic
def create_category(*, name: str, parent_id: int | None = None) -> ProductCategory:
    name = (name or "").strip()
    if not name or len(name) > 120:
        raise ValidationFailed.one("name", _("Give a name of at most 120 characters"))
    slug = slugify(name)[:120] or "category"
    if ProductCategory.objects.filter(slug=slug).exists():
        raise ValidationFailed.one("name", _("A category with this name exists"), "duplicate")
    if parent_id is not None and not ProductCategory.objects.filter(pk=parent_id).exists():
        raise ValidationFailed.one("parent_id", _("Category %(id)s does not exist") % {"id": parent_id}, "not_found")
    return ProductCategory.objects.create(name=name, slug=slug, parent_id=parent_id)


@transaction.atomic
def create_product(*, data: dict[str, Any]) -> Product:
    errors = ErrorCollector()
    sku = str(data.get("sku") or "").strip()
    name = str(data.get("name") or "").strip()
    if not sku or len(sku) > 60:
        errors.add("sku", _("Give a SKU of at most 60 characters"), "required")
    elif Product.objects.filter(sku=sku).exists():
        errors.add("sku", _("A product with this SKU exists"), "duplicate")
    if not name or len(name) > 200:
        errors.add("name", _("Give a name of at most 200 characters"), "required")
    category_id = data.get("category_id")
    if category_id is not None and not ProductCategory.objects.filter(pk=category_id).exists():
        errors.add("category_id", _("Category %(id)s does not exist") % {"id": category_id}, "not_found")
    price = _money(data.get("list_price", 0), "list_price", errors, allow_negative=False)
    cost = _money(data.get("unit_cost", 0), "unit_cost", errors, allow_negative=False)
    errors.raise_if_any()
    return Product.objects.create(sku=sku, name=name, category_id=category_id, list_price=price, unit_cost=cost)


@transaction.atomic
def add_interest(*, party_id: int, category_id: int | None = None, product_id: int | None = None,
                 source: str = "", accepted: bool = True, actor: object = None,
                 channel: str = "api") -> ProductInterest:
    errors = ErrorCollector()
    if not Party.objects.filter(pk=party_id).exists():
        raise NotFound(_("Customer"), party_id)
    refuse_erased(party_id)
    if category_id is None and product_id is None:
        errors.add("category_id", _("Name a product category or a product"), "required")
    if category_id is not None and not ProductCategory.objects.filter(pk=category_id).exists():
        errors.add("category_id", _("Category %(id)s does not exist") % {"id": category_id}, "not_found")
    if product_id is not None and not Product.objects.filter(pk=product_id).exists():
        errors.add("product_id", _("Product %(id)s does not exist") % {"id": product_id}, "not_found")
    errors.raise_if_any()
    interest, _created = ProductInterest.objects.get_or_create(
        # django-stubs types a nullable foreign key's ``_id`` lookup as not taking None; it does (IS NULL)
        party_id=party_id, category_id=category_id, product_id=product_id,  # type: ignore[misc]
        defaults={"source": source[:120], "accepted": accepted})
    if not _created and accepted and not interest.accepted:
        interest.accepted = True
        interest.save(update_fields=["accepted", "updated_at"])
    audit.record(action="change", actor=actor, entity="product_interest", record_id=interest.pk, party_id=party_id,
                 channel=channel, fields=["product_interests"])
    return interest


@transaction.atomic
def remove_interest(*, interest_id: int, actor: object = None, channel: str = "api") -> None:
    interest = ProductInterest.objects.filter(pk=interest_id).first()
    if interest is None:
        raise NotFound(_("Product interest"), interest_id)
    interest.delete()
    audit.record(action="change", actor=actor, entity="product_interest", record_id=interest_id,
                 party_id=interest.party_id, channel=channel, fields=["product_interests"], note="removed")
