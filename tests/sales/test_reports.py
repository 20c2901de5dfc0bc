"""Sales reports on fixed data: the pipeline by stage and owner, the weighted forecast by month, win rate,
average deal size and cycle length, and overdue receivables by age bucket; over the API and on the page, each
reader seeing only the deals they may open."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from kundebase.sales import credit, reports, services
from kundebase.sales.access import deals_for
from kundebase.sales.models import Deal

pytestmark = pytest.mark.django_db
TODAY = dt.date(2030, 3, 15)


def make(world, owner, title, amount, stage=0, close=None, probability=None):
    data = {"title": title, "party_id": world.company.pk, "amount": amount, "stage_id": world.stages[stage].pk,
            "owner_id": owner.pk}
    if probability is not None:
        data["probability"] = probability
    deal = services.create_deal(data=data, actor=world.admin)
    Deal.objects.filter(pk=deal.pk).update(expected_close_on=close)
    return deal


@pytest.fixture
def book(world):
    """Open: 10 000 at 10 % (March 2030), 20 000 at 50 % (March), 40 000 at 75 % (May), 5 000 at 25 %
    (undated), 8 000 at 10 % (February: overdue), 1 000 at 50 % (2031: later). The first three are Selma's."""
    s, o = world.seller, world.other_seller
    make(world, s, "A", "10000", 0, dt.date(2030, 3, 20))
    make(world, s, "B", "20000", 2, dt.date(2030, 3, 31))
    make(world, s, "C", "40000", 3, dt.date(2030, 5, 2))
    make(world, o, "D", "5000", 1, None)
    make(world, o, "E", "8000", 0, dt.date(2030, 2, 1))
    make(world, o, "F", "1000", 2, dt.date(2031, 1, 1))
    return world


def test_forecast_by_month_is_weighted_by_each_deals_probability(book):
    got = reports.forecast_report(Deal.objects.all(), months=3, today=TODAY)
    assert [(m["month"], m["deals"], m["amount"], m["weighted"]) for m in got["months"]] == [
        ("2030-03", 2, Decimal("30000.00"), Decimal("11000.00")),  # 1 000 + 10 000
        ("2030-04", 0, Decimal("0.00"), Decimal("0.00")),
        ("2030-05", 1, Decimal("40000.00"), Decimal("30000.00")),
    ]
    assert got["total_weighted"] == Decimal("41000.00")
    assert got["overdue"] == {"deals": 1, "weighted": Decimal("800.00")}
    assert got["later"] == {"deals": 1, "weighted": Decimal("500.00")}
    assert got["undated"] == {"deals": 1, "weighted": Decimal("1250.00")}
    mine = reports.forecast_report(deals_for(book.seller), months=3, today=TODAY)
    assert mine["total_weighted"] == Decimal("41000.00") and mine["overdue"]["deals"] == 0
    Deal.objects.filter(title="B").update(probability=10)  # a deal's own probability counts, not its stage's
    assert reports.forecast_report(Deal.objects.all(), months=1, today=TODAY)["months"][0]["weighted"] == \
        Decimal("3000.00")


def test_pipeline_by_stage_and_owner(book):
    got = reports.pipeline_report(Deal.objects.all(), book.pipeline)
    assert [(g["label"], g["deals"], g["amount"], g["weighted"]) for g in got["by_stage"]] == [
        ("Lead", 2, Decimal("18000.00"), Decimal("1800.00")),
        ("Qualified", 1, Decimal("5000.00"), Decimal("1250.00")),
        ("Proposal", 2, Decimal("21000.00"), Decimal("10500.00")),
        ("Negotiation", 1, Decimal("40000.00"), Decimal("30000.00")),
    ]
    assert [(g["label"], g["deals"], g["amount"]) for g in got["by_owner"]] == [
        ("selma", 3, Decimal("70000.00")), ("sigurd", 3, Decimal("14000.00"))]
    assert (got["deals"], got["amount"], got["weighted"]) == (6, Decimal("84000.00"), Decimal("43550.00"))
    mine = reports.pipeline_report(deals_for(book.seller), book.pipeline)
    assert [g["label"] for g in mine["by_owner"]] == ["selma"] and mine["deals"] == 3


