"""Report tables as people read them on the page: names linked to the customer's 360 page, amounts in the
currency, counts grouped, shares as percentages, countries and channels by name.

Exports and the API keep the raw values (:func:`presentation.table`); only the page passes through here, and
every value goes through the one label module (:mod:`kundebase.web.labels`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from kundebase.web import labels

COUNTS = {"orders", "customers", "buyers", "contacts", "size"}
AMOUNTS = {"revenue", "margin", "service_cost", "net", "revenue_per_customer"}
SHARES = {"share", "cumulative_share"}
DECIMALS = {"avg_recency_days": 0, "avg_orders": 1}
WORDS: dict[str, Callable[[Any], str]] = {"country": labels.country_name, "channel": labels.channel_label}


@dataclass(frozen=True)
class Cell:
    """One table cell: its text, and where it links to (a customer's 360 page) if anywhere."""

    text: str
    href: str = ""
    numeric: bool = False


def customer_names(rows: Iterable[dict[str, Any]]) -> dict[int, str]:
    """Display names of the customers a report lists, read in one query (pseudonyms are not ids: skipped)."""
    from kundebase.parties.models import Party

    ids = {r.get("party_id") for r in rows}
    wanted = [i for i in ids if isinstance(i, int)]
    return dict(Party.objects.filter(pk__in=wanted).values_list("pk", "display_name")) if wanted else {}


def cell(column: str, value: Any, names: dict[int, str]) -> Cell:
    """The cell of ``column`` (a key of :data:`presentation.COLUMNS`) for ``value``."""
    if value is None:
        return Cell(labels.DASH)
    if column == "party_id":
        if isinstance(value, int):
            return Cell(names.get(value) or str(value), reverse("customer", args=[value]))
        return Cell(str(value))  # a pseudonym for the analyst role: no name, no link
    if column in COUNTS:
        return Cell(labels.count(value), numeric=True)
    if column in AMOUNTS:
        return Cell(labels.money(value), numeric=True)
    if column in SHARES:
        return Cell(labels.percent(value), numeric=True)
    if column in DECIMALS:
        return Cell(labels.number(value, DECIMALS[column]), numeric=True)
    if column in WORDS:
        return Cell(WORDS[column](value))
    if column.startswith("month_"):
        return Cell(labels.percent_points(value), numeric=True)
    if isinstance(value, float):
        return Cell(labels.number(value, 2), numeric=True)
    return Cell(str(value))


def page_rows(columns: list[str], rows: list[list[Any]], data_rows: list[dict[str, Any]]) -> list[list[Cell]]:
    """Every row of a report's table as cells; ``columns`` names each position (cohort months as ``month_N``)."""
    names = customer_names(data_rows)
    return [[cell(columns[i] if i < len(columns) else "", v, names) for i, v in enumerate(row)] for row in rows]
