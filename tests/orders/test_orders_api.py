"""Orders through the API: revenue, cost and margin from the lines; bad lines refused with nothing written."""

from __future__ import annotations

from decimal import Decimal

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer(api, person_payload):
    return api.post("/api/v1/persons", person_payload).json()


@pytest.fixture
def tent(api):
    category = api.post("/api/v1/product-categories", {"name": "Tents"}).json()
    res = api.post("/api/v1/products", {"sku": "TNT-2", "name": "Tunnel tent", "category_id": category["id"],
                                        "list_price": "4990.00", "unit_cost": "2650.00"})
    assert res.status_code == 201, res.content
    return res.json()


def test_order_sums_lines_and_computes_margin(api, customer, tent):
    res = api.post("/api/v1/orders", {"party_id": customer["id"], "channel": "web", "lines": [
        {"sku": "TNT-2", "quantity": 2},
        {"description": "Repair", "revenue": "390.00", "cost": "380.00"},
    ]})
    assert res.status_code == 201, res.content
    order = res.json()
    assert Decimal(order["revenue"]) == Decimal("10370.00")
    assert Decimal(order["cost"]) == Decimal("5680.00")
    assert Decimal(order["margin"]) == Decimal("4690.00")
    assert order["order_number"].isdigit()
    assert api.get(f"/api/v1/persons/{customer['id']}").json()["status"] == "active"
    listed = api.get("/api/v1/orders", party_id=customer["id"]).json()["items"]
    assert [o["id"] for o in listed] == [order["id"]]


@pytest.mark.parametrize(
    ("lines", "field"),
    [([], "lines"), ([{"sku": "NOPE"}], "lines[0].sku"), ([{"description": "x"}], "lines[0].revenue"),
     ([{"description": "x", "revenue": 1, "quantity": 0}], "lines[0].quantity"),
     ([{"description": "x", "revenue": 1, "quantity": -2}], "lines[0].quantity"),
     ([{"description": "x", "revenue": 1, "cost": -5}], "lines[0].cost"),
     ([{"description": "x", "revenue": "1e15"}], "lines[0].revenue"),
     ([{"description": "ok", "revenue": 10}, {"sku": "NOPE"}], "lines[1].sku")],
)
def test_bad_lines_are_refused_and_nothing_is_written(api, customer, tent, lines, field):
    from kundebase.orders.models import Order, OrderLine

    res = api.post("/api/v1/orders", {"party_id": customer["id"], "lines": lines})
    assert res.status_code == 422, res.content
    assert res["Content-Type"] == "application/problem+json"
    assert field in {e["field"] for e in res.json()["errors"]}
    assert not Order.objects.exists() and not OrderLine.objects.exists()


@pytest.mark.parametrize(
    ("changes", "status"),
    [({"channel": "pigeon"}, 422), ({"currency": "KRONER"}, 422), ({"ordered_at": "2999-01-01T00:00:00Z"}, 422),
     ({"party_id": 987654}, 404)],
)
def test_bad_order_fields(api, customer, changes, status):
    body = {"party_id": customer["id"], "lines": [{"description": "x", "revenue": 10}]} | changes
    assert api.post("/api/v1/orders", body).status_code == status


def test_duplicate_order_number_is_refused(api, customer):
    body = {"party_id": customer["id"], "order_number": "A-1", "lines": [{"description": "x", "revenue": 10}]}
    assert api.post("/api/v1/orders", body).status_code == 201
    res = api.post("/api/v1/orders", body)
    assert res.status_code == 422 and res.json()["errors"][0]["code"] == "duplicate"


def test_product_interests(api, customer, tent):
    res = api.post("/api/v1/product-interests", {"party_id": customer["id"], "product_id": tent["id"]})
    assert res.status_code == 201
    assert api.post("/api/v1/product-interests", {"party_id": customer["id"]}).status_code == 422
    assert len(api.get("/api/v1/product-interests", party_id=customer["id"]).json()) == 1
    assert api.delete(f"/api/v1/product-interests/{res.json()['id']}").status_code == 204
    assert api.get("/api/v1/product-interests", party_id=customer["id"]).json() == []
