"""Stage conversion and velocity of a pipeline, read from the deals' stage history.

For each stage: how many deals entered it, how many of those went on (to a later stage, or won), the
conversion between the two, and the average days a deal spent in it before its next change.

The history grows with every move of every deal, so it is never fetched: one grouped query per pipeline
counts and averages in the database. A row's "next change" and "a later change that goes on" are correlated
subqueries on the deal's history (index ``stagechange_deal``: deal, time), ordered by time then id as the
history is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Avg,
    Count,
    DateTimeField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
)

from kundebase.sales.models import Deal, Pipeline, StageChange


@dataclass
class StageFlow:
    stage_id: int
    name: str
    entered: int
    moved_on: int
    conversion: float | None
    average_days: float | None


def _after_outer_row() -> Q:
    """Rows of the same deal after the outer row, in the order the history was written."""
    return Q(deal_id=OuterRef("deal_id")) & (
        Q(changed_at__gt=OuterRef("changed_at")) | Q(changed_at=OuterRef("changed_at"), id__gt=OuterRef("id")))


def stage_flow(pipeline: Pipeline, deals: Any = None) -> list[StageFlow]:
    """``deals``: the deals to count (a salesperson's own); default every deal of the pipeline."""
    stages = list(pipeline.stages.order_by("position", "id"))
    later = StageChange.objects.filter(_after_outer_row())
    next_at = Subquery(later.order_by("changed_at", "id").values("changed_at")[:1], output_field=DateTimeField())
    goes_on = Exists(later.filter(Q(status=Deal.Status.WON)
                                  | Q(to_stage__position__gt=OuterRef("to_stage__position"))))
    entries = StageChange.objects.filter(deal__pipeline=pipeline, to_stage__pipeline=pipeline,
                                         status=Deal.Status.OPEN)
    if deals is not None:
        entries = entries.filter(deal__in=deals)
    stay = ExpressionWrapper(next_at - F("changed_at"), output_field=DurationField())
    rows = {r["to_stage_id"]: r for r in entries.values("to_stage_id").annotate(
        entered=Count("deal_id", distinct=True),
        moved_on=Count("deal_id", distinct=True, filter=goes_on),
        stay=Avg(stay)).order_by()}
    out = []
    for stage in stages:
        row: Any = rows.get(stage.pk, {})
        n, m, stay_avg = row.get("entered", 0), row.get("moved_on", 0), row.get("stay")
        out.append(StageFlow(stage_id=stage.pk, name=stage.label, entered=n, moved_on=m,
                             conversion=round(m / n, 4) if n else None,
                             average_days=round(_days(stay_avg), 2) if stay_avg is not None else None))
    return out


def _days(value: Any) -> float:
    """An average duration: a timedelta (PostgreSQL, SQLite through Django) or microseconds."""
    import datetime as dt

    if isinstance(value, dt.timedelta):
        return value.total_seconds() / 86400
    return float(value) / 86_400_000_000
