"""REST routes of the analytics app: reports as JSON and files, key figures, text intelligence, suggestions.

Thin: filters are parsed by :mod:`presentation`, numbers come from :mod:`reports` and
:mod:`keyfigures`, and every response passes through :func:`presentation.for_viewer` so the
analyst role gets pseudonyms here exactly as on the pages.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router

from kundebase.analytics import dashboard, exports, keyfigures, presentation, reports
from kundebase.analytics.text import analysis, overview
from kundebase.core.api_auth import require
from kundebase.core.errors import NotFound, ValidationFailed

router = Router(tags=["analytics"])
VIEW = "analytics.view_reports"
REPORT_OPTIONS = ("top_pct", "limit", "min_orders", "compare_to", "level", "segment_name", "customers")


def _options(request: HttpRequest) -> dict[str, Any]:
    opts: dict[str, Any] = {}
    for key in REPORT_OPTIONS:
        if key in request.GET:
            opts[key] = request.GET[key]
    for key in ("top_pct", "limit", "min_orders"):
        if key in opts:
            try:
                opts[key] = int(opts[key])
            except ValueError as exc:
                raise ValidationFailed.one(key, "Must be a whole number", "invalid_number") from exc
            if not 1 <= opts[key] <= (100 if key == "top_pct" else 100_000):
                raise ValidationFailed.one(key, "Out of range", "out_of_range")
    if "segment_name" in opts:
        opts["segment"] = opts.pop("segment_name")
    if "customers" in opts:
        opts["customers"] = str(opts["customers"]).lower() in {"1", "true", "yes"}
    return opts


def _report(request: HttpRequest, key: str) -> dict[str, Any]:
    if key not in reports.REPORTS:
        raise NotFound("Report", key)
    filters = presentation.parse_filters(request.GET)
    return reports.compute(key, filters, _options(request))


@router.get("/analytics/reports", summary="List the reports")
def list_reports(request: HttpRequest) -> list[dict[str, str]]:
    require(request, VIEW)
    return [{"key": r.key, "title": str(r.title), "url": f"/api/v1/analytics/reports/{r.key}"}
            for r in reports.REPORTS.values()]


@router.get("/analytics/reports/{key}", summary="One report as JSON",
            description="Filters: start, end (YYYY-MM-DD, inclusive), region, country, channel, segment. "
                        "Options: top_pct (pareto), min_orders (quadrant), compare_to (rfm movement), "
                        "customers=1 and segment_name (rfm per customer), level (geography), limit.")
def get_report(request: HttpRequest, key: str) -> dict[str, Any]:
    require(request, VIEW)
    return presentation.for_viewer(_report(request, key), request.user)


@router.get("/analytics/reports/{key}/export", summary="One report as CSV, XLSX or PDF")
def export_report(request: HttpRequest, key: str, format: str = "csv") -> HttpResponse:
    require(request, VIEW)
    if format not in exports.EXPORT_FORMATS:
        raise ValidationFailed.one("format", "Choose csv, xlsx or pdf", "invalid_choice")
    data = presentation.for_viewer(_report(request, key), request.user)
    return exports.report_file(key, data, format)


@router.get("/analytics/customers/{party_id}/key-figures", summary="Key figures of one customer")
def customer_key_figures(request: HttpRequest, party_id: int) -> dict[str, Any]:
    require(request, "analytics.view_keyfigures")
    return presentation.for_viewer(keyfigures.key_figures(party_id), request.user)


@router.get("/analytics/dashboard", summary="Headline numbers for management")
def get_dashboard(request: HttpRequest) -> dict[str, Any]:
    require(request, VIEW)
    return presentation.for_viewer(dashboard.headlines(presentation.parse_filters(request.GET)), request.user)


@router.get("/analytics/text", summary="What customers write about: languages, trending phrases, topics, who asks")
def text_intelligence(request: HttpRequest) -> dict[str, Any]:
    require(request, VIEW)
    return overview.text_overview(presentation.parse_filters(request.GET), request.user)


@router.post("/analytics/text/suggest", summary="Analyse new texts and write inferred interests as suggestions")
def run_suggestions(request: HttpRequest) -> dict[str, int]:
    require(request, "analytics.review_suggestions")
    return overview.suggest_interests(request.user)


def _suggestion_out(interest: Any) -> dict[str, Any]:
    return {"id": interest.pk, "party_id": interest.party_id, "category_id": interest.category_id,
            "category": interest.category.name if interest.category_id else None,
            "source": interest.source, "accepted": interest.accepted, "created_at": interest.created_at.isoformat()}


@router.get("/analytics/suggestions", summary="Inferred product interests waiting for an employee")
def list_suggestions(request: HttpRequest, party_id: int | None = None, limit: int = 100) -> list[dict[str, Any]]:
    require(request, "analytics.view_keyfigures")
    limit = max(1, min(limit, 1000))
    items = [_suggestion_out(i) for i in analysis.pending_suggestions(party_id)[:limit]]
    return presentation.for_viewer(items, request.user)


@router.post("/analytics/suggestions/{interest_id}/accept", summary="Accept a suggested interest")
def accept_suggestion(request: HttpRequest, interest_id: int) -> dict[str, Any]:
    require(request, "analytics.view_keyfigures", "orders.change_productinterest")
    interest = analysis.accept(interest_id=interest_id, actor=request.user)
    return presentation.for_viewer(_suggestion_out(interest), request.user)


@router.post("/analytics/suggestions/{interest_id}/dismiss", summary="Dismiss a suggested interest")
def dismiss_suggestion(request: HttpRequest, interest_id: int) -> dict[str, bool]:
    require(request, "analytics.view_keyfigures", "orders.change_productinterest")
    analysis.dismiss(interest_id=interest_id, actor=request.user)
    return {"dismissed": True}
