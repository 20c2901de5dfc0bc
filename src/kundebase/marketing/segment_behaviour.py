"""Segment attributes about what customers did: orders, contacts, consents, loyalty, campaigns, segments.

Counts and sums become columns of a per-customer rollup (one grouped scan per
table, LEFT JOINed once; see :class:`~kundebase.marketing.segment_language.Rollup`).
"Days since the last X" is compiled to ``EXISTS`` probes against a cut-off
time (``NOT EXISTS`` an X after the cut-off) rather than to ``MAX()``, so the
(party, time) indexes of SQLite and PostgreSQL answer it without aggregating
anyone's history; on a column store (DuckDB), which has no such indexes, the
same probes read ``MAX()``/``MIN()`` columns of the rollup instead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from kundebase.marketing.segment_attributes import _category_ids, compare
from kundebase.marketing.segment_language import (
    NO_VALUE,
    NUMBER_OPS,
    Attr,
    Context,
    Frag,
    Measure,
    compile_node,
    register,
)

Probe = Callable[[str, Any], Frag]
"""``probe(cmp, cutoff)``: "some event's time ``cmp`` cutoff" (``cmp`` "" = any event at all)."""


def _window(ctx: Context, window: Any, path: str, column: str) -> Frag:
    """``{"days": N}`` or ``{"from": "YYYY-MM-DD", "to": "YYYY-MM-DD"}`` as a condition on ``column``."""
    if window is None:
        return "", []
    if isinstance(window, dict) and set(window) == {"days"}:
        days = window["days"]
        if isinstance(days, int) and not isinstance(days, bool) and 0 < days <= 36500:
            return f" AND {column} >= {ctx.ph}", [ctx.days_ago(days)]
        ctx.errors.add(f"{path}.window.days", _("Must be a whole number of days from 1 to 36500"), "invalid_type")
        return "", []
    if isinstance(window, dict) and window and set(window) <= {"from", "to"}:
        sql, params = "", []
        for key, cmp_op, shift in (("from", ">=", 0), ("to", "<", 1)):
            if key not in window:
                continue
            try:
                day = dt.date.fromisoformat(str(window[key])) + dt.timedelta(days=shift)
            except ValueError:
                ctx.errors.add(f"{path}.window.{key}", _("Not a date (YYYY-MM-DD)"), "invalid_date")
                continue
            moment = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
            sql += f" AND {column} {cmp_op} {ctx.ph}"
            params.append(ctx.dt(moment))
        return sql, params
    ctx.errors.add(f"{path}.window", _('Use {"days": N} or {"from": date, "to": date}'), "invalid_type")
    return "", []


def _days_since(ctx: Context, probe: Probe, op: str, value: Any, *, first: bool) -> Frag:
    """Days since the last (or first) event, as tests of "an event after (before) the cut-off"."""
    def after(days: float, strict: bool) -> Frag:  # an event after the cut-off
        return probe(">" if strict else ">=", ctx.days_ago(days))

    def before(days: float, strict: bool) -> Frag:  # an event before the cut-off
        return probe("<" if strict else "<=", ctx.days_ago(days))

    def both(*parts: tuple[Frag, bool]) -> Frag:
        sql = " AND ".join(("NOT " if neg else "") + f[0] for f, neg in parts)
        return sql, [x for f, _neg in parts for x in f[1]]

    anything = probe("", None)
    if op == "is_empty":
        return both((anything, True))
    if op == "is_set":
        return anything
    if op == "between":
        low, high = value
    else:
        low, high = {"eq": (value, value + 1), "gte": (value, None), "gt": (value, None), "lte": (None, value),
                     "lt": (None, value), "ne": (value, value + 1)}[op]
    parts: list[tuple[Frag, bool]] = []
    if not first:  # last event: at least `low` days ago = none after cut-off(low); at most `high` = one after
        if low is not None:
            parts.append((after(low, strict=op != "gt"), True))
        if high is not None:
            parts.append((after(high, strict=op in ("eq", "ne", "lt")), False))
        if high is None:
            parts.append((anything, False))
    else:  # first event: at least `low` days ago = one before cut-off(low); at most `high` = none before
        if low is not None:
            parts.append((before(low, strict=op == "gt"), False))
        if high is not None:
            parts.append((before(high, strict=op not in ("eq", "ne", "lt")), True))
        if low is None:
            parts.append((anything, False))
    sql, params = both(*parts)
    if op == "ne":
        return f"{anything[0]} AND NOT ({sql})", [*anything[1], *params]
    return sql, params


def exists_probe(ctx: Context, table: str, alias: str, column: str, base: Frag) -> Probe:
    """Probes as ``EXISTS`` on the (party, time) index: ``EXISTS (… WHERE party = p.id AND time > ?)``."""
    def probe(cmp: str, cutoff: Any) -> Frag:
        extra, params = (f" AND {alias}.{column} {cmp} {ctx.ph}", [cutoff]) if cmp else ("", [])
        return (f"EXISTS (SELECT 1 FROM {table} {alias} WHERE {alias}.party_id = p.id{base[0]}{extra})",
                [*base[1], *params])
    return probe


def rollup_probe(ctx: Context, table: str, column: str, rows: Frag, when: Frag, *, first: bool) -> Probe:
    """The same probes on the latest (earliest) time in the rollup: "an event after t" = ``MAX(time) > t``."""
    measure = Measure("MIN" if first else "MAX", f"x.{column}", *_split(when))
    ref = ctx.rollup(table, rows).column(measure)

    def probe(cmp: str, cutoff: Any) -> Frag:
        if not cmp:
            return f"{ref} IS NOT NULL", []
        return f"COALESCE({ref} {cmp} {ctx.ph}, {ctx.dialect.false()})", [cutoff]
    return probe


def _split(when: Frag) -> tuple[str, tuple[Any, ...]]:
    """A `` AND a AND b`` filter as the ``a AND b`` condition of a measure."""
    sql = when[0][len(" AND "):] if when[0].startswith(" AND ") else when[0]
    return sql, tuple(when[1])


# --- orders ---------------------------------------------------------------------------------------------

def _order_filter(ctx: Context, q: dict[str, Any], path: str, *, window: bool = True,
                  alias: str = "o") -> tuple[Frag, Frag]:
    """The window (a cheap column test) and the category filter (a probe of the order lines) apart."""
    when = _window(ctx, q.get("window"), path, f"{alias}.ordered_at") if window else ("", [])
    sql, params = "", list[Any]()
    if "category" in q:
        slugs = q["category"] if isinstance(q["category"], list) else [q["category"]]
        if not slugs or not all(isinstance(s, str) for s in slugs):
            ctx.errors.add(f"{path}.category", _("Name one or more product categories"), "invalid_type")
            return when, (sql, params)
        ids = _category_ids(ctx, slugs, f"{path}.category")
        if ids:
            sql += (" AND EXISTS (SELECT 1 FROM orders_orderline l JOIN orders_product pr ON pr.id = l.product_id "
                    f"WHERE l.order_id = {alias}.id AND pr.category_id IN ({', '.join([ctx.ph] * len(ids))}))")
            params.extend(ids)
    return when, (sql, params)


def aggregate_condition(ctx: Context, source: str, rows: Frag, when: Frag, measure: tuple[str, str], op: str,
                        value: Any) -> Frag:
    """``aggregate(rows of the customer) <op> value`` as a column of the table's rollup.

    ``rows`` filters the rollup's scan, ``when`` (cheap) only this measure; customers without
    rows get no rollup row, and their aggregate is 0 (``COALESCE``), so ``NOT`` and ``OR`` need no
    special case.
    """
    func, arg = measure
    column = ctx.rollup(source, rows).column(Measure(func, arg, *_split(when)))
    return compare(ctx, f"COALESCE({column}, 0)", op, value)


def _order_aggregate(func: str, arg: str) -> Any:
    def build(ctx: Context, op: str, value: Any, q: dict[str, Any], path: str) -> Frag:
        when, rows = _order_filter(ctx, q, path, alias="x")
        return aggregate_condition(ctx, "orders_order", rows, when, (func, arg), op, value)
    return build


def _order_days(first: bool) -> Any:
    def build(ctx: Context, op: str, value: Any, q: dict[str, Any], path: str) -> Frag:
        if ctx.dialect.columnar:
            _when, rows = _order_filter(ctx, q, path, window=False, alias="x")
            probe = rollup_probe(ctx, "orders_order", "ordered_at", rows, ("", []), first=first)
        else:
            _when, base = _order_filter(ctx, q, path, window=False)
            probe = exists_probe(ctx, "orders_order", "o", "ordered_at", base)
        return _days_since(ctx, probe, op, value, first=first)
    return build


def _bought(ctx: Context, op: str, value: Any, q: dict[str, Any], path: str) -> Frag:
    where, params = _window(ctx, q.get("window"), path, "o.ordered_at")
    ids = _category_ids(ctx, value, f"{path}.value")
    marks = ", ".join([ctx.ph] * max(len(ids), 1))
    return (f"EXISTS (SELECT 1 FROM orders_order o JOIN orders_orderline l ON l.order_id = o.id "
            f"JOIN orders_product pr ON pr.id = l.product_id WHERE o.party_id = p.id{where} "
            f"AND pr.category_id IN ({marks}))", [*params, *(ids or [0])])


DAY_OPS = (*NUMBER_OPS, "is_empty", "is_set")
register(Attr("orders.count", "integer", NUMBER_OPS, _order_aggregate("COUNT", "1"), ("window", "category"),
              group="orders"))
register(Attr("orders.revenue", "number", NUMBER_OPS, _order_aggregate("SUM", "x.revenue"),
              ("window", "category"), group="orders"))
register(Attr("orders.margin", "number", NUMBER_OPS, _order_aggregate("SUM", "x.revenue - x.cost"),
              ("window", "category"), group="orders"))
register(Attr("orders.days_since_last", "integer", DAY_OPS, _order_days(first=False), ("category",),
              group="orders"))
register(Attr("orders.days_since_first", "integer", DAY_OPS, _order_days(first=True), ("category",),
              group="orders"))
register(Attr("orders.category", "text", ("any",), _bought, ("window",), group="orders"))


# --- interactions ---------------------------------------------------------------------------------------

def _interaction_filter(ctx: Context, q: dict[str, Any], path: str, *, window: bool) -> Frag:
    from kundebase.interactions.models import Interaction

    sql, params = _window(ctx, q.get("window"), path, "x.occurred_at") if window else ("", [])
    for key, allowed in (("channel", Interaction.Channel.values), ("kind", Interaction.Kind.values),
                         ("direction", Interaction.Direction.values)):
        if key not in q:
            continue
        values = q[key] if isinstance(q[key], list) else [q[key]]
        bad = [v for v in values if v not in allowed]
        if not values or bad:
            ctx.errors.add(f"{path}.{key}", _("Must be one of %(c)s") % {"c": ", ".join(allowed)}, "invalid_choice")
            continue
        sql += f" AND x.{key} IN ({', '.join([ctx.ph] * len(values))})"
        params.extend(values)
    return sql, params


def _interaction_count(ctx: Context, op: str, value: Any, q: dict[str, Any], path: str) -> Frag:
    when = _interaction_filter(ctx, q, path, window=True)
    return aggregate_condition(ctx, "interactions_interaction", ("", []), when, ("COUNT", "1"), op, value)


def _interaction_days(ctx: Context, op: str, value: Any, q: dict[str, Any], path: str) -> Frag:
    base = _interaction_filter(ctx, q, path, window=False)
    if ctx.dialect.columnar:
        probe = rollup_probe(ctx, "interactions_interaction", "occurred_at", ("", []), base, first=False)
    else:
        probe = exists_probe(ctx, "interactions_interaction", "x", "occurred_at", base)
    return _days_since(ctx, probe, op, value, first=False)


register(Attr("interactions.count", "integer", NUMBER_OPS, _interaction_count, ("window", "channel", "kind",
                                                                                 "direction"), group="contact"))
register(Attr("interactions.days_since_last", "integer", DAY_OPS, _interaction_days, ("channel", "kind",
                                                                                       "direction"), group="contact"))


# --- consent --------------------------------------------------------------------------------------------

def _consent(ctx: Context, op: str, value: Any, q: dict[str, Any], path: str) -> Frag | None:
    from kundebase.privacy.models import Channel, Purpose

    purpose_id = Purpose.objects.filter(key=str(q.get("purpose") or "")).values_list("id", flat=True).first()
    if purpose_id is None:
        ctx.errors.add(f"{path}.purpose", _("Name a defined purpose"), "not_found")
    if q.get("channel") not in Channel.values:
        ctx.errors.add(f"{path}.channel", _("Must be one of %(c)s") % {"c": ", ".join(Channel.values)},
                       "invalid_choice")
    if purpose_id is None or q.get("channel") not in Channel.values:
        return None
    ph = ctx.ph
    latest = ("(SELECT ce.status FROM privacy_consentevent ce WHERE ce.party_id = p.id AND ce.purpose_id = "
              f"{ph} AND ce.channel = {ph} AND ce.captured_at <= {ph} AND (ce.valid_from IS NULL OR "
              f"ce.valid_from <= {ph}) AND (ce.valid_until IS NULL OR ce.valid_until > {ph}) "
              "ORDER BY ce.captured_at DESC, ce.id DESC LIMIT 1)")
    now = ctx.dt(ctx.now)
    params = [purpose_id, q["channel"], now, now, now]
    if op == "granted":
        return f"{latest} = {ph}", [*params, "granted"]
    status = "granted" if op == "not_granted" else value
    cmp_op = "<>" if op == "not_granted" else "="
    return f"COALESCE({latest}, {ph}) {cmp_op} {ph}", [*params, "none", status]


register(Attr("consent", "choice", ("granted", "not_granted", "eq"), _consent, ("purpose", "channel"),
              choices=("granted", "denied", "withdrawn", "none"), shapes={"granted": NO_VALUE,
                                                                          "not_granted": NO_VALUE},
              group="consent"))


# --- loyalty, campaigns, other segments -------------------------------------------------------------------

def _tiers() -> tuple[str, ...]:
    from kundebase.marketing.models import LoyaltyTier

    return tuple(LoyaltyTier.objects.values_list("name", flat=True))


def _tier(ctx: Context, op: str, value: Any, q: dict[str, Any], path: str) -> Frag:
    sub = ("(SELECT t.name FROM marketing_loyaltymember m JOIN marketing_loyaltytier t ON t.id = m.tier_id "
           "WHERE m.party_id = p.id)")
    return compare(ctx, sub, op, value)


def _points(ctx: Context, op: str, value: Any, q: dict[str, Any], path: str) -> Frag:
    return compare(ctx, "(SELECT COALESCE(SUM(e.points), 0) FROM marketing_loyaltyentry e WHERE e.party_id = p.id)",
                   op, value)


def _member(ctx: Context, op: str, value: Any, q: dict[str, Any], path: str) -> Frag:
    sql = "EXISTS (SELECT 1 FROM marketing_loyaltymember m WHERE m.party_id = p.id)"
    return (sql if value else f"NOT {sql}"), []


register(Attr("loyalty.tier", "choice", ("eq", "ne", "in", "not_in", "is_empty", "is_set"), _tier,
              choices=_tiers, group="loyalty"))
register(Attr("loyalty.points", "integer", NUMBER_OPS, _points, group="loyalty"))
register(Attr("loyalty.member", "boolean", ("eq",), _member, group="loyalty"))

RESPONSES = {"received": "r.status = 'sent'", "opened": "r.opened_at IS NOT NULL",
             "clicked": "r.clicked_at IS NOT NULL", "unsubscribed": "r.unsubscribed_at IS NOT NULL",
             "bounced": "r.bounced_at IS NOT NULL",
             "converted": "EXISTS (SELECT 1 FROM orders_order o WHERE o.party_id = p.id AND "
                          "o.ordered_at >= r.sent_at AND o.ordered_at < r.convert_until)"}


def _campaign(ctx: Context, op: str, value: Any, q: dict[str, Any], path: str) -> Frag | None:
    from kundebase.marketing.models import Campaign

    if not Campaign.objects.filter(pk=value).exists():
        ctx.errors.add(f"{path}.value", _("No campaign %(id)s") % {"id": value}, "not_found")
        return None
    return (f"EXISTS (SELECT 1 FROM marketing_campaignrecipient r WHERE r.party_id = p.id AND r.campaign_id = "
            f"{ctx.ph} AND {RESPONSES[op]})", [value])


register(Attr("campaign", "special", tuple(RESPONSES), _campaign, shapes={op: "int:1:9223372036854775807"
                                                                           for op in RESPONSES}, group="campaign"))


def _segment(ctx: Context, op: str, value: Any, q: dict[str, Any], path: str) -> Frag | None:
    from kundebase.marketing.models import Segment

    segment = Segment.objects.filter(pk=value).first()
    if segment is None:
        ctx.errors.add(f"{path}.value", _("No segment %(id)s") % {"id": value}, "not_found")
        return None
    if segment.pk in ctx.segments:
        ctx.errors.add(f"{path}.value", _("Segment %(id)s refers to itself") % {"id": value}, "cycle")
        return None
    if segment.kind == Segment.Kind.STATIC:
        return (f"EXISTS (SELECT 1 FROM marketing_segmentmember sm WHERE sm.segment_id = {ctx.ph} "
                "AND sm.party_id = p.id)", [segment.pk])
    outer = ctx.segments
    ctx.segments = (*outer, segment.pk)
    try:
        return compile_node(ctx, segment.rule, f"{path}.value<segment {segment.pk}>")
    finally:
        ctx.segments = outer


register(Attr("segment", "special", ("member_of",), _segment, shapes={"member_of": "int:1:9223372036854775807"},
              group="segment"))
