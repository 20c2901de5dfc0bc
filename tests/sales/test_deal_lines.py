"""Products on deals: lines of product, quantity and price; the deal's amount follows them (or an amount given
beside them must be their sum); bad lines are named by row and nothing is written."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kundebase.core.errors import ValidationFailed
from kundebase.orders import services as orders
from kundebase.sales import deal_lines, services
from kundebase.sales.models import Deal, DealLine
from tests.sales.conftest import later

pytestmark = pytest.mark.django_db


@pytest.fixture
def products(db):
    return (orders.create_product(data={"sku": "LIC-1", "name": "Licence", "list_price": "1200"}),
            orders.create_product(data={"sku": "SRV-1", "name": "Setup", "list_price": "950.50"}))


def test_amount_follows_the_lines_through_the_service(world, products):
    licence, setup = products
    deal = services.create_deal(data={"title": "Lisenser", "party_id": world.company.pk, "lines": [
        {"product_id": licence.pk, "quantity": "3"}, {"product_id": setup.pk, "quantity": 1, "unit_price": "800"}]},
        actor=world.seller)
    assert deal.amount == Decimal("4400.00") and deal.amount_base == Decimal("4400.00")
    assert [(line.product.sku, line.quantity, line.unit_price) for line in deal.lines.order_by("position")] == [
        ("LIC-1", Decimal("3.000"), Decimal("1200.00")), ("SRV-1", Decimal("1.000"), Decimal("800.00"))]
    deal = deal_lines.add_deal_line(deal_id=deal.pk, data={"product_id": setup.pk, "quantity": "0.5"},
                                    actor=world.seller)
    assert Deal.objects.get(pk=deal.pk).amount == Decimal("4875.25")  # + 0.5 × 950.50
    first = deal.lines.order_by("position").first()
    deal_lines.remove_deal_line(deal_id=deal.pk, line_id=first.pk, actor=world.seller)
    assert Deal.objects.get(pk=deal.pk).amount == Decimal("1275.25")
    with pytest.raises(ValidationFailed) as exc:
        services.update_deal(deal_id=deal.pk, changes={"amount": "99"}, actor=world.seller)
    assert [(e.field, e.code) for e in exc.value.errors] == [("amount", "amount_mismatch")]


def test_foreign_currency_lines_are_converted_at_the_rate(world, products):
    services.set_exchange_rate(currency="EUR", rate="11.5")
    deal = services.create_deal(data={"title": "Euro", "party_id": world.person.pk, "currency": "EUR",
                                      "lines": [{"product_id": products[0].pk, "quantity": 2, "unit_price": "100"}]},
                                actor=world.seller)
    assert (deal.amount, deal.amount_base) == (Decimal("200.00"), Decimal("2300.00"))


@pytest.mark.parametrize(("line", "field", "code"), [
    ({"product_id": 999999}, "lines[1].product_id", "not_found"),
    ({"quantity": "0"}, "lines[1].quantity", "out_of_range"),
    ({"quantity": "many"}, "lines[1].quantity", "invalid_number"),
    ({"unit_price": "-5"}, "lines[1].unit_price", "out_of_range"),
    ({"product_id": None}, "lines[1].product_id", "required"),
])
def test_bad_lines_are_named_by_row_and_nothing_is_written(world, products, line, field, code):
    bad = {"product_id": products[1].pk, **line}
    with pytest.raises(ValidationFailed) as exc:
        services.create_deal(data={"title": "X", "party_id": world.person.pk,
                                   "lines": [{"product_id": products[0].pk}, bad]}, actor=world.seller)
    assert (field, code) in [(e.field, e.code) for e in exc.value.errors]
    assert not Deal.objects.exists() and not DealLine.objects.exists()


def test_an_amount_beside_lines_must_be_their_sum(world, products):
    data = {"title": "X", "party_id": world.person.pk, "lines": [{"product_id": products[0].pk}]}
    with pytest.raises(ValidationFailed) as exc:
        services.create_deal(data={**data, "amount": "1000"}, actor=world.seller)
    assert [(e.field, e.code) for e in exc.value.errors] == [("amount", "amount_mismatch")]
    assert services.create_deal(data={**data, "amount": "1200"}, actor=world.seller).amount == Decimal("1200.00")


def test_lines_over_the_api_and_in_the_schema(api_as, world, products):
    api = api_as("sales", "line-seller")
    res = api.post("/api/v1/deals", {"title": "Via API", "party_id": world.company.pk, "expected_close_on": later(),
                                     "lines": [{"product_id": products[0].pk, "quantity": "2"}]})
    assert res.status_code == 201, res.content
    deal = res.json()
    assert deal["amount"] == "2400.00" and deal["lines"][0]["sku"] == "LIC-1"
    assert deal["lines"][0]["amount"] == "2400.00"
    replaced = api.put(f"/api/v1/deals/{deal['id']}/lines", {"lines": [
        {"product_id": products[1].pk, "quantity": "4", "unit_price": "10"}]})
    assert replaced.status_code == 200, replaced.content
    assert replaced.json()["amount"] == "40.00" and [line["name"] for line in replaced.json()["lines"]] == ["Setup"]
    bad = api.put(f"/api/v1/deals/{deal['id']}/lines", {"lines": [{"product_id": products[1].pk, "quantity": "-1"}]})
    assert bad.status_code == 422 and bad["Content-Type"].startswith("application/problem+json")
    assert [e["field"] for e in bad.json()["errors"]] == ["lines[0].quantity"]
    assert api.get(f"/api/v1/deals/{deal['id']}").json()["amount"] == "40.00"  # nothing written
    other = api_as("sales", "other-seller")
    assert other.put(f"/api/v1/deals/{deal['id']}/lines", {"lines": []}).status_code == 404
    schema = api.get("/api/v1/openapi.json").json()
    assert "put" in schema["paths"]["/api/v1/deals/{deal_id}/lines"]
    assert "DealLineIn" in schema["components"]["schemas"]


def test_lines_on_the_deal_page(client_as, world, products):
    client = client_as("sales", "page-seller")
    deal = services.create_deal(data={"title": "Side", "party_id": world.person.pk}, actor=client.user)
    res = client.post(f"/sales/deals/{deal.pk}/lines/", {"product_id": products[0].pk, "quantity": "2"},
                      follow=True)
    assert res.status_code == 200 and "Licence" in res.content.decode()
    assert Deal.objects.get(pk=deal.pk).amount == Decimal("2400.00")
    res = client.post(f"/sales/deals/{deal.pk}/lines/", {"product_id": products[0].pk, "quantity": "0"},
                      follow=True)
    assert res.status_code == 200 and "greater than zero" in res.content.decode()
    line = deal.lines.get()
    client.post(f"/sales/deals/{deal.pk}/lines/{line.pk}/remove/")
    assert not deal.lines.exists()
