"""Batch and incremental runs over the customer database, and decisions on the review queue.

A run trains (full) or reuses (incremental) the model, scores candidate pairs,
merges automatically above the high threshold where the administrator allows it,
and puts the uncertain band into the review queue ordered by expected benefit.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from typing import Any

import numpy as np
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from kundebase.core import audit
from kundebase.core.errors import Conflict, DomainError, NotFound, ValidationFailed
from kundebase.matching import batch, comparisons, entry, fields, records, store
from kundebase.matching.merge import merge
from kundebase.matching.models import BlockingKey, MatchJob, MatchSettings, PendingParty, ReviewPair
from kundebase.parties.models import Party

log = logging.getLogger(__name__)
KINDS = ("person", "company")
Progress = Callable[[str, float], None]


def start_job(mode: str) -> MatchJob:
    if mode not in MatchJob.Mode.values:
        raise ValidationFailed.one("mode", _("Must be one of %(c)s") % {"c": ", ".join(MatchJob.Mode.values)})
    if MatchJob.objects.filter(status=MatchJob.Status.RUNNING).exists():
        raise Conflict(_("A matching run is already running"), code="run_in_progress")
    return MatchJob.objects.create(mode=mode)


def _progress(job: MatchJob, outer: Progress | None, share: float, span: float) -> Progress:
    def report(step: str, done: float) -> None:
        value = share + span * done
        MatchJob.objects.filter(pk=job.pk).update(step=step[:40], progress=round(value, 4))
        if outer:
            outer(step, value)
    return report


def rebuild_keys(kind: str, progress: Progress | None = None, chunk: int = 20_000) -> int:
    """Bulk rebuild of every blocking key of a kind (after an import or a change of rules)."""
    ids = list(Party.objects.filter(kind=kind, merged_into__isnull=True).values_list("pk", flat=True))
    BlockingKey.objects.filter(party__kind=kind).delete()
    total = 0
    for start in range(0, len(ids), chunk):
        total += store.refresh_keys(kind, ids[start:start + chunk])
        if progress:
            progress("keys", (start + chunk) / max(1, len(ids)))
    return total


def _activity(party_ids: list[int]) -> dict[int, int]:
    """How much happens with a customer (orders + interactions): merging a busy customer matters more."""
    out: dict[int, int] = {}
    for rel in ("orders", "interactions"):
        for row in Party.objects.filter(pk__in=party_ids).annotate(n=Count(rel)).values("pk", "n"):
            out[row["pk"]] = out.get(row["pk"], 0) + row["n"]
    return out


def benefit(probability: float, activity: int) -> float:
    """Expected benefit of reviewing a pair: how likely it is a duplicate times how much it matters."""
    return probability * (1.0 + math.log1p(activity))


def _evidence(comps: list[comparisons.Comparison], levels: np.ndarray, weights: np.ndarray,
              left: dict[str, Any], right: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for j, comp in enumerate(comps):
        level = int(levels[j])
        out.append({"field": comp.name, "level": str(comp.levels[level]) if level >= 0 else _("no value"),
                    "weight": round(float(weights[j]), 2),
                    "left": ", ".join(str(left.get(r) or "") for r in comp.roles if left.get(r)),
                    "right": ", ".join(str(right.get(r) or "") for r in comp.roles if right.get(r))})
    return out


def _store_pairs(kind: str, job: MatchJob, pairs: list[tuple[int, int, float]], recs: dict[int, dict[str, Any]],
                 actor: object) -> dict[str, int]:
    settings = MatchSettings.current()
    params = store.current_params(kind)
    comps = [c for c in comparisons.REGISTRY[kind] if c.name in params.comparisons]
    decided = {(a, b) for a, b in ReviewPair.objects.exclude(status=ReviewPair.Status.OPEN)
               .values_list("left_id", "right_id")}
    stats = {"merged": 0, "queued": 0}
    wanted = [(min(a, b), max(a, b), p) for a, b, p in pairs if p >= settings.review_threshold]
    activity = _activity(sorted({x for a, b, _p in wanted for x in (a, b)}))
    for left, right, p in sorted(wanted, key=lambda t: -t[2]):
        if (left, right) in decided:
            continue
        if settings.auto_merge and p >= settings.auto_merge_threshold:
            alive = Party.objects.filter(pk__in=[left, right], merged_into__isnull=True).count() == 2
            if alive:
                merge(survivor_id=left, merged_id=right, actor=actor, channel="matching")
                stats["merged"] += 1
            continue
        lf, rf = fields.prepare([recs[left]]), fields.prepare([recs[right]])
        levels = comparisons.compare(kind, comps, lf, rf)
        weights = params.field_weights(levels, params.term_frequencies(lf))
        ReviewPair.objects.update_or_create(
            left_id=left, right_id=right,
            defaults={"kind": kind, "probability": p, "job": job, "status": ReviewPair.Status.OPEN,
                      "benefit": benefit(p, activity.get(left, 0) + activity.get(right, 0)),
                      "evidence": _evidence(comps, levels[0], weights[0], recs[left], recs[right])})
        stats["queued"] += 1
    return stats


def run_job(job: MatchJob, *, actor: object = None, progress: Progress | None = None) -> MatchJob:
    """Carry out a queued job (the CLI runs it in the foreground; a worker may run it in the background)."""
    MatchJob.objects.filter(pk=job.pk).update(status=MatchJob.Status.RUNNING, started_at=timezone.now())
    stats: dict[str, Any] = {}
    try:
        since = (MatchJob.objects.filter(status=MatchJob.Status.DONE).order_by("-started_at")
                 .values_list("started_at", flat=True).first())
        for n, kind in enumerate(KINDS):
            report = _progress(job, progress, n / len(KINDS), 1 / len(KINDS))
            if job.mode == MatchJob.Mode.FULL:
                stats[kind] = _full(kind, job, report, actor)
            else:
                stats[kind] = _incremental(kind, job, report, actor, since)
        PendingParty.objects.all().delete()
        MatchJob.objects.filter(pk=job.pk).update(status=MatchJob.Status.DONE, progress=1.0, step="done",
                                                  finished_at=timezone.now(), stats=stats)
    except Exception as exc:  # a failed run is recorded for the UI, then re-raised for the caller
        log.exception("matching run %s failed", job.pk)
        MatchJob.objects.filter(pk=job.pk).update(status=MatchJob.Status.FAILED, error=failure_reason(exc)[:2000],
                                                  finished_at=timezone.now(), stats=stats)
        raise
    audit.record(action="change", actor=actor, entity="match_run", record_id=job.pk, channel="matching",
                 note=f"{job.mode} run")
    job.refresh_from_db()
    return job


def failure_reason(exc: BaseException) -> str:
    """What a failed run records as its reason: the message of an expected error, the kind and message of an
    unexpected one — never an empty text (``StopIteration()`` and many others have no message of their own)."""
    if isinstance(exc, DomainError) and str(exc):
        return str(exc)
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _full(kind: str, job: MatchJob, report: Progress, actor: object) -> dict[str, Any]:
    recs = records.load(kind)
    ids = list(recs)
    if len(ids) < 2:
        return {"records": len(ids), "pairs": 0}
    result = batch.run(kind, [recs[i] for i in ids], progress=lambda s, d: report(s, d * 0.7))
    if len(ids) >= 50:
        store.save_params(result.params)
    else:
        result = batch.run(kind, [recs[i] for i in ids], params=store.current_params(kind))
    report("keys", 0.75)
    rebuild_keys(kind)
    arr = np.array(ids)
    pairs = [(int(arr[a]), int(arr[b]), float(p)) for a, b, p in
             zip(result.left, result.right, result.probability, strict=True)]
    report("review", 0.85)
    with transaction.atomic():
        stats = _store_pairs(kind, job, pairs, recs, actor)
    keep = result.probability >= MatchSettings.current().review_threshold
    cluster_of = batch.clusters(len(ids), result.left[keep], result.right[keep])
    stats.update(records=len(ids), pairs=int(len(result.left)), clusters=int(len(set(cluster_of.tolist()))))
    return stats


INCREMENTAL_CHUNK = 1000
"""Changed customers checked together: their keys are prepared and their candidates asked once per chunk."""


def _incremental(kind: str, job: MatchJob, report: Progress, actor: object, since: Any) -> dict[str, Any]:
    changed = set(PendingParty.objects.values_list("party_id", flat=True))
    if since is not None:
        changed |= set(Party.objects.filter(updated_at__gte=since).values_list("pk", flat=True))
    ids = list(Party.objects.filter(pk__in=changed, kind=kind, merged_into__isnull=True).values_list("pk", flat=True))
    if not ids:
        return {"records": 0, "pairs": 0}
    store.refresh_keys(kind, ids)
    mine = records.load(kind, ids)
    pairs: list[tuple[int, int, float]] = []
    all_recs = dict(mine)
    params = store.current_params(kind)
    present = [pid for pid in ids if pid in mine]
    for start in range(0, len(present), INCREMENTAL_CHUNK):
        part = present[start:start + INCREMENTAL_CHUNK]
        features = fields.prepare([mine[pid] for pid in part])
        found = entry.candidate_ids_many(kind, store.records_keys(kind, [mine[pid] for pid in part], features))
        all_recs.update(records.load(kind, sorted({c for cands in found for c in cands} - all_recs.keys())))
        found = [[c for c in cands if c in all_recs and c != pid] for pid, cands in zip(part, found, strict=True)]
        prepared = entry.Prepared({c: all_recs[c] for c in sorted({c for cands in found for c in cands})})
        scored = entry.score_many(kind, features, found, prepared, explain_from=2.0, params=params)  # no words
        pairs += [(pid, other, p) for pid, group in zip(part, scored, strict=True) for other, p, _why in group]
        report("score", (start + len(part)) / len(present) * 0.8)
    with transaction.atomic():
        stats = _store_pairs(kind, job, pairs, all_recs, actor)
    stats.update(records=len(ids), pairs=len(pairs))
    return stats


def review_queue(*, kind: str | None = None, limit: int = 50) -> list[ReviewPair]:
    rows = ReviewPair.objects.filter(status=ReviewPair.Status.OPEN, left__merged_into__isnull=True,
                                     right__merged_into__isnull=True).select_related("left", "right")
    if kind:
        rows = rows.filter(kind=kind)
    return list(rows.order_by("-benefit", "-probability", "pk")[:limit])


def _open_pair(pair_id: int) -> ReviewPair:
    pair = ReviewPair.objects.select_for_update().filter(pk=pair_id).first()
    if pair is None:
        raise NotFound(_("Review pair"), pair_id)
    if pair.status != ReviewPair.Status.OPEN:
        raise Conflict(_("This pair was already decided"), code="already_decided")
    return pair


@transaction.atomic
def accept(*, pair_id: int, survivor_id: int | None = None, actor: object = None, channel: str = "web") -> Any:
    """Merge the pair (the older customer survives unless told otherwise)."""
    pair = _open_pair(pair_id)
    survivor = survivor_id or pair.left_id
    if survivor not in (pair.left_id, pair.right_id):
        raise ValidationFailed.one("survivor_id", _("The survivor must be one of the pair"))
    other = pair.right_id if survivor == pair.left_id else pair.left_id
    record = merge(survivor_id=survivor, merged_id=other, actor=actor, channel=channel)
    ReviewPair.objects.filter(pk=pair.pk).update(status=ReviewPair.Status.MERGED, decided_at=timezone.now(),
                                                 decided_by=(getattr(actor, "username", "") or "")[:150])
    return record


@transaction.atomic
def reject(*, pair_id: int, actor: object = None, channel: str = "web") -> ReviewPair:
    """Not a duplicate: remembered, so no run proposes the pair again."""
    pair = _open_pair(pair_id)
    pair.status = ReviewPair.Status.REJECTED
    pair.decided_at = timezone.now()
    pair.decided_by = (getattr(actor, "username", "") or "")[:150]
    pair.save(update_fields=["status", "decided_at", "decided_by"])
    audit.record(action="change", actor=actor, entity="review_pair", record_id=pair.pk, party_id=pair.left_id,
                 channel=channel, note=f"not a duplicate of {pair.right_id}")
    return pair
