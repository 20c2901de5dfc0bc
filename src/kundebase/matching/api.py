"""REST routes of the matching app: the review queue, decisions, runs, merges and unmerges."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import StrictInt

from kundebase.core.api_auth import require
from kundebase.core.errors import NotFound
from kundebase.matching import merge as merging
from kundebase.matching import services
from kundebase.matching.models import MatchJob, MergeRecord

router = Router(tags=["matching"])


class PartyRef(Schema):
    id: int
    customer_number: str
    display_name: str


class Evidence(Schema):
    field: str
    level: str
    weight: float
    left: str
    right: str


class ReviewPairOut(Schema):
    id: int
    kind: str
    left: PartyRef
    right: PartyRef
    probability: float
    benefit: float
    status: str
    evidence: list[Evidence]


class ReviewList(Schema):
    items: list[ReviewPairOut]


class AcceptIn(Schema):
    survivor_id: StrictInt | None = None


class MergeIn(Schema):
    survivor_id: StrictInt
    merged_id: StrictInt


class MergeOut(Schema):
    id: int
    survivor_id: int
    merged_id: int
    merged_at: dt.datetime
    merged_by: str
    unmerged_at: dt.datetime | None = None


class JobIn(Schema):
    mode: str = "incremental"


class JobOut(Schema):
    id: int
    mode: str
    status: str
    step: str
    progress: float
    created_at: dt.datetime
    finished_at: dt.datetime | None = None
    stats: dict[str, Any]
    error: str


def _pair(p: Any) -> dict[str, Any]:
    ref = lambda party: {"id": party.pk, "customer_number": party.customer_number,  # noqa: E731
                         "display_name": party.display_name}
    return {"id": p.pk, "kind": p.kind, "left": ref(p.left), "right": ref(p.right), "probability": p.probability,
            "benefit": p.benefit, "status": p.status, "evidence": p.evidence}


@router.get("/matching/review", response={200: ReviewList})
def review_queue(request: HttpRequest, kind: str | None = None, limit: int = 50) -> Any:
    require(request, "matching.view_reviewpair")
    return {"items": [_pair(p) for p in services.review_queue(kind=kind, limit=max(1, min(limit, 500)))]}


@router.post("/matching/review/{pair_id}/accept", response={200: MergeOut})
def accept_pair(request: HttpRequest, pair_id: int, body: AcceptIn) -> Any:
    require(request, "matching.change_reviewpair", "matching.add_mergerecord")
    return services.accept(pair_id=pair_id, survivor_id=body.survivor_id, actor=request.user, channel="api")


@router.post("/matching/review/{pair_id}/reject", response={200: ReviewPairOut})
def reject_pair(request: HttpRequest, pair_id: int) -> Any:
    require(request, "matching.change_reviewpair")
    pair = services.reject(pair_id=pair_id, actor=request.user, channel="api")
    return _pair(pair)


@router.post("/matching/merges", response={201: MergeOut})
def merge_parties(request: HttpRequest, body: MergeIn) -> Any:
    require(request, "matching.add_mergerecord")
    return Status(201, merging.merge(survivor_id=body.survivor_id, merged_id=body.merged_id, actor=request.user))


@router.post("/matching/merges/{merge_id}/unmerge", response={200: MergeOut})
def unmerge(request: HttpRequest, merge_id: int) -> Any:
    require(request, "matching.change_mergerecord")
    return merging.unmerge(merge_id=merge_id, actor=request.user)


@router.post("/matching/runs", response={202: JobOut})
def start_run(request: HttpRequest, body: JobIn) -> Any:
    """Queue a run; ``kundebase match run --queued`` (or the worker) carries it out and updates its progress."""
    require(request, "matching.add_matchjob")
    return Status(202, services.start_job(body.mode))


@router.get("/matching/runs/{job_id}", response={200: JobOut})
def get_run(request: HttpRequest, job_id: int) -> Any:
    require(request, "matching.view_matchjob")
    job = MatchJob.objects.filter(pk=job_id).first()
    if job is None:
        raise NotFound("Run", job_id)
    return job


@router.get("/matching/merges/{merge_id}", response={200: MergeOut})
def get_merge(request: HttpRequest, merge_id: int) -> Any:
    require(request, "matching.view_mergerecord")
    record = MergeRecord.objects.filter(pk=merge_id).first()
    if record is None:
        raise NotFound("Merge", merge_id)
    return record