def test_win_rate_deal_size_and_cycle(world):
    now = timezone.now()
    deals = [make(world, world.seller, t, a) for t, a in (("W1", "10000"), ("W2", "30000"), ("L1", "60000"),
                                                          ("Old", "99999"))]
    for deal, won, created_days_ago, closed_days_ago in ((deals[0], True, 40, 10), (deals[1], True, 100, 20),
                                                         (deals[2], False, 30, 5), (deals[3], True, 900, 800)):
        (services.win_deal if won else lambda **kw: services.lose_deal(reason="price", **kw))(
            deal_id=deal.pk, actor=world.admin)
        Deal.objects.filter(pk=deal.pk).update(created_at=now - dt.timedelta(days=created_days_ago),
                                               closed_at=now - dt.timedelta(days=closed_days_ago))
    got = reports.performance_report(Deal.objects.all(), days=365, now=now)
    assert (got["closed"], got["won"], got["lost"]) == (3, 2, 1)  # "Old" closed 800 days ago: outside
    assert got["win_rate"] == round(2 / 3, 4)
    assert got["win_rate_by_amount"] == 0.4  # 40 000 of 100 000
    assert got["average_deal_size"] == Decimal("20000.00")
    assert got["average_cycle_days"] == 55.0  # (30 + 80) / 2


def test_ageing_buckets_on_fixed_data(world):
    def due(days_overdue):
        return (TODAY - dt.timedelta(days=days_overdue)).isoformat()

    rows = [(1, "100"), (30, "200"), (31, "400"), (60, "800"), (61, "1600"), (90, "3200"), (91, "6400"),
            (400, "12800"), (0, "99"), (-5, "99")]  # the last two are not overdue yet
    credit.import_ledger([{"party_id": world.company.pk, "invoice_number": f"A-{i}", "issued_on": "2020-01-01",
                           "due_on": due(d), "amount": amount, "paid": "0"} for i, (d, amount) in enumerate(rows)]
                         + [{"party_id": world.company.pk, "invoice_number": "PAID", "issued_on": "2020-01-01",
                             "due_on": due(45), "amount": "500", "paid": "500"},
                            {"party_id": world.company.pk, "invoice_number": "PART", "issued_on": "2020-01-01",
                             "due_on": due(45), "amount": "500", "paid": "450"}])
    got = reports.ageing_report(today=TODAY)
    assert [(b["bucket"], b["invoices"], b["amount"]) for b in got["buckets"]] == [
        ("0-30", 2, Decimal("300.00")), ("31-60", 3, Decimal("1250.00")), ("61-90", 2, Decimal("4800.00")),
        ("90+", 2, Decimal("19200.00"))]
    assert got["total"] == Decimal("25550.00") and got["invoices"] == 9


def test_reports_over_the_api_and_on_the_page(book, api, api_as, client_as):
    answer = api.get("/api/v1/sales-reports/forecast", months=2).json()
    assert len(answer["months"]) == 2 and "total_weighted" in answer
    pipeline = api.get("/api/v1/sales-reports/pipeline").json()
    assert pipeline["deals"] == 6 and pipeline["by_stage"][0]["label"] == "Lead"
    assert api.get("/api/v1/sales-reports/performance", days=30).json()["closed"] == 0
    assert api.get("/api/v1/sales-reports/ageing").json()["buckets"][0]["bucket"] == "0-30"
    bad = api.get("/api/v1/sales-reports/forecast", months=0)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "months"
    assert api.get("/api/v1/sales-reports/pipeline", pipeline_id=999999).status_code == 404
    seller = api_as("sales", "s2")
    assert seller.get("/api/v1/sales-reports/pipeline").json()["deals"] == 0  # no deals of their own
    assert api_as("marketing", "m").get("/api/v1/sales-reports/forecast").status_code == 403
    page = client_as("administrator", "boss").get("/sales/reports/")
    html = page.content.decode()
    assert page.status_code == 200 and html.count("<svg") >= 4 and "Weighted forecast by month" in html
    nb = client_as("sales", "selma-nb", HTTP_ACCEPT_LANGUAGE="nb").get("/sales/reports/")
    assert "Vektet prognose per måned" in nb.content.decode()
