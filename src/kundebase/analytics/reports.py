"""The reports, run on the DuckDB mirror and shaped for pages, exports and the API.

Each ``*_report`` function takes :class:`~kundebase.analytics.sql.Filters` and returns a plain dict
(JSON-ready: floats and strings) with the headline figures, the table rows and what the chart needs.
Identifiers are raw here; :mod:`kundebase.analytics.presentation` pseudonymises them per viewer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import duckdb
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kundebase.analytics import engine, segments, sql
from kundebase.analytics.sql import Filters
from kundebase.core.dialect import DUCKDB, Dialect
from kundebase.core.errors import ValidationFailed

SEGMENT_LABELS = {
    "champions": _("Champions"), "loyal": _("Loyal"), "potential_loyalist": _("Potential loyalists"),
    "new": _("New customers"), "promising": _("Promising"), "need_attention": _("Need attention"),
    "about_to_sleep": _("About to sleep"), "at_risk": _("At risk"), "cant_lose": _("Can't lose them"),
    "hibernating": _("Hibernating"), "lost": _("Lost"), "none": _("Not yet a customer"),
}
SEGMENT_ORDER = list(SEGMENT_LABELS)

DEFAULT_SERVICE_COSTS: dict[str, Decimal] = {
    "inquiry": Decimal("40"), "visit": Decimal("600"), "letter": Decimal("25"), "email": Decimal("20"),
    "call": Decimal("60"), "meeting": Decimal("450"), "note": Decimal("0"), "web_visit": Decimal("0"),
    "purchase": Decimal("0"), "campaign": Decimal("2"),
}
"""Cost of one interaction per type (in the default currency) unless an administrator set a rate."""


def service_costs() -> dict[str, Decimal]:
    from kundebase.analytics.models import ServiceCostRate

    rates = dict(DEFAULT_SERVICE_COSTS)
    rates.update({r.kind: r.cost for r in ServiceCostRate.objects.all()})
    return rates


def _f(value: Any) -> float:
    return float(value) if value is not None else 0.0


def run(con: duckdb.DuckDBPyConnection, statement: sql.Statement) -> list[tuple[Any, ...]]:
    text, params = statement
    return con.execute(text, params).fetchall()


def _prepare_segment(con: duckdb.DuckDBPyConnection, f: Filters) -> None:
    if not f.segment:
        return
    segment = segments.find(f.segment)
    if segment is None:
        raise ValidationFailed.one("segment", str(_("Unknown segment %(s)s")) % {"s": f.segment}, "not_found")
    con.execute("CREATE OR REPLACE TEMP TABLE segment_members (party_id BIGINT)")
    ids = [[int(i)] for i in segment.members()]
    if ids:
        con.executemany("INSERT INTO segment_members VALUES (?)", ids)


Statements = Callable[[Dialect, Filters, dict[str, Any]], list[sql.Statement]]


@dataclass(frozen=True)
class ReportType:
    """One report: its key, title and the function computing it (the built-ins register like any other).

    ``statements``, where given, returns the SQL the report runs for a dialect and resolved options
    (:func:`resolve_options`); ``compute`` runs exactly these on the mirror, and the benchmark runs
    them on the operational databases, so both time the same SQL.
    """

    key: str
    title: Any
    compute: Callable[[duckdb.DuckDBPyConnection, Filters, dict[str, Any]], dict[str, Any]]
    statements: Statements | None = None


REPORTS: dict[str, ReportType] = {}


def register(report: ReportType) -> None:
    REPORTS[report.key] = report


def compute(key: str, f: Filters, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """Run report ``key`` on a fresh-enough mirror."""
    report = REPORTS[key]
    with engine.reading() as con:
        _prepare_segment(con, f)
        data = report.compute(con, f, options or {})
    data["report"] = key
    data["generated_at"] = timezone.now().isoformat()
    return data


# -- Pareto ------------------------------------------------------------------------------------------
def pareto_statements(d: Dialect, f: Filters, options: dict[str, Any]) -> list[sql.Statement]:
    return [sql.pareto(d, f, int(options.get("top_pct", 20)), limit=int(options.get("limit", 50)))]


def pareto(con: duckdb.DuckDBPyConnection, f: Filters, options: dict[str, Any]) -> dict[str, Any]:
    top_pct = int(options.get("top_pct", 20))
    rows_in = run(con, pareto_statements(DUCKDB, f, options)[0])
    summary = [r for r in rows_in if r[0] == 0]
    if not summary:
        return {"customers": 0, "revenue": 0.0, "margin": 0.0, "top_pct": top_pct, "top_count": 0,
                "revenue_share_top": 0.0, "margin_share_top": 0.0, "gini": 0.0, "lorenz": [[0.0, 0.0]], "rows": []}
    _part, _pos, top_count, _id, _number, n, revenue, margin, top_rev, top_margin, weighted = summary[0]
    revenue, margin = _f(revenue), _f(margin)
    gini = (2 * _f(weighted) / (n * revenue) - (n + 1) / n) if revenue else 0.0
    lorenz = [[0.0, 0.0]]
    cum_n = cum_rev = 0.0
    for row in rows_in:
        if row[0] == 1:
            cum_n += row[5]
            cum_rev += _f(row[6])
            lorenz.append([cum_n / n, cum_rev / revenue if revenue else 0.0])
    cumulative = 0.0
    rows = []
    for row in rows_in:
        if row[0] != 2:
            continue
        party_id, number, orders, rev, mar = row[3], row[4], row[5], row[6], row[7]
        cumulative += _f(rev)
        rows.append({"party_id": party_id, "customer_number": number, "orders": orders, "revenue": _f(rev),
                     "margin": _f(mar), "share": _f(rev) / revenue if revenue else 0.0,
                     "cumulative_share": cumulative / revenue if revenue else 0.0})
    return {"customers": n, "revenue": revenue, "margin": margin, "top_pct": top_pct, "top_count": int(top_count),
            "revenue_share_top": _f(top_rev) / revenue if revenue else 0.0,
            "margin_share_top": _f(top_margin) / margin if margin else 0.0, "gini": gini, "lorenz": lorenz,
            "rows": rows}


# -- Profitability vs frequency ----------------------------------------------------------------------
QUADRANTS = {(1, 1): "frequent_profitable", (1, 0): "frequent_unprofitable", (0, 1): "occasional_profitable",
             (0, 0): "occasional_unprofitable"}


def _min_orders(options: dict[str, Any]) -> int | None:
    value = options.get("min_orders")
    return int(value) if value not in (None, "") else None


def quadrant_statements(d: Dialect, f: Filters, options: dict[str, Any]) -> list[sql.Statement]:
    rates = options["rates"] if "rates" in options else service_costs()
    return [sql.quadrant(d, f, rates, _min_orders(options), int(options.get("limit", 200)))]


def quadrant(con: duckdb.DuckDBPyConnection, f: Filters, options: dict[str, Any]) -> dict[str, Any]:
    rates = service_costs()
    min_orders = _min_orders(options)
    rows_in = run(con, quadrant_statements(DUCKDB, f, {**options, "rates": rates})[0])
    quadrants = {name: {"customers": 0, "revenue": 0.0, "net": 0.0} for name in QUADRANTS.values()}
    threshold = min_orders
    rows, points = [], []
    for row in rows_in:
        a, b, c, d_, e, g = row[5:]
        if row[0] == 0:
            quadrants[QUADRANTS[(a, b)]] = {"customers": c, "revenue": _f(d_), "net": _f(e)}
            threshold = int(g)
        elif row[0] == 1:
            rows.append({"party_id": row[3], "customer_number": row[4], "orders": a, "revenue": _f(b),
                         "margin": _f(c), "contacts": d_, "service_cost": _f(e), "net": _f(g)})
        else:
            points.append([int(a), _f(g)])
    return {"threshold": threshold, "quadrants": quadrants, "rows": rows, "points": points,
            "service_costs": {k: float(v) for k, v in rates.items()}}


# -- RFM ---------------------------------------------------------------------------------------------
def _as_of(f: Filters) -> dt.datetime:
    return f.end or timezone.now()


def latest_order(con: duckdb.DuckDBPyConnection) -> dt.datetime | None:
    """The time of the newest order in the mirror (from the per-customer totals, one row per customer)."""
    return con.execute("SELECT MAX(last_at) FROM customer_totals").fetchall()[0][0]


def resolve_options(con: duckdb.DuckDBPyConnection, key: str, f: Filters,
                    options: dict[str, Any]) -> dict[str, Any]:
    """``options`` plus what the report's SQL depends on in the mirror (RFM: whether totals suffice)."""
    if key != "rfm":
        return options
    as_of = options.get("as_of") or _as_of(f)
    return {**options, "as_of": as_of, "totals": sql.totals_cover(f, as_of, latest_order(con))}


