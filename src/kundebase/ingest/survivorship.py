"""Which value is shown when sources disagree: the survivorship policy, per field.

Every value any source gave is kept as an :class:`~kundebase.core.models.Observation`;
the shown value is the one that wins under the field's rules, tried in order
until one decides:

- ``verified``  — a verified value beats an unverified one;
- ``priority``  — the source with the higher priority wins (``Source.priority``;
  values typed by an employee count as priority 70, other channels 50);
- ``recent``    — the most recently received value wins;
- ``complete``  — the longer (more complete) value wins (``K.`` loses to ``Kari``).

The default puts verification and source priority first and the newest value
last; names prefer completeness over recency.  ``POLICIES`` is the place to
change a field's rules.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from kundebase.core.models import Observation
from kundebase.core.provenance import SourceRef

DEFAULT_RULES = ("verified", "priority", "recent")
POLICIES: dict[str, tuple[str, ...]] = {
    "person.given_name": ("verified", "priority", "complete", "recent"),
    "person.family_name": ("verified", "priority", "complete", "recent"),
    "company.legal_name": ("verified", "priority", "complete", "recent"),
    "person.birth_date": ("verified", "priority", "recent"),
    "company.org_number": ("verified", "priority", "recent"),
}
"""``"<entity>.<field>"`` → rules in order; fields not named here use ``DEFAULT_RULES``."""

MANUAL_PREFIXES = ("api:", "form:", "web:", "ui:")
MANUAL_PRIORITY = 70
DEFAULT_PRIORITY = 50
SURVIVING_FIELDS = {
    "person": ("given_name", "family_name", "birth_date", "gender", "preferred_language"),
    "company": ("legal_name", "org_number", "org_country", "industry_code", "employees", "annual_revenue",
                "bank_account", "payment_terms_days", "credit_limit", "preferred_language"),
}
"""The fields whose shown value survivorship decides (contact points and addresses accumulate instead)."""


@dataclass(frozen=True)
class Candidate:
    value: str
    source: str
    received_at: dt.datetime
    verified: bool
    priority: int


def rules_for(entity: str, field: str) -> tuple[str, ...]:
    return POLICIES.get(f"{entity}.{field}", DEFAULT_RULES)


def source_priorities(names: Iterable[str]) -> dict[str, int]:
    from kundebase.ingest.models import Source

    names = set(names)
    known = dict(Source.objects.filter(name__in=names).values_list("name", "priority"))
    return {n: known.get(n, MANUAL_PRIORITY if n.startswith(MANUAL_PREFIXES) else DEFAULT_PRIORITY) for n in names}


def _key(candidate: Candidate, rules: tuple[str, ...]) -> tuple[Any, ...]:
    parts: list[Any] = []
    for rule in rules:
        if rule == "verified":
            parts.append(candidate.verified)
        elif rule == "priority":
            parts.append(candidate.priority)
        elif rule == "recent":
            parts.append(candidate.received_at)
        elif rule == "complete":
            parts.append(len(candidate.value.strip()))
    parts.append(candidate.received_at)
    return tuple(parts)


def winner(candidates: list[Candidate], rules: tuple[str, ...]) -> Candidate | None:
    present = [c for c in candidates if c.value.strip()]
    if not present:
        return None
    return max(present, key=lambda c: _key(c, rules))


def candidates_for(entity: str, record_id: int, fields: Iterable[str] | None = None) -> dict[str, list[Candidate]]:
    rows = Observation.objects.filter(entity=entity, record_id=record_id)
    if fields is not None:
        rows = rows.filter(field__in=list(fields))
    observations = list(rows.values_list("field", "value", "source", "received_at", "verified"))
    priorities = source_priorities(o[2] for o in observations)
    out: dict[str, list[Candidate]] = {}
    for field, value, source, received_at, verified in observations:
        out.setdefault(field, []).append(Candidate(value, source, received_at, verified, priorities[source]))
    return out


def decide(entity: str, record_id: int, current: Mapping[str, Any], incoming: Mapping[str, Any],
           source: SourceRef, *, priority: int | None = None,
           stored: dict[str, list[Candidate]] | None = None) -> dict[str, Any]:
    """The fields whose shown value changes when ``incoming`` arrives from ``source`` (read-only).

    A field changes only when the incoming value wins and differs from the shown
    one; a losing value is still kept as an observation by the caller.
    """
    fields = [f for f in incoming if f in SURVIVING_FIELDS.get(entity, ())]
    if not fields:
        return {}
    if stored is None:
        stored = candidates_for(entity, record_id, fields)
    if priority is None:
        priority = source_priorities([source.name])[source.name]
    from django.utils import timezone

    now = timezone.now()
    changes: dict[str, Any] = {}
    for field in fields:
        value = incoming[field]
        text = "" if value is None else str(value)
        if not text.strip():
            continue
        shown = current.get(field)
        shown_text = "" if shown is None else str(shown)
        pool = list(stored.get(field, []))
        if shown_text and not any(c.value == shown_text for c in pool):
            # A value set before provenance was kept: treat it as an unverified, older, default-priority value.
            pool.append(Candidate(shown_text, "", dt.datetime.min.replace(tzinfo=dt.UTC), False, DEFAULT_PRIORITY))
        new = Candidate(text, source.name, now, source.verified, priority)
        best = winner([*pool, new], rules_for(entity, field))
        if best is new and text != shown_text:
            changes[field] = value
    return changes


def shown_values(entity: str, record_id: int) -> dict[str, Candidate]:
    """The winning observation of each surviving field, from the observations alone."""
    out = {}
    for field, pool in candidates_for(entity, record_id, SURVIVING_FIELDS.get(entity, ())).items():
        best = winner(pool, rules_for(entity, field))
        if best is not None:
            out[field] = best
    return out


def merged_values(entity: str, survivor_id: int, merged_id: int,
                  current: Mapping[int, Mapping[str, Any]]) -> dict[str, Any]:
    """Field → value the survivor of a merge shows: the policy's winner among both customers' observations.

    ``current`` holds both parties' present (typed) values by party id. The observed text is the provenance; the
    typed value comes from whichever party holds it. A field without a usable observation keeps the survivor's
    value, or takes the merged party's where the survivor has none.
    """
    fields = SURVIVING_FIELDS.get(entity, ())
    pools: dict[str, list[Candidate]] = {}
    for record_id in dict.fromkeys((survivor_id, merged_id)):
        for field, pool in candidates_for(entity, record_id, fields).items():
            pools.setdefault(field, []).extend(c for c in pool if c.value != "None")
    chosen: dict[str, Any] = {}
    for field in fields:
        mine, theirs = current[survivor_id].get(field), current[merged_id].get(field)
        best = winner(pools.get(field, []), rules_for(entity, field))
        if best is not None:
            value = next((v for v in (mine, theirs) if v not in (None, "") and str(v) == best.value), None)
            if value is not None:
                chosen[field] = value
                continue
        chosen[field] = mine if mine not in (None, "") else theirs
    return chosen


def recompute(*, party_id: int, actor: object = None, channel: str = "import") -> dict[str, str]:
    """Re-apply the policy to a customer (after a policy change or a merge); returns the fields changed."""
    from kundebase.parties import services
    from kundebase.parties.models import Company, Person

    party = services.get_party(party_id)
    entity = party.kind
    model = Person if entity == "person" else Company
    obj = model.objects.get(pk=party_id)
    by_source: dict[str, dict[str, str]] = {}
    for field, best in shown_values(entity, party_id).items():
        current = getattr(obj, field)
        if ("" if current is None else str(current)) != best.value:
            by_source.setdefault(best.source, {})[field] = best.value
    update = services.update_person if entity == "person" else services.update_company
    changed: dict[str, str] = {}
    for source_name, changes in by_source.items():
        # Written in the winning source's name, so the provenance still says who said it.
        update(party_id=party_id, changes=changes, actor=actor, channel=channel, source=SourceRef(name=source_name))
        changed.update(changes)
    return changed


def provenance(entity: str, record_id: int) -> list[dict[str, Any]]:
    """For every field: which sources said what and when, newest first, with the value the policy shows."""
    pools = candidates_for(entity, record_id)
    out = []
    for field in sorted(pools):
        pool = pools[field]
        best = winner(pool, rules_for(entity, field))
        out.append({
            "field": field,
            "shown": best.value if best else "",
            "rules": list(rules_for(entity, field)),
            "values": [{"value": c.value, "source": c.source, "received_at": c.received_at.isoformat(),
                        "verified": c.verified, "priority": c.priority, "wins": c is best}
                       for c in sorted(pool, key=lambda c: c.received_at, reverse=True)],
        })
    return out
