"""Pages of the analytics app: dashboard, one page per report, text intelligence, the key-figure card.

Thin: each view is behind the one page guard (403, not just a hidden link), parses the filters, asks
:mod:`reports` for the numbers and :mod:`charts` for the picture; identifiers pass through
:func:`presentation.for_viewer` like in the API.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kundebase.analytics import charts, dashboard, display, exports, keyfigures, presentation, reports, segments
from kundebase.analytics.sql import CHANNEL_CHOICES, GEO_LEVELS
from kundebase.analytics.text import analysis, overview
from kundebase.core.errors import DomainError
from kundebase.web.access import requires
from kundebase.web.page_errors import flash_error
from kundebase.web.redirects import back

VIEW = "analytics.view_reports"


def _filter_context(request: HttpRequest) -> dict[str, Any]:
    return {"params": request.GET, "channels": CHANNEL_CHOICES, "levels": GEO_LEVELS,
            "segment_choices": segments.available(), "formats": list(exports.EXPORT_FORMATS),
            "query": request.GET.urlencode()}


def _parse(request: HttpRequest) -> tuple[Any, list[str]]:
    try:
        return presentation.parse_filters(request.GET), []
    except DomainError as exc:
        return presentation.parse_filters({}), [f"{e.field}: {e.message}" for e in exc.errors] or [str(exc)]


@requires(VIEW)
def dashboard_view(request: HttpRequest) -> HttpResponse:
    filters, errors = _parse(request)
    data = presentation.for_viewer(dashboard.headlines(filters), request.user)
    names = display.customer_names(data["top_customers"])
    data["top_customers"] = [{**r, "name": names.get(r["party_id"], "")} for r in data["top_customers"]]
    context = {
        **_filter_context(request), "errors": errors, "data": data,
        "revenue_chart": charts.columns([(m["month"], m["revenue"]) for m in data["months"]], _("Revenue by month")),
        "segment_chart": charts.bars([(s["label"], s["customers"]) for s in data["segments"]],
                                     _("Customers by RFM segment")),
    }
    return render(request, "analytics/dashboard.html", context)


@requires(VIEW)
def reports_view(request: HttpRequest) -> HttpResponse:
    return render(request, "analytics/reports.html", {"reports": reports.REPORTS.values()})


def _chart(key: str, data: dict[str, Any]) -> Any:
    if key == "pareto":
        return charts.lorenz(data["lorenz"], _("Lorenz curve of revenue"))
    if key == "quadrant":
        return charts.scatter(data["points"], data["threshold"], _("Orders against net profit"))
    if key == "rfm":
        return charts.bars([(s["label"], s["customers"]) for s in data["segments"]], _("Customers by segment"))
    if key == "cohorts":
        return charts.heatmap([(r["cohort"], r["retention"]) for r in data["rows"]], _("Retention by cohort"))
    if key == "geography":
        return charts.bars([(f"{r['country']} {r['place']}" if data["level"] != "country" else r["country"] or "—",
                             r["revenue"]) for r in data["rows"]], _("Revenue by place"))
    return charts.bars([(f"{r['channel']} / {r['source']}", r["customers"]) for r in data["rows"]],
                       _("New customers by first channel and source"))


def _options(request: HttpRequest, key: str) -> dict[str, Any]:
    opts: dict[str, Any] = {}
    if key == "geography":
        opts["level"] = request.GET.get("level") or "country"
    if key == "rfm" and request.GET.get("compare_to"):
        opts["compare_to"] = request.GET["compare_to"]
    if key == "quadrant" and (request.GET.get("min_orders") or "").isdigit():
        opts["min_orders"] = int(request.GET["min_orders"])
    return opts


@requires(VIEW)
def report_view(request: HttpRequest, key: str) -> HttpResponse:
    if key not in reports.REPORTS:
        raise Http404
    filters, errors = _parse(request)
    try:
        data = reports.compute(key, filters, _options(request, key))
    except DomainError as exc:
        errors.append(str(exc))
        data = reports.compute(key, filters, {})
    data = presentation.for_viewer(data, request.user)
    fmt = request.GET.get("format")
    if fmt in exports.EXPORT_FORMATS:
        return exports.report_file(key, data, fmt)
    headers, rows = presentation.table(key, data)
    columns = [k for k, _label in presentation.COLUMNS[key]]
    columns += [f"month_{n}" for n in range(len(headers) - len(columns))]
    rows = display.page_rows(columns, rows, data.get("rows", []))
    context = {**_filter_context(request), "key": key, "report": reports.REPORTS[key], "errors": errors,
               "data": data, "chart": _chart(key, data), "headers": headers, "rows": rows,
               "summary": dashboard.summary_lines(key, data), "labels": reports.SEGMENT_LABELS}
    return render(request, "analytics/report.html", context)


@requires(VIEW)
def text_view(request: HttpRequest) -> HttpResponse:
    filters, errors = _parse(request)
    text = overview.text_overview(filters, request.user)
    trending, topics = text["trending"], text["topics"]
    demographics, languages = text["demographics"], text["languages"]
    totals: dict[str, int] = {}
    for t in topics:
        totals[t["category"]] = totals.get(t["category"], 0) + t["texts"]
    suggestions = presentation.for_viewer(
        [{"id": s.pk, "party_id": s.party_id, "category": s.category.name if s.category_id else "",
          "created_at": s.created_at} for s in analysis.pending_suggestions()[:50]], request.user)
    context = {**_filter_context(request), "errors": errors, "trending": trending, "demographics": demographics,
               "languages": languages, "suggestions": suggestions,
               "can_review": request.user.has_perm("orders.change_productinterest"),
               "can_suggest": request.user.has_perm("analytics.review_suggestions"),
               "trend_chart": charts.bars([(t["phrase"], t["texts"]) for t in trending], _("Trending phrases")),
               "topic_chart": charts.bars(sorted(totals.items(), key=lambda kv: -kv[1]), _("Texts per topic"))}
    return render(request, "analytics/text.html", context)


@requires("analytics.review_suggestions")
@require_POST
def text_suggest(request: HttpRequest) -> HttpResponse:
    """Analyse every new text and write the inferred interests as suggestions (a button on the text page)."""
    written = overview.suggest_interests(request.user)["suggested"]
    messages.success(request, _("%(n)d new suggestions.") % {"n": written})
    return redirect("analytics:text")


@requires("analytics.view_keyfigures", "orders.change_productinterest")
@require_POST
def suggestion_action(request: HttpRequest, interest_id: int, action: str) -> HttpResponse:
    try:
        if action == "accept":
            analysis.accept(interest_id=interest_id, actor=request.user)
            messages.success(request, _("The interest was added to the customer."))
        elif action == "dismiss":
            analysis.dismiss(interest_id=interest_id, actor=request.user)
            messages.success(request, _("The suggestion was dismissed."))
        else:
            raise Http404
    except DomainError as exc:
        flash_error(request, exc)
    return back(request, "analytics:text")


@requires("analytics.view_keyfigures")
def key_figures_view(request: HttpRequest, party_id: int) -> HttpResponse:
    """The card for the customer 360 page, also served on its own so the page can fetch it."""
    kf = presentation.for_viewer(keyfigures.key_figures(party_id), request.user)
    return render(request, "analytics/key_figures.html", {"kf": kf})
