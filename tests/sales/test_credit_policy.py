"""New business over the credit limit or for a customer in debt collection: a new order gets the warning (in the
API answer and after the order page), and with the credit policy set to refuse, deals and orders are refused
(409 naming the field, the error beside the field on the pages) and nothing is written."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kundebase.parties.models import Company
from kundebase.sales import credit, dunning

pytestmark = pytest.mark.django_db


@pytest.fixture
def limited(world):
    Company.objects.filter(pk=world.company.pk).update(credit_limit=Decimal("20000"))
    credit.import_ledger([{"party_id": world.company.pk, "invoice_number": "F-1", "issued_on": "2030-05-01",
                           "due_on": "2030-05-31", "amount": "15000"}])  # open balance 15 000, headroom 5 000
    return world


def order(world, amount: str) -> dict:
    return {"party_id": world.company.pk, "lines": [{"description": "Tak", "revenue": amount}]}


def test_a_new_order_over_the_limit_is_warned_about_in_the_api(api, limited):
    from kundebase.orders.models import Order

    small = api.post("/api/v1/orders", order(limited, "4000"))
    assert small.status_code == 201 and small.json()["credit_warning"] == ""
    big = api.post("/api/v1/orders", order(limited, "6000"))
    assert big.status_code == 201
    assert big.json()["credit_warning"] == "Open balance 15000.00 plus 6000.00 passes the credit limit 20000.00"
    assert api.get(f"/api/v1/orders/{big.json()['id']}").json()["credit_warning"] == ""
    assert Order.objects.count() == 2


def test_refuse_mode_refuses_orders_and_deals_with_409_naming_the_field(api, limited):
    from kundebase.orders.models import Order
    from kundebase.sales.models import Deal

    assert api.put("/api/v1/credit-policy", {"mode": "refuse"}).json() == {"mode": "refuse"}
    refused = api.post("/api/v1/orders", order(limited, "6000"))
    assert refused.status_code == 409 and refused["Content-Type"].startswith("application/problem+json")
    body = refused.json()
    assert body["code"] == "credit_refused"
    assert [(e["field"], e["code"]) for e in body["errors"]] == [("lines", "over_credit_limit")]
    deal = api.post("/api/v1/deals", {"title": "Stor", "party_id": limited.company.pk, "amount": "7000"})
    assert deal.status_code == 409 and deal.json()["errors"][0]["field"] == "amount"
    assert not Order.objects.exists() and not Deal.objects.exists()
    assert api.post("/api/v1/orders", order(limited, "4000")).status_code == 201  # within the limit
    Company.objects.filter(pk=limited.company.pk).update(dunning_status="debt_collection")
    collection = api.post("/api/v1/orders", order(limited, "1"))
    assert collection.status_code == 409 and collection.json()["errors"][0]["field"] == "party_id"
    bad = api.put("/api/v1/credit-policy", {"mode": "block"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "mode"
    assert api.get("/api/v1/credit-policy").json() == {"mode": "refuse"}


def test_computed_collection_refuses_in_refuse_mode(world):
    from kundebase.core.errors import DomainError

    dunning.set_rule(country="NO", data={"payment_terms_days": 14, "reminder_1_days": 1, "reminder_2_days": 14,
                                         "collection_days": 28})
    Company.objects.filter(pk=world.company.pk).update(org_country="NO")
    credit.import_ledger([{"party_id": world.company.pk, "invoice_number": "OLD", "issued_on": "2020-01-01",
                           "due_on": "2020-01-15", "amount": "10"}])
    assert credit.check_new_business(world.company.pk, Decimal(1)) == "The customer is in debt collection"
    dunning.set_policy(mode="refuse")
    with pytest.raises(DomainError) as exc:
        credit.check_new_business(world.company.pk, Decimal(1))
    assert exc.value.status == 409


def test_order_page_warns_and_in_refuse_mode_shows_the_error_on_the_form(limited, client_as):
    from kundebase.orders.models import Order

    client = client_as("sales", "sara")
    form = {"party_id": limited.company.pk, "channel": "sales", "currency": "NOK",
            "lines[0].description": "Tak", "lines[0].revenue": "6000"}
    done = client.post("/orders/new/", form, follow=True)
    html = done.content.decode()
    assert "is created" in html and "Credit warning: Open balance 15000.00 plus 6000.00" in html
    dunning.set_policy(mode="refuse")
    refused = client.post("/orders/new/", form)
    assert refused.status_code == 422
    assert "Refused by the credit policy" not in refused.content.decode()  # the field's own message is shown
    assert "passes the credit limit" in refused.content.decode()
    assert Order.objects.count() == 1


def test_deal_page_in_refuse_mode_puts_the_error_beside_the_amount(limited, client_as):
    from kundebase.sales.models import Deal

    dunning.set_policy(mode="refuse")
    client = client_as("sales", "sara")
    page = client.post("/sales/deals/new/", {"title": "Stor", "party_id": limited.company.pk, "amount": "7000",
                                             "pipeline_id": limited.pipeline.pk, "currency": "NOK"})
    assert page.status_code == 422
    html = page.content.decode()
    assert 'id="id_amount_error"' in html and "passes the credit limit" in html
    assert not Deal.objects.exists()
