"""REST routes of the sales reports (thin: :mod:`kundebase.sales.reports` computes, over the caller's deals)."""

from __future__ import annotations

from decimal import Decimal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema

from kundebase.core.api_auth import require
from kundebase.core.errors import NotFound, ValidationFailed
from kundebase.core.problems import Problem
from kundebase.sales import reports, services
from kundebase.sales.access import deals_for
from kundebase.sales.models import Pipeline

router = Router(tags=["sales"])
ERRORS = {400: Problem, 401: Problem, 403: Problem, 404: Problem, 422: Problem}


class GroupOut(Schema):
    key: int | None
    label: str
    deals: int
    amount: Decimal
    weighted: Decimal


class PipelineReportOut(Schema):
    pipeline_id: int
    by_stage: list[GroupOut]
    by_owner: list[GroupOut]
    deals: int
    amount: Decimal
    weighted: Decimal


class MonthOut(Schema):
    month: str
    deals: int
    amount: Decimal
    weighted: Decimal


class RestOut(Schema):
    deals: int
    weighted: Decimal


class ForecastOut(Schema):
    first_month: str
    months: list[MonthOut]
    total_weighted: Decimal
    overdue: RestOut
    later: RestOut
    undated: RestOut


class PerformanceOut(Schema):
    days: int
    closed: int
    won: int
    lost: int
    win_rate: float | None
    win_rate_by_amount: float | None
    average_deal_size: Decimal | None
    average_cycle_days: float | None


class BucketOut(Schema):
    bucket: str
    invoices: int
    amount: Decimal


class AgeingOut(Schema):
    as_of: str
    buckets: list[BucketOut]
    total: Decimal
    invoices: int


def pipeline_or_default(pipeline_id: int | None) -> Pipeline:
    if pipeline_id is None:
        return services.default_pipeline()
    found = Pipeline.objects.filter(pk=pipeline_id).first()
    if found is None:
        raise NotFound(_("Pipeline"), pipeline_id)
    return found


def check_range(name: str, value: int, high: int) -> int:
    if not 1 <= value <= high:
        raise ValidationFailed.one(name, _("Between %(a)d and %(b)d") % {"a": 1, "b": high}, "out_of_range")
    return value


@router.get("/sales-reports/pipeline", response={200: PipelineReportOut, **ERRORS})
def pipeline_report(request: HttpRequest, pipeline_id: int | None = None):
    """Open deals of a pipeline (default: the default one) by stage and by owner: count, amount, weighted."""
    require(request, "sales.view_deal")
    return reports.pipeline_report(deals_for(request.user), pipeline_or_default(pipeline_id))


@router.get("/sales-reports/forecast", response={200: ForecastOut, **ERRORS})
def forecast_report(request: HttpRequest, months: int = 12, pipeline_id: int | None = None):
    """Open deals by month of expected close from this month on (``months``, 1–36): amount and weighted amount;
    earlier months as ``overdue``, later as ``later``, deals without a date as ``undated``."""
    require(request, "sales.view_deal")
    check_range("months", months, reports.MAX_MONTHS)
    pipeline = pipeline_or_default(pipeline_id) if pipeline_id is not None else None
    return reports.forecast_report(deals_for(request.user), pipeline=pipeline, months=months)


@router.get("/sales-reports/performance", response={200: PerformanceOut, **ERRORS})
def performance_report(request: HttpRequest, days: int = 365, pipeline_id: int | None = None):
    """Deals closed in the last ``days`` days: win rate (by count and amount), average won deal, average days
    from creation to winning."""
    require(request, "sales.view_deal")
    check_range("days", days, reports.MAX_DAYS)
    pipeline = pipeline_or_default(pipeline_id) if pipeline_id is not None else None
    return reports.performance_report(deals_for(request.user), days=days, pipeline=pipeline)


@router.get("/sales-reports/ageing", response={200: AgeingOut, **ERRORS})
def ageing_report(request: HttpRequest):
    """Unpaid invoices past due by days overdue: 0-30, 31-60, 61-90, 90+ (count and open amount)."""
    require(request, "sales.view_invoice")
    return reports.ageing_report()
