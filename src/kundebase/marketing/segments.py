"""Segment services: validate and count rules, save dynamic or static segments, give their members as SQL.

Counting and snapshots run entirely in the database (``COUNT(*)`` and
``INSERT … SELECT``); callers that need members get SQL to embed, never a list
of every customer.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kundebase.core import audit
from kundebase.core.dialect import for_connection
from kundebase.core.errors import ErrorCollector, NotFound, ValidationFailed
from kundebase.marketing import segment_engine
from kundebase.marketing.models import Segment, SegmentMember
from kundebase.marketing.segment_language import Frag, compile_condition, count_sql, select_sql

MAX_RULE_BYTES = 64 * 1024


def _check_size(rule: Any, path: str = "rule") -> None:
    if len(json.dumps(rule, default=str)) > MAX_RULE_BYTES:
        raise ValidationFailed.one(path, _("A rule may be at most 64 KiB"), "too_large")


def validate(rule: Any, *, segment_id: int | None = None) -> None:
    """Raise ``ValidationFailed`` naming each fault's path in the rule (``rule.and[2].value``)."""
    _check_size(rule)
    compile_condition(rule, for_connection(), segments=(segment_id,) if segment_id else ())


@dataclass(frozen=True)
class Counted:
    count: int
    engine: str
    """``analytics`` (the DuckDB mirror) or the operational database's vendor (``sqlite``, ``postgresql``)."""


def count(*, rule: Any) -> int:
    """How many customers the rule selects now (on the analytics engine when it can answer; see ``counted``)."""
    return counted(rule=rule).count


def counted(*, rule: Any, analytics: bool = True, now: dt.datetime | None = None) -> Counted:
    """The count and the engine that produced it: the analytics mirror when it is fresh and holds every table
    the rule reads (``segment_engine``), else the operational database.  Both give the same number.

    ``now`` pins "today" and "days since" (a benchmark comparing engines); by default it is the present.
    """
    _check_size(rule)
    if analytics:
        found = segment_engine.analytics_count(rule, now=now)
        if found is not None:
            return Counted(found, "analytics")
    dialect = for_connection(connection)
    sql, params = count_sql(rule, dialect, now=now)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return Counted(int(cursor.fetchone()[0]), dialect.name)


def get_segment(segment_id: int) -> Segment:
    segment = Segment.objects.filter(pk=segment_id).first()
    if segment is None:
        raise NotFound(_("Segment"), segment_id)
    return segment


def members_sql(segment: Segment, *, include_merged: bool = False) -> Frag:
    """SQL selecting the member party ids of a segment (a snapshot for static ones)."""
    dialect = for_connection()
    if segment.kind == Segment.Kind.STATIC:
        merged = "" if include_merged else " AND p.merged_into_id IS NULL"
        return (f"SELECT sm.party_id FROM marketing_segmentmember sm JOIN parties_party p ON p.id = sm.party_id "
                f"WHERE sm.segment_id = {dialect.placeholder}{merged}", [segment.pk])
    sql, params = select_sql(segment.rule, dialect, segments=(segment.pk,))
    if include_merged:
        sql = sql.replace("WHERE p.merged_into_id IS NULL AND ", "WHERE ", 1)
    return sql, params


def segment_count(segment: Segment) -> int:
    """Members now: a dynamic segment is counted like a rule (maybe on the analytics engine), a static one
    from its snapshot."""
    if segment.kind == Segment.Kind.DYNAMIC:
        _check_size(segment.rule)
        found = segment_engine.analytics_count(segment.rule, segments=(segment.pk,))
        if found is not None:
            return found
    sql, params = members_sql(segment)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM ({sql}) m", params)
        return int(cursor.fetchone()[0])


