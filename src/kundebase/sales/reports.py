"""Sales reports: the open pipeline by stage and by owner, the weighted forecast by month of expected close,
win rate, average deal size and sales-cycle length over closed deals, stage conversion (from :mod:`flow`) and
overdue receivables by age.

They read the operational database with grouped aggregates (one query per figure, the rows never fetched), over
the deals the reader may see (:func:`access.deals_for`: a salesperson's own, a manager's team's, everything for
an administrator), so a report never shows a deal its reader could not open. Money is in the base currency
(``amount_base``); a weighted amount is the amount times the deal's own probability.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from kundebase.sales.models import Deal, Invoice, Pipeline

CENTS = Decimal("0.01")
AGE_BUCKETS = [("0-30", 0, 30), ("31-60", 31, 60), ("61-90", 61, 90), ("90+", 91, None)]
"""Days overdue per bucket, both ends included (an invoice due yesterday is 1 day overdue: bucket 0–30)."""
MAX_MONTHS = 36
MAX_DAYS = 3660


def _money(value: Any) -> Decimal:
    return Decimal(value or 0).quantize(CENTS)  # SQLite sums decimals as floats


def _weighted(value: Any) -> Decimal:
    return (Decimal(value or 0) / 100).quantize(CENTS)


WEIGHT = Sum(F("amount_base") * F("probability"))
"""Amount times probability (in percent): divided by 100 in Python, so both databases give the same cents."""


@dataclass
class Group:
    key: Any
    label: str
    deals: int
    amount: Decimal
    weighted: Decimal


def pipeline_report(deals: QuerySet[Deal], pipeline: Pipeline) -> dict[str, Any]:
    """The open deals of a pipeline by stage (in the pipeline's order) and by owner (largest first)."""
    from django.contrib.auth import get_user_model

    open_deals = deals.filter(pipeline=pipeline, status=Deal.Status.OPEN)
    stages = list(pipeline.stages.order_by("position", "id"))
    sums: dict[int, dict[str, Any]] = {
        r["stage_id"]: dict(r) for r in open_deals.values("stage_id").annotate(n=Count("id"), a=Sum("amount_base"),
                                                                          w=WEIGHT).order_by()}
    empty: dict[str, Any] = {}
    by_stage = [Group(s.pk, s.label, sums.get(s.pk, empty).get("n", 0), _money(sums.get(s.pk, empty).get("a")),
                      _weighted(sums.get(s.pk, empty).get("w"))) for s in stages]
    owners = list(open_deals.values("owner_id").annotate(n=Count("id"), a=Sum("amount_base"), w=WEIGHT)
                  .order_by("owner_id"))
    names = dict(get_user_model().objects.filter(pk__in=[r["owner_id"] for r in owners if r["owner_id"]])
                 .values_list("pk", "username"))
    by_owner = sorted((Group(r["owner_id"], names.get(r["owner_id"], "—"), r["n"], _money(r["a"]),
                             _weighted(r["w"])) for r in owners), key=lambda g: (-g.amount, g.label))
    return {"pipeline_id": pipeline.pk, "by_stage": [asdict(g) for g in by_stage],
            "by_owner": [asdict(g) for g in by_owner],
            "deals": sum(g.deals for g in by_stage), "amount": sum((g.amount for g in by_stage), Decimal(0)),
            "weighted": sum((g.weighted for g in by_stage), Decimal(0))}


def forecast_report(deals: QuerySet[Deal], *, pipeline: Pipeline | None = None, months: int = 12,
                    today: dt.date | None = None) -> dict[str, Any]:
    """Open deals by the month they are expected to close, from this month on for ``months`` months: the
    amount and the weighted amount. Deals expected before this month are summed as ``overdue``, those
    without a date as ``undated``, those after the last month as ``later``."""
    today = today or timezone.localdate()
    months = max(1, min(int(months), MAX_MONTHS))
    first = today.replace(day=1)
    month_starts = [_add_months(first, i) for i in range(months)]
    end = _add_months(first, months)
    open_deals = deals.filter(status=Deal.Status.OPEN)
    if pipeline is not None:
        open_deals = open_deals.filter(pipeline=pipeline)
    inside = (open_deals.filter(expected_close_on__gte=first, expected_close_on__lt=end)
              .annotate(month=TruncMonth("expected_close_on")).values("month")
              .annotate(n=Count("id"), a=Sum("amount_base"), w=WEIGHT).order_by("month"))
    found: dict[dt.date, dict[str, Any]] = {_as_date(r["month"]): dict(r) for r in inside}
    empty: dict[str, Any] = {}
    rows = [{"month": m.isoformat()[:7], "deals": found.get(m, empty).get("n", 0),
             "amount": _money(found.get(m, empty).get("a")), "weighted": _weighted(found.get(m, empty).get("w"))}
            for m in month_starts]
    rest = open_deals.aggregate(
        overdue_n=Count("id", filter=Q(expected_close_on__lt=first)),
        overdue_w=Sum(F("amount_base") * F("probability"), filter=Q(expected_close_on__lt=first)),
        later_n=Count("id", filter=Q(expected_close_on__gte=end)),
        later_w=Sum(F("amount_base") * F("probability"), filter=Q(expected_close_on__gte=end)),
        undated_n=Count("id", filter=Q(expected_close_on__isnull=True)),
        undated_w=Sum(F("amount_base") * F("probability"), filter=Q(expected_close_on__isnull=True)))
    return {"first_month": first.isoformat()[:7], "months": rows,
            "total_weighted": sum((r["weighted"] for r in rows), Decimal(0)),
            "overdue": {"deals": rest["overdue_n"], "weighted": _weighted(rest["overdue_w"])},
            "later": {"deals": rest["later_n"], "weighted": _weighted(rest["later_w"])},
            "undated": {"deals": rest["undated_n"], "weighted": _weighted(rest["undated_w"])}}


def performance_report(deals: QuerySet[Deal], *, days: int = 365, pipeline: Pipeline | None = None,
                       now: dt.datetime | None = None) -> dict[str, Any]:
    """Over the deals closed in the last ``days`` days: win rate (by count and by amount), average size of a
    won deal, and the average sales cycle (days from creation to winning)."""
    now = now or timezone.now()
    days = max(1, min(int(days), MAX_DAYS))
    closed = deals.filter(status__in=[Deal.Status.WON, Deal.Status.LOST], closed_at__gte=now - dt.timedelta(days=days),
                          closed_at__lte=now)
    if pipeline is not None:
        closed = closed.filter(pipeline=pipeline)
    won = Q(status=Deal.Status.WON)
    cycle = ExpressionWrapper(F("closed_at") - F("created_at"), output_field=DurationField())
    sums = closed.aggregate(n=Count("id"), won_n=Count("id", filter=won), a=Sum("amount_base"),
                            won_a=Sum("amount_base", filter=won), won_avg=Avg("amount_base", filter=won),
                            cycle=Avg(cycle, filter=won))
    n, won_n = sums["n"], sums["won_n"]
    amount, won_amount = _money(sums["a"]), _money(sums["won_a"])
    average_cycle = sums["cycle"]
    return {"days": days, "closed": n, "won": won_n, "lost": n - won_n,
            "win_rate": round(won_n / n, 4) if n else None,
            "win_rate_by_amount": round(float(won_amount / amount), 4) if amount else None,
            "average_deal_size": _money(sums["won_avg"]) if won_n else None,
            "average_cycle_days": round(_days(average_cycle), 2) if average_cycle is not None else None}


def ageing_report(*, today: dt.date | None = None, party_ids: Any = None) -> dict[str, Any]:
    """Unpaid invoices past their due date by days overdue (0–30, 31–60, 61–90, over 90): how many and their
    open amount, in one query; ``party_ids`` narrows to some customers."""
    today = today or timezone.localdate()
    unpaid = Invoice.objects.filter(paid__lt=F("amount"), due_on__lt=today)
    if party_ids is not None:
        unpaid = unpaid.filter(party_id__in=party_ids)
    open_amount = F("amount") - F("paid")
    aggregates: dict[str, Any] = {}
    for key, low, high in AGE_BUCKETS:
        window = Q(due_on__lte=today - dt.timedelta(days=max(low, 1)))
        if high is not None:
            window &= Q(due_on__gte=today - dt.timedelta(days=high))
        aggregates[f"n_{key}"] = Count("id", filter=window)
        aggregates[f"a_{key}"] = Sum(open_amount, filter=window)
    sums = unpaid.aggregate(**aggregates)
    buckets = [{"bucket": key, "invoices": sums[f"n_{key}"], "amount": _money(sums[f"a_{key}"])}
               for key, _low, _high in AGE_BUCKETS]
    return {"as_of": today.isoformat(), "buckets": buckets,
            "total": sum((b["amount"] for b in buckets), Decimal(0)),
            "invoices": sum(b["invoices"] for b in buckets)}


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _as_date(value: Any) -> dt.date:
    """TruncMonth of a date gives a date on PostgreSQL and SQLite alike; a datetime is taken at its date."""
    return value.date() if isinstance(value, dt.datetime) else value


def _days(value: Any) -> float:
    """An average duration: a timedelta (PostgreSQL, SQLite through Django) or microseconds."""
    if isinstance(value, dt.timedelta):
        return value.total_seconds() / 86400
    return float(value) / 86_400_000_000
