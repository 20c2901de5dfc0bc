"""Between the reports and their readers: filter parsing, pseudonymisation and the tabular form.

The analyst role (``privacy.pseudonymised_only``) sees a stable pseudonym in place of every
customer id and customer number — on pages, in exports and in the API alike, because all
three pass through :func:`for_viewer`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kundebase.analytics import segments
from kundebase.analytics.sql import CHANNEL_CHOICES, Filters
from kundebase.core.errors import ErrorCollector
from kundebase.privacy.masking import is_pseudonymised, pseudonym

MAX_TEXT = 100


def _date(value: str, name: str, errors: ErrorCollector) -> dt.datetime | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        errors.add(name, _("%(v)s is not a date (YYYY-MM-DD)") % {"v": value[:MAX_TEXT]}, "invalid_date")
        return None
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def parse_filters(params: Mapping[str, Any]) -> Filters:
    """Filters from query parameters; every bad value is reported at once (422)."""
    errors = ErrorCollector()
    start = _date(str(params.get("start") or ""), "start", errors)
    end = _date(str(params.get("end") or ""), "end", errors)
    if end is not None:
        end = end + dt.timedelta(days=1)  # the end date is inclusive for the reader
    if start and end and start >= end:
        errors.add("end", _("The end date must not be before the start date"), "invalid_range")
    channel = str(params.get("channel") or "").strip()
    if channel and channel not in CHANNEL_CHOICES:
        errors.add("channel", _("Must be one of %(c)s") % {"c": ", ".join(CHANNEL_CHOICES)}, "invalid_choice")
    region = str(params.get("region") or "").strip()
    country = str(params.get("country") or "").strip().upper()
    for name, value in (("region", region), ("country", country)):
        if len(value) > MAX_TEXT or "\x00" in value:
            errors.add(name, _("At most %(n)d characters") % {"n": MAX_TEXT}, "too_long")
    segment = str(params.get("segment") or "").strip()
    if segment and segments.find(segment) is None:
        errors.add("segment", _("Unknown segment %(s)s") % {"s": segment[:MAX_TEXT]}, "not_found")
    errors.raise_if_any()
    return Filters(start=start, end=end, region=region, country=country, channel=channel, segment=segment)


MIN_PHRASE_CUSTOMERS = 5
"""A phrase from free text reaches the pseudonymised role only when this many customers' texts used it: texts
carry names and contact details, and a phrase one customer wrote can identify them."""


def phrases_for_viewer(trending: list[dict[str, Any]], user: object) -> list[dict[str, Any]]:
    """Trending phrases as the viewer may see them (see ``MIN_PHRASE_CUSTOMERS``)."""
    if not is_pseudonymised(user):
        return trending
    return [t for t in trending if t.get("customers", 0) >= MIN_PHRASE_CUSTOMERS]


def for_viewer(data: Any, user: object) -> Any:
    """A copy of report data with customer identifiers pseudonymised when the viewer must not identify."""
    if not is_pseudonymised(user):
        return data
    return _mask(data)


def _mask(value: Any) -> Any:
    if isinstance(value, list):
        return [_mask(v) for v in value]
    if isinstance(value, dict):
        out = {k: _mask(v) for k, v in value.items()}
        if "party_id" in value and value["party_id"] is not None:
            out["party_id"] = pseudonym("customer", value["party_id"])
            if "customer_number" in value:
                out["customer_number"] = pseudonym("number", value["party_id"])
        return out
    return value


COLUMNS: dict[str, list[tuple[str, str]]] = {
    "pareto": [
        ("party_id", gettext_noop("Customer")),
        ("customer_number", gettext_noop("Customer number")),
        ("orders", gettext_noop("Orders")),
        ("revenue", gettext_noop("Revenue")),
        ("margin", gettext_noop("Margin")),
        ("share", gettext_noop("Share of revenue")),
        ("cumulative_share", gettext_noop("Cumulative share")),
    ],
    "quadrant": [
        ("party_id", gettext_noop("Customer")),
        ("customer_number", gettext_noop("Customer number")),
        ("orders", gettext_noop("Orders")),
        ("revenue", gettext_noop("Revenue")),
        ("margin", gettext_noop("Gross margin")),
        ("contacts", gettext_noop("Contacts")),
        ("service_cost", gettext_noop("Service cost")),
        ("net", gettext_noop("Net profit")),
    ],
    "rfm": [
        ("label", gettext_noop("Segment")),
        ("customers", gettext_noop("Customers")),
        ("avg_recency_days", gettext_noop("Avg. days since last order")),
        ("avg_orders", gettext_noop("Avg. orders")),
        ("revenue", gettext_noop("Revenue")),
    ],
    "cohorts": [
        ("cohort", gettext_noop("Cohort")),
        ("size", gettext_noop("Customers")),
    ],
    "geography": [
        ("country", gettext_noop("Country")),
        ("place", gettext_noop("Place")),
        ("customers", gettext_noop("Customers")),
        ("buyers", gettext_noop("Buyers")),
        ("orders", gettext_noop("Orders")),
        ("revenue", gettext_noop("Revenue")),
        ("margin", gettext_noop("Margin")),
    ],
    "sources": [
        ("channel", gettext_noop("Channel")),
        ("source", gettext_noop("Source")),
        ("customers", gettext_noop("Customers")),
        ("orders", gettext_noop("Orders")),
        ("revenue", gettext_noop("Revenue")),
        ("margin", gettext_noop("Margin")),
        ("revenue_per_customer", gettext_noop("Revenue per customer")),
    ],
}


def table(key: str, data: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """The report's main table as headers and rows (what the page lists and the exports write)."""
    columns = COLUMNS[key]
    headers = [_(label) for _key, label in columns]
    rows = [[row.get(k) for k, _label in columns] for row in data.get("rows", [])]
    if key == "cohorts":
        months = int(data.get("months", 0))
        headers += [_("Month %(n)d") % {"n": k} for k in range(months)]
        for out, row in zip(rows, data.get("rows", []), strict=True):
            out.extend(round(r * 100, 1) for r in row["retention"])
    return headers, rows
