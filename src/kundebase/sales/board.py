"""What the board and the deal list read: one query for the deals of a pipeline, grouped by stage in Python."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from kundebase.sales.access import deals_for
from kundebase.sales.models import Deal, Pipeline, Stage

BOARD_LIMIT = 25
"""Cards shown per stage (those expected to close first); the column's count and sums cover every deal in it,
and a link leads to the rest in the deal list. Rendering a card costs about a millisecond and dominates the
board's time once the count and sums come from the index: with 50 cards a column, a four-stage board of
200,000 open deals measured p50 147 ms / p99 314 ms (``benchmarks/sales.py``); a screen shows fewer than 25."""


@dataclass
class Column:
    stage: Stage
    deals: list[Deal] = field(default_factory=list)
    count: int = 0
    total: Decimal = Decimal(0)
    weighted: Decimal = Decimal(0)


def board(pipeline: Pipeline, user: Any, owner_id: int | None = None) -> list[Column]:
    from django.db.models import Count, Sum

    stages = list(pipeline.stages.order_by("position", "id"))
    columns = {s.pk: Column(stage=s) for s in stages}
    qs = open_deals(pipeline, user, owner_id)
    for row in qs.values("stage_id").annotate(n=Count("id"), total=Sum("amount_base")):
        column = columns.get(row["stage_id"])
        if column is not None:
            column.count, column.total = row["n"], row["total"] or Decimal(0)
    for stage_id, column in columns.items():
        if column.count:
            column.deals = list(qs.filter(stage_id=stage_id).select_related("party", "owner")
                                .order_by("expected_close_on", "id")[:BOARD_LIMIT])
        column.weighted = (column.total * column.stage.probability / 100).quantize(Decimal("0.01"))
    return [columns[s.pk] for s in stages]


def open_deals(pipeline: Pipeline, user: Any, owner_id: int | None = None) -> QuerySet[Deal]:
    qs = deals_for(user).filter(pipeline=pipeline, status=Deal.Status.OPEN)
    return qs.filter(owner_id=owner_id) if owner_id else qs
