"""REST routes for orders, products, categories and product interests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import ConfigDict, Field, StrictInt

from kundebase.core import pagination
from kundebase.core.api_auth import require
from kundebase.core.errors import NotFound
from kundebase.orders import services
from kundebase.orders.models import Order, Product, ProductCategory, ProductInterest

router = Router(tags=["orders"])


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")


class OrderLineIn(Strict):
    sku: str | None = Field(None, max_length=60)
    description: str = Field("", max_length=300)
    quantity: Decimal = Decimal(1)
    revenue: Decimal | None = None
    cost: Decimal | None = None


class OrderIn(Strict):
    party_id: StrictInt
    order_number: str | None = Field(None, max_length=60)
    ordered_at: dt.datetime | None = None
    channel: str = "other"
    source: str = Field("", max_length=120)
    currency: str = Field("NOK", max_length=3)
    lines: list[OrderLineIn] = Field(max_length=1000)


class OrderLineOut(Schema):
    id: int
    product_id: int | None
    description: str
    quantity: Decimal
    revenue: Decimal
    cost: Decimal


class OrderOut(Schema):
    id: int
    party_id: int
    order_number: str
    ordered_at: dt.datetime
    channel: str
    source: str
    currency: str
    revenue: Decimal
    cost: Decimal
    margin: Decimal
    lines: list[OrderLineOut]
    credit_warning: str = Field("", description="On a new order: set when the customer's open balance plus this "
                                                "order passes its credit limit, or the customer is in debt "
                                                "collection (empty when read later)")

    @staticmethod
    def resolve_lines(obj: Order) -> list[object]:
        return list(obj.lines.all())


class OrderList(Schema):
    items: list[OrderOut]
    next: str | None


class CategoryIn(Strict):
    name: str = Field(max_length=120)
    parent_id: StrictInt | None = None


class CategoryOut(Schema):
    id: int
    name: str
    slug: str
    parent_id: int | None


class ProductIn(Strict):
    sku: str = Field(max_length=60)
    name: str = Field(max_length=200)
    category_id: StrictInt | None = None
    list_price: Decimal = Decimal(0)
    unit_cost: Decimal = Decimal(0)


class ProductOut(Schema):
    id: int
    sku: str
    name: str
    category_id: int | None
    list_price: Decimal
    unit_cost: Decimal
    active: bool


class InterestIn(Strict):
    party_id: StrictInt
    category_id: StrictInt | None = None
    product_id: StrictInt | None = None
    source: str = Field("", max_length=120)


class InterestOut(Schema):
    id: int
    party_id: int
    category_id: int | None
    product_id: int | None
    source: str
    accepted: bool


@router.get("/orders", response={200: OrderList})
def list_orders(request: HttpRequest, party_id: int | None = None, since: dt.datetime | None = None,
                cursor: str | None = None, limit: int = 50):
    require(request, "orders.view_order")
    qs = Order.objects.prefetch_related("lines")
    if party_id is not None:
        qs = qs.filter(party_id=party_id)
    if since is not None:
        qs = qs.filter(ordered_at__gte=since)
    items, nxt = pagination.page(qs, cursor, limit)
    return {"items": items, "next": nxt}


@router.post("/orders", response={201: OrderOut})
def create_order(request: HttpRequest, payload: OrderIn):
    """Record an order; each line has revenue and cost so margin per customer can be computed."""
    require(request, "orders.add_order")
    data = payload.model_dump(exclude={"lines", "party_id"})
    return Status(201, services.create_order(party_id=payload.party_id, data=data,
                                      lines=[line.model_dump() for line in payload.lines], actor=request.user))


@router.get("/orders/{int:order_id}", response={200: OrderOut})
def get_order(request: HttpRequest, order_id: int):
    require(request, "orders.view_order")
    order = Order.objects.prefetch_related("lines").filter(pk=order_id).first()
    if order is None:
        raise NotFound("Order", order_id)
    return order


@router.get("/product-categories", response={200: list[CategoryOut]})
def list_categories(request: HttpRequest):
    require(request, "orders.view_productcategory")
    return list(ProductCategory.objects.all())


@router.post("/product-categories", response={201: CategoryOut})
def create_category(request: HttpRequest, payload: CategoryIn):
    require(request, "orders.add_productcategory")
    return Status(201, services.create_category(name=payload.name, parent_id=payload.parent_id))


@router.get("/products", response={200: list[ProductOut]})
def list_products(request: HttpRequest, category_id: int | None = None):
    require(request, "orders.view_product")
    qs = Product.objects.all()
    if category_id is not None:
        qs = qs.filter(category_id=category_id)
    return list(qs[:1000])


@router.post("/products", response={201: ProductOut})
def create_product(request: HttpRequest, payload: ProductIn):
    require(request, "orders.add_product")
    return Status(201, services.create_product(data=payload.model_dump()))


@router.get("/product-interests", response={200: list[InterestOut]})
def list_interests(request: HttpRequest, party_id: int):
    require(request, "orders.view_productinterest")
    return list(ProductInterest.objects.filter(party_id=party_id))


@router.post("/product-interests", response={201: InterestOut})
def add_interest(request: HttpRequest, payload: InterestIn):
    require(request, "orders.add_productinterest")
    return Status(201, services.add_interest(party_id=payload.party_id, category_id=payload.category_id,
                                      product_id=payload.product_id, source=payload.source, actor=request.user))


@router.delete("/product-interests/{int:interest_id}", response={204: None})
def remove_interest(request: HttpRequest, interest_id: int):
    require(request, "orders.delete_productinterest")
    services.remove_interest(interest_id=interest_id, actor=request.user)
    return Status(204, None)
