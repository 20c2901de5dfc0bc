"""Dunning on fixed data: the level a customer's oldest overdue invoice reaches under its country's rule, which
country applies, payment terms (the customer's own, else its country's), the rules' write path over the API and
the settings page, and the level on the customer page and in the credit API."""

from __future__ import annotations

import datetime as dt
from importlib import import_module

import pytest
from django.utils import timezone

from kundebase.core.errors import ValidationFailed
from kundebase.parties.models import Company
from kundebase.sales import credit, dunning

pytestmark = pytest.mark.django_db
TODAY = dt.date(2030, 6, 30)


def invoice(world, number: str, days_overdue: int, *, amount: str = "1000", paid: str = "0",
            today: dt.date = TODAY) -> dict:
    due = today - dt.timedelta(days=days_overdue)
    return {"party_id": world.company.pk, "invoice_number": number, "issued_on": (due - dt.timedelta(days=30))
            .isoformat(), "due_on": due.isoformat(), "amount": amount, "paid": paid}


@pytest.fixture
def german(world):
    dunning.set_rule(country="DE", data={"payment_terms_days": 30, "reminder_1_days": 14, "reminder_2_days": 28,
                                         "collection_days": 42})
    Company.objects.filter(pk=world.company.pk).update(org_country="DE")
    return world


def test_shipped_rules_cover_four_countries_with_rising_thresholds():
    shipped = import_module("kundebase.sales.migrations.0004_dunning_rules").SHIPPED_RULES
    assert {row[0] for row in shipped} == {"NO", "DK", "DE", "HU"}
    for _country, terms, first, second, collection in shipped:
        assert 0 < terms <= 60 and 0 < first < second < collection


@pytest.mark.parametrize(("days", "level"), [
    (5, "none"), (13, "none"), (14, "reminder_1"), (27, "reminder_1"), (28, "reminder_2"), (41, "reminder_2"),
    (42, "debt_collection"), (400, "debt_collection"),
])
def test_level_follows_the_oldest_overdue_invoice(german, days, level):
    credit.import_ledger([invoice(german, "A", days), invoice(german, "B", 3)])
    pos = credit.position(german.company.pk, today=TODAY)
    assert pos.days_overdue == days
    assert (pos.country, pos.dunning_level) == ("DE", level)
    assert pos.in_collection is (level == "debt_collection")


def test_paid_invoices_do_not_count(german):
    credit.import_ledger([invoice(german, "A", 50, paid="1000"), invoice(german, "B", 20, amount="500", paid="1")])
    pos = credit.position(german.company.pk, today=TODAY)
    assert (pos.days_overdue, pos.dunning_level, pos.overdue_balance) == (20, "reminder_1", 499)


def test_country_from_registration_then_billing_address_then_default(world, settings):
    from kundebase.parties import services as parties

    dunning.set_rule(country="HU", data={"payment_terms_days": 30, "reminder_1_days": 8, "reminder_2_days": 30,
                                         "collection_days": 60})
    dunning.set_rule(country="NO", data={"payment_terms_days": 14, "reminder_1_days": 1, "reminder_2_days": 14,
                                         "collection_days": 28})
    settings.KUNDEBASE_DEFAULT_COUNTRY = "NO"
    assert dunning.customer_country(world.company.pk) == "NO"
    parties.add_address(party_id=world.company.pk, data={"kind": "postal", "street": "Utca 1", "postcode": "1051",
                                                         "city": "Budapest", "country": "DK"})
    assert dunning.customer_country(world.company.pk) == "DK"
    parties.add_address(party_id=world.company.pk, data={"kind": "billing", "street": "Utca 2", "postcode": "1051",
                                                         "city": "Budapest", "country": "HU"})
    assert dunning.customer_country(world.company.pk) == "HU"
    credit.import_ledger([invoice(world, "A", 30)])
    assert credit.position(world.company.pk, today=TODAY).dunning_level == "reminder_2"  # HU: 30 days
    Company.objects.filter(pk=world.company.pk).update(org_country="SE")  # no rule for SE: the default's (NO)
    pos = credit.position(world.company.pk, today=TODAY)
    assert (pos.country, pos.dunning_level, pos.payment_terms_days) == ("SE", "debt_collection", 14)