def rfm_statements(d: Dialect, f: Filters, options: dict[str, Any]) -> list[sql.Statement]:
    """Segments, then the movement since ``compare_to`` and the customer list when asked for."""
    as_of = options.get("as_of") or _as_of(f)
    totals = bool(options.get("totals"))
    out = [sql.rfm_segments(d, f, as_of, totals)]
    if options.get("compare_to"):
        compare = options["compare_to"]
        before = compare if isinstance(compare, dt.datetime) else _parse_moment(str(compare))
        out.append(sql.rfm_movement(d, f, before, as_of))
    if options.get("customers"):
        out.append(sql.rfm_customers(d, f, as_of, str(options.get("segment") or ""),
                                     int(options.get("limit", 1000)), totals))
    return out


def rfm(con: duckdb.DuckDBPyConnection, f: Filters, options: dict[str, Any]) -> dict[str, Any]:
    options = resolve_options(con, "rfm", f, options)
    as_of = options["as_of"]
    results = [run(con, statement) for statement in rfm_statements(DUCKDB, f, options)]
    summary = results.pop(0)
    segments_out = [{"segment": seg, "label": str(SEGMENT_LABELS.get(seg, seg)), "customers": n,
                     "avg_recency_days": _f(rec), "avg_orders": _f(orders), "revenue": _f(rev)}
                    for seg, n, rec, orders, rev in summary]
    segments_out.sort(key=lambda s: SEGMENT_ORDER.index(s["segment"]))
    compare = options.get("compare_to")
    movement: list[dict[str, Any]] = []
    if compare:
        for seg_from, seg_to, n in results.pop(0):
            movement.append({"from": seg_from, "to": seg_to, "customers": n,
                             "from_label": str(SEGMENT_LABELS.get(seg_from, seg_from)),
                             "to_label": str(SEGMENT_LABELS.get(seg_to, seg_to))})
    customers = []
    if options.get("customers"):
        customers = [{"party_id": r[0], "customer_number": r[1], "r": r[2], "f": r[3], "m": r[4], "segment": r[5],
                      "recency_days": _f(r[6]), "orders": r[7], "revenue": _f(r[8])} for r in results.pop(0)]
    return {"as_of": as_of.isoformat(), "compare_to": str(compare or ""), "segments": segments_out,
            "movement": movement, "customers": customers, "rows": segments_out}