def _clean(data: dict[str, Any], errors: ErrorCollector, *, current: Segment | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if current is None or "name" in data:
        name = str(data.get("name") or "").strip()
        if not name or len(name) > 150:
            errors.add("name", _("Give a name of at most 150 characters"), "required")
        elif Segment.objects.filter(name=name).exclude(pk__in=[current.pk] if current else []).exists():
            errors.add("name", _("A segment with this name exists"), "duplicate")
        out["name"] = name
    if current is None or "kind" in data:
        kind = data.get("kind") or Segment.Kind.DYNAMIC
        if kind not in Segment.Kind.values:
            errors.add("kind", _("Must be one of %(c)s") % {"c": ", ".join(Segment.Kind.values)}, "invalid_choice")
        out["kind"] = kind
    if "description" in data:
        out["description"] = str(data.get("description") or "")[:2000]
    if current is None or "rule" in data:
        out["rule"] = data.get("rule")
    return out


def _snapshot(segment: Segment) -> int:
    """Replace a static segment's members with the rule's current result, inside the database."""
    SegmentMember.objects.filter(segment=segment).delete()
    dialect = for_connection(connection)
    sql, params = select_sql(segment.rule, dialect, segments=(segment.pk,))
    insert = sql.replace("SELECT p.id FROM", f"SELECT {dialect.placeholder}, p.id FROM", 1)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO marketing_segmentmember (segment_id, party_id) {insert}", [segment.pk, *params])
    segment.snapshot_at = timezone.now()
    segment.save(update_fields=["snapshot_at"])
    return SegmentMember.objects.filter(segment=segment).count()


@transaction.atomic
def create_segment(*, data: dict[str, Any], actor: object = None, channel: str = "api") -> Segment:
    errors = ErrorCollector()
    cleaned = _clean(data, errors)
    errors.raise_if_any()
    validate(cleaned["rule"])
    segment = Segment.objects.create(created_by=getattr(actor, "username", "") or "", **cleaned)
    if segment.kind == Segment.Kind.STATIC:
        _snapshot(segment)
    audit.record(action="create", actor=actor, entity="segment", record_id=segment.pk, channel=channel,
                 fields=sorted(cleaned))
    return segment


@transaction.atomic
def update_segment(*, segment_id: int, changes: dict[str, Any], actor: object = None,
                   channel: str = "api") -> Segment:
    segment = get_segment(segment_id)
    errors = ErrorCollector()
    cleaned = _clean(changes, errors, current=segment)
    errors.raise_if_any()
    if "rule" in cleaned:
        validate(cleaned["rule"], segment_id=segment.pk)
    for key, value in cleaned.items():
        setattr(segment, key, value)
    segment.save()
    if segment.kind == Segment.Kind.STATIC and ("rule" in cleaned or "kind" in cleaned):
        _snapshot(segment)
    elif segment.kind == Segment.Kind.DYNAMIC:
        SegmentMember.objects.filter(segment=segment).delete()
    audit.record(action="change", actor=actor, entity="segment", record_id=segment.pk, channel=channel,
                 fields=sorted(cleaned))
    return segment


@transaction.atomic
def refresh_snapshot(*, segment_id: int, actor: object = None, channel: str = "api") -> int:
    segment = get_segment(segment_id)
    if segment.kind != Segment.Kind.STATIC:
        raise ValidationFailed.one("kind", _("Only a static segment has a snapshot"), "not_static")
    members = _snapshot(segment)
    audit.record(action="change", actor=actor, entity="segment", record_id=segment.pk, channel=channel,
                 fields=["members"], note=f"{members} members")
    return members


def _referenced(rule: Any) -> set[int]:
    """Ids of the segments a rule names with ``member_of``."""
    found: set[int] = set()
    stack = [rule]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if node.get("attr") == "segment" and isinstance(node.get("value"), int):
                found.add(node["value"])
            stack.extend(v for v in node.values() if isinstance(v, dict | list))
        elif isinstance(node, list):
            stack.extend(node)
    return found


@transaction.atomic
def delete_segment(*, segment_id: int, actor: object = None, channel: str = "api") -> None:
    segment = get_segment(segment_id)
    if segment.campaigns.exists():
        raise ValidationFailed.one("segment", _("Campaigns use this segment"), "in_use")
    users = [other.name for other in Segment.objects.exclude(pk=segment_id) if segment_id in _referenced(other.rule)]
    if users:
        raise ValidationFailed.one("segment", _("Other segments use this one: %(s)s") % {"s": ", ".join(users)},
                                   "in_use")
    segment.delete()
    audit.record(action="delete", actor=actor, entity="segment", record_id=segment_id, channel=channel)