def test_payment_terms_own_else_country_and_due_date_from_them(german):
    assert credit.position(german.company.pk).payment_terms_days == 30
    credit.import_ledger([{"party_id": german.company.pk, "invoice_number": "T-1", "issued_on": "2030-06-01",
                           "amount": "100"}])
    Company.objects.filter(pk=german.company.pk).update(payment_terms_days=10)
    credit.import_ledger([{"party_id": german.company.pk, "invoice_number": "T-2", "issued_on": "2030-06-01",
                           "amount": "100"}])
    from kundebase.sales.models import Invoice

    due = dict(Invoice.objects.values_list("invoice_number", "due_on"))
    assert due == {"T-1": dt.date(2030, 7, 1), "T-2": dt.date(2030, 6, 11)}
    assert credit.position(german.company.pk).payment_terms_days == 10


@pytest.mark.parametrize(("data", "field"), [
    ({"reminder_2_days": 14}, "reminder_2_days"),
    ({"collection_days": 20}, "collection_days"),
    ({"reminder_1_days": 0}, "reminder_1_days"),
    ({"payment_terms_days": "x"}, "payment_terms_days"),
])
def test_a_rule_whose_thresholds_do_not_rise_is_refused(data, field):
    good = {"payment_terms_days": 30, "reminder_1_days": 14, "reminder_2_days": 28, "collection_days": 42}
    with pytest.raises(ValidationFailed) as exc:
        dunning.set_rule(country="FI", data={**good, **data})
    assert field in [e.field for e in exc.value.errors]
    with pytest.raises(ValidationFailed):
        dunning.set_rule(country="Finland", data=good)
    assert not dunning.DunningRule.objects.filter(country="FI").exists()


def test_recorded_status_counts_when_it_says_more(german):
    Company.objects.filter(pk=german.company.pk).update(dunning_status="debt_collection")
    pos = credit.position(german.company.pk, today=TODAY)
    assert pos.dunning_level == "none" and pos.in_collection
    assert credit.warning(german.company.pk) == "The customer is in debt collection"


def test_rules_over_the_api_and_the_level_in_the_credit_answer(api, api_as, world):
    rule = {"payment_terms_days": 30, "reminder_1_days": 14, "reminder_2_days": 28, "collection_days": 42}
    res = api.put("/api/v1/dunning-rules/de", rule)
    assert res.status_code == 200 and res.json()["country"] == "DE"
    bad = api.put("/api/v1/dunning-rules/DE", {**rule, "collection_days": 28})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "collection_days"
    assert "DE" in [r["country"] for r in api.get("/api/v1/dunning-rules").json()]
    Company.objects.filter(pk=world.company.pk).update(org_country="DE")
    credit.import_ledger([invoice(world, "A", 30, today=timezone.localdate())])
    answer = api.get(f"/api/v1/credit/{world.company.pk}").json()
    assert (answer["dunning_level"], answer["country"], answer["payment_terms_days"]) == ("reminder_2", "DE", 30)
    seller = api_as("sales", "s")
    assert seller.get("/api/v1/dunning-rules").status_code == 200
    assert seller.put("/api/v1/dunning-rules/DE", rule).status_code == 403
    assert seller.put("/api/v1/credit-policy", {"mode": "refuse"}).status_code == 403
    assert api.delete("/api/v1/dunning-rules/DE").status_code == 204
    assert api.delete("/api/v1/dunning-rules/DE").status_code == 404


def test_settings_page_and_customer_page(world, client_as):
    admin = client_as("administrator", "boss")
    page = admin.post("/sales/credit/", {"action": "rule", "country": "AT", "payment_terms_days": "30",
                                         "reminder_1_days": "14", "reminder_2_days": "10", "collection_days": "42"})
    assert page.status_code == 422 and "Must be later than reminder 1" in page.content.decode()
    assert not dunning.DunningRule.objects.filter(country="AT").exists()
    saved = admin.post("/sales/credit/", {"action": "rule", "country": "at", "payment_terms_days": "30",
                                          "reminder_1_days": "14", "reminder_2_days": "28", "collection_days": "42"})
    assert saved.status_code == 302 and dunning.DunningRule.objects.get(country="AT").collection_days == 42
    Company.objects.filter(pk=world.company.pk).update(org_country="AT")
    credit.import_ledger([invoice(world, "A", 45, today=timezone.localdate())])
    html = admin.get(f"/customers/{world.company.pk}/").content.decode()
    assert 'data-level="debt_collection"' in html and "rules for Austria" in html  # the country by name
    nb = client_as("administrator", "boss-nb", HTTP_ACCEPT_LANGUAGE="nb")
    assert "Betalingsbetingelser" in nb.get(f"/customers/{world.company.pk}/").content.decode()
    assert client_as("sales", "s").get("/sales/credit/").status_code == 403
