"""Headline numbers for management, and the one-line summaries that head each report and its PDF."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kundebase.analytics import engine, reports, sql
from kundebase.analytics.sql import Filters
from kundebase.core.dialect import DUCKDB
from kundebase.web.labels import count, field_label, money, number, percent


def default_period(f: Filters) -> Filters:
    """Without a period the dashboard looks at the last twelve months."""
    if f.start or f.end:
        return f
    end = timezone.now()
    return Filters(start=end - dt.timedelta(days=365), end=end, region=f.region, country=f.country,
                   channel=f.channel, segment=f.segment)


def headlines(f: Filters) -> dict[str, Any]:
    f = default_period(f)
    pareto = reports.compute("pareto", f, {"limit": 5})
    quadrant = reports.compute("quadrant", f, {"limit": 5})
    rfm = reports.compute("rfm", f)
    with engine.reading() as con:
        reports._prepare_segment(con, f)
        months = reports.run(con, sql.revenue_by_month(DUCKDB, f))
        customers = reports.run(con, sql.customer_count(DUCKDB, f))[0][0]
    revenue, margin = pareto["revenue"], pareto["margin"]
    orders = sum(m[1] for m in months)
    segments = {s["segment"]: s["customers"] for s in rfm["segments"]}
    return {
        "period": {"start": f.start.isoformat() if f.start else None, "end": f.end.isoformat() if f.end else None},
        "customers": customers, "buying_customers": pareto["customers"], "orders": orders,
        "revenue": revenue, "margin": margin, "margin_pct": margin / revenue if revenue else None,
        "average_order": revenue / orders if orders else None,
        "revenue_share_top20": pareto["revenue_share_top"], "gini": pareto["gini"],
        "frequent_unprofitable": quadrant["quadrants"]["frequent_unprofitable"]["customers"],
        "at_risk": sum(segments.get(k, 0) for k in ("at_risk", "cant_lose", "about_to_sleep")),
        "champions": segments.get("champions", 0),
        "months": [{"month": reports._month_label(int(m[0])), "orders": m[1], "customers": m[2],
                    "revenue": reports._f(m[3]), "margin": reports._f(m[4])} for m in months],
        "segments": rfm["segments"], "top_customers": pareto["rows"],
    }


def summary_lines(key: str, data: dict[str, Any]) -> list[tuple[str, str]]:
    """The report's headline figures as label/value pairs, written as the reader's language writes numbers."""
    if key == "pareto":
        top = {"p": data["top_pct"]}
        return [(_("Customers"), count(data["customers"])), (_("Revenue"), money(data["revenue"])),
                (_("Share of revenue from the top %(p)d %%") % top, percent(data["revenue_share_top"])),
                (_("Share of margin from the top %(p)d %%") % top, percent(data["margin_share_top"])),
                (_("Gini coefficient"), number(data["gini"], 3))]
    if key == "quadrant":
        q = data["quadrants"]
        return [(_("Frequent means at least this many orders"), count(data["threshold"] or None)),
                (_("Frequent and profitable"), count(q["frequent_profitable"]["customers"])),
                (_("Frequent but unprofitable"), count(q["frequent_unprofitable"]["customers"])),
                (_("Occasional and profitable"), count(q["occasional_profitable"]["customers"])),
                (_("Occasional and unprofitable"), count(q["occasional_unprofitable"]["customers"]))]
    if key == "rfm":
        as_of = dt.date.fromisoformat(data["as_of"][:10])
        return [(_("As of"), date_format(as_of, "SHORT_DATE_FORMAT")),
                (_("Customers scored"), count(sum(s["customers"] for s in data["segments"])))]
    if key == "cohorts":
        return [(_("Cohorts"), count(len(data["rows"]))), (_("Months followed"), count(data["months"]))]
    if key == "geography":
        return [(_("Level"), field_label(data["level"])), (_("Places"), count(len(data["rows"])))]
    if key == "sources":
        return [(_("Channels and sources"), count(len(data["rows"])))]
    return []
