"""Credit control on fixed data: the ledger import (idempotent on invoice number; bad rows named and nothing
written), open balance and days overdue, and the warning on a deal over the credit limit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from kundebase.core.errors import ValidationFailed
from kundebase.sales import credit, services
from kundebase.sales.models import Invoice

pytestmark = pytest.mark.django_db
TODAY = dt.date(2030, 6, 30)


def rows(world):
    number = world.company.customer_number
    return [
        {"customer_number": number, "invoice_number": "F-1", "issued_on": "2030-05-01", "due_on": "2030-05-31",
         "amount": "10000", "paid": "4000"},
        {"customer_number": number, "invoice_number": "F-2", "issued_on": "2030-06-01", "due_on": "2030-06-20",
         "amount": "5000"},
        {"customer_number": number, "invoice_number": "F-3", "issued_on": "2030-06-25", "due_on": "2030-07-25",
         "amount": "2500,50"},
        {"party_id": world.company.pk, "invoice_number": "F-4", "issued_on": "2030-04-01", "due_on": "2030-04-15",
         "amount": "800", "paid": "800"},
    ]


def test_position_arithmetic_on_fixed_data(world):
    assert credit.import_ledger(rows(world)) == {"created": 4, "updated": 0}
    pos = credit.position(world.company.pk, today=TODAY)
    assert pos.open_balance == Decimal("6000") + Decimal("5000") + Decimal("2500.50")
    assert pos.overdue_balance == Decimal("11000.00")  # F-1 and F-2 are past due; F-3 is not yet, F-4 is paid
    assert pos.days_overdue == 30  # the oldest unpaid due date, 31 May, is 30 days before 30 June
    assert credit.position(world.person.pk, today=TODAY).open_balance == 0


def test_import_is_idempotent_on_invoice_number(world):
    credit.import_ledger(rows(world))
    again = rows(world)
    again[1]["paid"] = "5000"
    assert credit.import_ledger(again) == {"created": 0, "updated": 4}
    assert Invoice.objects.count() == 4
    assert credit.position(world.company.pk, today=TODAY).open_balance == Decimal("8500.50")


@pytest.mark.parametrize(("change", "field", "code"), [
    ({"invoice_number": "F-1"}, "rows[1].invoice_number", "duplicate"),
    ({"paid": "5000.01"}, "rows[1].paid", "exceeds_invoice"),
    ({"due_on": "2030-05-01"}, "rows[1].due_on", "before_issue"),
    ({"amount": "lots"}, "rows[1].amount", "invalid_number"),
    ({"customer_number": "nobody"}, "rows[1].customer_number", "not_found"),
    ({"issued_on": "30.06.2030"}, "rows[1].issued_on", "invalid_date"),
])
def test_bad_ledger_rows_are_named_and_nothing_is_written(world, change, field, code):
    data = rows(world)
    data[1].update(change)
    with pytest.raises(ValidationFailed) as exc:
        credit.import_ledger(data)
    assert (field, code) in [(e.field, e.code) for e in exc.value.errors]
    assert not Invoice.objects.exists()


def test_deal_over_the_credit_limit_warns_in_the_api_and_on_the_page(api, world, client_as):
    from kundebase.parties.models import Company

    Company.objects.filter(pk=world.company.pk).update(credit_limit=Decimal("20000"))
    credit.import_ledger(rows(world))  # open balance 13 500.50
    small = api.post("/api/v1/deals", {"title": "Liten", "party_id": world.company.pk, "amount": "1000"}).json()
    assert small["credit_warning"] == ""
    big = api.post("/api/v1/deals", {"title": "Stor", "party_id": world.company.pk, "amount": "7000"}).json()
    assert "passes the credit limit 20000.00" in big["credit_warning"]
    pos = api.get(f"/api/v1/credit/{world.company.pk}").json()
    assert pos["open_balance"] == "13500.50" and pos["headroom"] == "6499.50"
    client = client_as("administrator", "boss")
    assert "Credit warning:" in client.get(f"/sales/deals/{big['id']}/").content.decode()
    Company.objects.filter(pk=world.company.pk).update(dunning_status="debt_collection")
    assert credit.warning(world.company.pk) == "The customer is in debt collection"


def test_ledger_over_the_api_names_the_row(api, world):
    data = rows(world)
    data[2]["paid"] = "9999"
    res = api.post("/api/v1/ledger", {"rows": data})
    assert res.status_code == 422 and res["Content-Type"].startswith("application/problem+json")
    assert res.json()["errors"][0]["field"] == "rows[2].paid"
    assert api.post("/api/v1/ledger", {"rows": rows(world)}).json() == {"created": 4, "updated": 0}


def test_salesperson_may_read_credit_but_not_import(api_as, world):
    seller = api_as("sales", "s")
    assert seller.get(f"/api/v1/credit/{world.company.pk}").status_code == 200
    assert seller.post("/api/v1/ledger", {"rows": rows(world)}).status_code == 403
    assert services.base_currency() == "NOK"
