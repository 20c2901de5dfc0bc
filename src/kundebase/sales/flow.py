"""Stage conversion and velocity of a pipeline, read from the deals' stage history.

For each stage: how many deals entered it, how many of those went on (to a later stage, or won), the
conversion between the two, and the average days a deal spent in it before its next change.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from kundebase.sales.models import Pipeline, StageChange


@dataclass
class StageFlow:
    stage_id: int
    name: str
    entered: int
    moved_on: int
    conversion: float | None
    average_days: float | None


def stage_flow(pipeline: Pipeline, deals: Any = None) -> list[StageFlow]:
    """``deals``: the deals to count (a salesperson's own); default every deal of the pipeline."""
    stages = list(pipeline.stages.order_by("position", "id"))
    position = {s.pk: s.position for s in stages}
    changes = StageChange.objects.filter(deal__pipeline=pipeline)
    if deals is not None:
        changes = changes.filter(deal__in=deals)
    by_deal: dict[int, list[tuple[Any, int | None, str]]] = defaultdict(list)
    for deal_id, at, to_stage, status in changes.order_by("deal_id", "changed_at", "id").values_list(
            "deal_id", "changed_at", "to_stage_id", "status"):
        by_deal[deal_id].append((at, to_stage, status))
    entered: dict[int, set[int]] = defaultdict(set)
    moved_on: dict[int, set[int]] = defaultdict(set)
    days: dict[int, list[float]] = defaultdict(list)
    for deal_id, rows in by_deal.items():
        for i, (at, stage_id, status) in enumerate(rows):
            if stage_id is None or status != "open":
                continue
            entered[stage_id].add(deal_id)
            later = rows[i + 1:]
            if later:
                days[stage_id].append((later[0][0] - at).total_seconds() / 86400)
            if any(s == "won" or (st is not None and position.get(st, 0) > position.get(stage_id, 0))
                   for _at, st, s in later):
                moved_on[stage_id].add(deal_id)
    out = []
    for stage in stages:
        n, m, d = len(entered[stage.pk]), len(moved_on[stage.pk]), days[stage.pk]
        out.append(StageFlow(stage_id=stage.pk, name=stage.label, entered=n, moved_on=m,
                             conversion=round(m / n, 4) if n else None,
                             average_days=round(sum(d) / len(d), 2) if d else None))
    return out
