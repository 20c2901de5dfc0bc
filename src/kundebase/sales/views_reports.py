"""The sales reports page: pipeline by stage and owner, weighted forecast, win rate, deal size, cycle length,
stage conversion and receivables by age, each with its chart (drawn by the analytics charts), over the deals
the reader may see."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from kundebase.analytics import charts
from kundebase.core.errors import NotFound
from kundebase.sales import reports
from kundebase.sales.access import deals_for
from kundebase.sales.api_reports import pipeline_or_default
from kundebase.sales.flow import stage_flow
from kundebase.sales.models import Pipeline
from kundebase.web.access import requires


def _number(request: HttpRequest, key: str, default: int, high: int) -> int:
    value = request.GET.get(key, "")
    return min(max(int(value), 1), high) if value.isdigit() else default


@requires("sales.view_deal", "sales.view_pipeline")
def sales_reports(request: HttpRequest) -> HttpResponse:
    value = request.GET.get("pipeline", "")
    try:
        pipeline = pipeline_or_default(int(value) if value.isdigit() else None)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    months = _number(request, "months", 12, reports.MAX_MONTHS)
    days = _number(request, "days", 365, reports.MAX_DAYS)
    deals = deals_for(request.user)
    by = reports.pipeline_report(deals, pipeline)
    forecast = reports.forecast_report(deals, pipeline=pipeline, months=months)
    performance = reports.performance_report(deals, days=days, pipeline=pipeline)
    flow = stage_flow(pipeline, deals)
    context = {
        "pipeline": pipeline, "pipelines": Pipeline.objects.all(), "months": months, "days": days,
        "by": by, "forecast": forecast, "performance": performance, "flow": flow,
        "stage_chart": charts.columns([(g["label"], float(g["weighted"])) for g in by["by_stage"]],
                                      _("Weighted pipeline by stage")),
        "owner_chart": charts.bars([(g["label"], float(g["amount"])) for g in by["by_owner"]],
                                   _("Open pipeline by owner")),
        "forecast_chart": charts.columns([(m["month"], float(m["weighted"])) for m in forecast["months"]],
                                         _("Weighted forecast by month")),
        "flow_chart": charts.columns([(f.name, float(f.conversion or 0) * 100) for f in flow],
                                     _("Stage conversion (%)")),
    }
    if request.user.has_perm("sales.view_invoice"):
        ageing = reports.ageing_report()
        context["ageing"] = ageing
        context["ageing_chart"] = charts.columns([(b["bucket"], float(b["amount"])) for b in ageing["buckets"]],
                                                 _("Overdue receivables by days overdue"))
    return render(request, "sales/reports.html", context)