def _parse_moment(text: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError as exc:
        raise ValidationFailed.one("compare_to", str(_("Not a date (YYYY-MM-DD)")), "invalid_date") from exc
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


# -- Cohorts -----------------------------------------------------------------------------------------
def _month_label(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def cohort(con: duckdb.DuckDBPyConnection, f: Filters, options: dict[str, Any]) -> dict[str, Any]:
    cells = run(con, sql.cohorts(DUCKDB, f))
    matrix: dict[int, dict[int, int]] = {}
    for c, k, n in cells:
        matrix.setdefault(int(c), {})[int(k)] = int(n)
    width = max((max(row) for row in matrix.values()), default=-1) + 1
    rows = []
    for c in sorted(matrix):
        size = matrix[c].get(0, 0)
        active = [matrix[c].get(k, 0) for k in range(width)]
        rows.append({"cohort": _month_label(c), "size": size, "active": active,
                     "retention": [a / size if size else 0.0 for a in active]})
    return {"months": width, "rows": rows}


# -- Geography ---------------------------------------------------------------------------------------
def geography_statements(d: Dialect, f: Filters, options: dict[str, Any]) -> list[sql.Statement]:
    level = str(options.get("level") or "country")
    if level not in sql.GEO_LEVELS:
        raise ValidationFailed.one("level", str(_("Choose one of: %(l)s")) % {"l": ", ".join(sql.GEO_LEVELS)},
                                   "invalid_choice")
    return [sql.geography(d, f, level)]


def geography(con: duckdb.DuckDBPyConnection, f: Filters, options: dict[str, Any]) -> dict[str, Any]:
    level = str(options.get("level") or "country")
    rows = [{"country": r[0], "place": r[1] or "—", "customers": r[2], "buyers": r[3], "orders": int(r[4]),
             "revenue": _f(r[5]), "margin": _f(r[6])}
            for r in run(con, geography_statements(DUCKDB, f, options)[0])]
    return {"level": level, "rows": rows}


# -- Sources and campaigns ---------------------------------------------------------------------------
def sources(con: duckdb.DuckDBPyConnection, f: Filters, options: dict[str, Any]) -> dict[str, Any]:
    rows = [{"channel": r[0], "source": r[1] or "—", "customers": r[2], "orders": int(r[3]), "revenue": _f(r[4]),
             "margin": _f(r[5]), "revenue_per_customer": _f(r[4]) / r[2] if r[2] else 0.0}
            for r in run(con, sql.sources(DUCKDB, f))]
    campaigns: list[dict[str, Any]] = []
    for provider in segments.campaign_response_providers:
        campaigns.extend(provider(f))
    return {"rows": rows, "campaigns": campaigns, "campaigns_available": bool(segments.campaign_response_providers)}


for _report in (
    ReportType("pareto", _("Pareto 80/20"), pareto, pareto_statements),
    ReportType("quadrant", _("Profitability vs frequency"), quadrant, quadrant_statements),
    ReportType("rfm", _("RFM segments"), rfm, rfm_statements),
    ReportType("cohorts", _("Cohort retention"), cohort),
    ReportType("geography", _("Geography"), geography, geography_statements),
    ReportType("sources", _("Sources and campaigns"), sources),
):
    register(_report)
