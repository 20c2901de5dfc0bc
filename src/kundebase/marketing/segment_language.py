"""The segment language: a JSON rule validated and compiled to one SQL query with parameters.

A rule is a tree of ``{"and": [...]}``, ``{"or": [...]}``, ``{"not": {...}}``
and conditions ``{"attr": "age", "op": "between", "value": [30, 45]}``
(grammar in ``docs/marketing.md``).  Compilation is a pure function of the
rule, the dialect and "now"; it never loads customers into Python, and the
same SQL runs on SQLite, PostgreSQL and DuckDB.  Every mistake is reported
with its path in the rule (``rule.and[2].value``) so a form, the API and the
CLI can all point at it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from kundebase.core.dialect import Dialect
from kundebase.core.errors import ErrorCollector

Frag = tuple[str, list[Any]]
MAX_DEPTH = 12
MAX_NODES = 300
MAX_LIST = 1000

NO_VALUE = "none"
SHAPES: dict[str, str] = {
    "eq": "scalar", "ne": "scalar", "lt": "scalar", "lte": "scalar", "gt": "scalar", "gte": "scalar",
    "between": "range", "in": "list", "not_in": "list", "any": "list", "prefix": "prefixes",
    "is_empty": NO_VALUE, "is_set": NO_VALUE,
}
NUMBER_OPS = ("eq", "ne", "lt", "lte", "gt", "gte", "between")
TEXT_OPS = ("eq", "ne", "in", "not_in", "is_empty", "is_set")


@dataclass(frozen=True)
class Measure:
    """One aggregate of a rollup: ``func(arg)`` over the rows for which ``when`` holds (all rows when empty)."""

    func: str  # COUNT | SUM | MAX | MIN
    arg: str
    when: str = ""
    params: tuple[Any, ...] = ()

    def sql(self, *, filtered: bool) -> str:
        if filtered and self.when:
            return f"{self.func}(CASE WHEN {self.when} THEN {self.arg} END)"
        return f"{self.func}({self.arg})"


@dataclass
class Rollup:
    """Per-customer aggregates of one table, computed in one grouped scan and LEFT JOINed once.

    Every count, sum or latest time a rule asks of the same rows becomes one
    more column of the same ``GROUP BY party_id``, so a rule with three order
    conditions reads the orders once, and a condition inside ``OR`` or ``NOT``
    is a plain column test instead of an ``IN (sub-query)`` that planners may
    run once per customer.  Cheap row filters (a time window, a channel) go
    into ``CASE WHEN`` so measures with different windows still share the scan;
    when every measure has the same filter it moves to ``WHERE`` instead.
    """

    alias: str
    source: str
    rows: Frag
    measures: list[Measure] = field(default_factory=list)

    def column(self, measure: Measure) -> str:
        if measure not in self.measures:
            self.measures.append(measure)
        return f"{self.alias}.c{self.measures.index(measure)}"

    def join(self) -> Frag:
        """``LEFT JOIN (SELECT party_id, … GROUP BY party_id) rN ON rN.party_id = p.id`` with its parameters."""
        whens = {(m.when, m.params) for m in self.measures}
        shared = next(iter(whens)) if len(whens) == 1 and self.measures[0].when else None
        cols = ", ".join(f"{m.sql(filtered=shared is None)} AS c{i}" for i, m in enumerate(self.measures))
        params: list[Any] = [] if shared else [x for m in self.measures for x in m.params]
        where = f"1 = 1{self.rows[0]}" + (f" AND {shared[0]}" if shared else "")
        params += [*self.rows[1], *(shared[1] if shared else ())]
        return (f"LEFT JOIN (SELECT x.party_id AS party_id, {cols} FROM {self.source} x WHERE {where} "
                f"GROUP BY x.party_id) {self.alias} ON {self.alias}.party_id = p.id", params)


@dataclass
class Context:
    dialect: Dialect
    today: dt.date
    now: dt.datetime
    errors: ErrorCollector = field(default_factory=ErrorCollector)
    joins: set[str] = field(default_factory=set)
    segments: tuple[int, ...] = ()
    nodes: int = 0
    rollups: dict[tuple[str, str, tuple[Any, ...]], Rollup] = field(default_factory=dict)

    def rollup(self, source: str, rows: Frag) -> Rollup:
        """The shared aggregate of ``source`` rows matching ``rows`` (a `` AND …`` filter on alias ``x``)."""
        key = (source, rows[0], tuple(str(v) for v in rows[1]))
        if key not in self.rollups:
            self.rollups[key] = Rollup(f"r{len(self.rollups)}", source, rows)
        return self.rollups[key]

    @property
    def ph(self) -> str:
        return self.dialect.placeholder

    def dt(self, value: dt.datetime) -> Any:
        return self.dialect.datetime_param(value)

    def days_ago(self, days: float) -> Any:
        return self.dt(self.now - dt.timedelta(days=days))


@dataclass(frozen=True)
class Attr:
    """One attribute of the language: which operators it takes and how it becomes SQL."""

    name: str
    kind: str  # number | text | choice | postcode | special
    ops: tuple[str, ...]
    build: Callable[[Context, str, Any, dict[str, Any], str], Frag | None]
    qualifiers: tuple[str, ...] = ()
    choices: tuple[str, ...] | Callable[[], tuple[str, ...]] = ()
    shapes: dict[str, str] = field(default_factory=dict)
    group: str = "customer"

    def shape(self, op: str) -> str:
        return self.shapes.get(op) or SHAPES.get(op, NO_VALUE)

    def allowed(self) -> tuple[str, ...]:
        return self.choices() if callable(self.choices) else self.choices


REGISTRY: dict[str, Attr] = {}
PREFIXED: dict[str, Callable[[str], Attr | None]] = {}
"""Attribute families named ``prefix.key`` (``custom.<key>``), resolved when used."""


def register(attr: Attr) -> Attr:
    REGISTRY[attr.name] = attr
    return attr


def lookup(name: str) -> Attr | None:
    if name in REGISTRY:
        return REGISTRY[name]
    prefix, _dot, rest = name.partition(".")
    if rest and prefix in PREFIXED:
        return PREFIXED[prefix](rest)
    return None


def _scalar_ok(attr: Attr, value: Any) -> bool:
    if attr.kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool) and abs(value) < 1e15
    if attr.kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool) and abs(value) < 1e15
    if attr.kind == "boolean":
        return isinstance(value, bool)
    if attr.kind == "choice":
        return isinstance(value, str) and value in attr.allowed()
    return isinstance(value, str) and 0 < len(value) <= 200


def check_value(ctx: Context, attr: Attr, op: str, value: Any, path: str) -> Any:
    """The value in its checked form, or ``None`` after recording an error at ``path``."""
    shape = attr.shape(op)
    errors = ctx.errors
    choices = ", ".join(attr.allowed()) if attr.kind == "choice" else ""
    type_name = {"number": _("a number"), "integer": _("a whole number"), "choice": _("one of %(c)s") % {"c": choices},
                 "boolean": _("true or false")}.get(attr.kind, _("a text"))
    if shape == NO_VALUE:
        if value is not None:
            errors.add(path, _("Operator %(op)s takes no value") % {"op": op}, "unexpected_value")
            return None
        return True
    if value is None:
        errors.add(path, _("Operator %(op)s needs a value") % {"op": op}, "required")
        return None
    if shape == "scalar":
        if not _scalar_ok(attr, value):
            errors.add(path, _("Must be %(t)s") % {"t": type_name}, "invalid_type")
            return None
        return value
    if shape == "range":
        if not (isinstance(value, list) and len(value) == 2 and all(_scalar_ok(attr, v) for v in value)):
            errors.add(path, _("Must be a list of two values [from, to], each %(t)s") % {"t": type_name},
                       "invalid_type")
            return None
        if value[0] > value[1]:
            errors.add(path, _("The range ends before it starts"), "invalid_range")
            return None
        return value
    if shape in ("list", "prefixes"):
        items = [value] if shape == "prefixes" and isinstance(value, str) else value
        if not isinstance(items, list) or not items or len(items) > MAX_LIST:
            errors.add(path, _("Must be a list of 1 to %(n)d values") % {"n": MAX_LIST}, "invalid_type")
            return None
        for i, item in enumerate(items):
            if not _scalar_ok(attr, item):
                errors.add(f"{path}[{i}]", _("Must be %(t)s") % {"t": type_name}, "invalid_type")
                return None
        return items
    if shape.startswith("int:"):
        low, high = (int(x) for x in shape[4:].split(":"))
        if not (isinstance(value, int) and not isinstance(value, bool) and low <= value <= high):
            errors.add(path, _("Must be a whole number from %(a)d to %(b)d") % {"a": low, "b": high},
                       "invalid_type")
            return None
        return value
    if shape == "object":
        if not isinstance(value, dict):
            errors.add(path, _("Must be an object"), "invalid_type")
            return None
        return value
    raise AssertionError(shape)


def _condition(ctx: Context, node: dict[str, Any], path: str) -> Frag | None:
    name = node.get("attr")
    if not isinstance(name, str):
        ctx.errors.add(f"{path}.attr", _("Name an attribute"), "required")
        return None
    attr = lookup(name)
    if attr is None:
        ctx.errors.add(f"{path}.attr", _("Unknown attribute %(a)s") % {"a": name[:80]}, "unknown_attribute")
        return None
    op = node.get("op")
    if not isinstance(op, str) or op not in attr.ops:
        ctx.errors.add(f"{path}.op", _("Unknown operator %(op)s for %(a)s; use one of %(ops)s")
                       % {"op": str(op)[:40], "a": name, "ops": ", ".join(attr.ops)}, "unknown_operator")
        return None
    for key in node:
        if key not in ("attr", "op", "value", *attr.qualifiers):
            ctx.errors.add(f"{path}.{key}", _("%(a)s takes no %(k)s") % {"a": name, "k": str(key)[:40]},
                           "unknown_key")
    value = check_value(ctx, attr, op, node.get("value"), f"{path}.value")
    if value is None:
        return None
    qualifiers = {k: node[k] for k in attr.qualifiers if k in node}
    return attr.build(ctx, op, value, qualifiers, path)


def compile_node(ctx: Context, node: Any, path: str, depth: int = 0) -> Frag | None:
    ctx.nodes += 1
    if ctx.nodes > MAX_NODES:
        if ctx.nodes == MAX_NODES + 1:
            ctx.errors.add(path, _("A rule may have at most %(n)d parts") % {"n": MAX_NODES}, "too_large")
        return None
    if depth > MAX_DEPTH:
        ctx.errors.add(path, _("Rules may nest at most %(n)d levels") % {"n": MAX_DEPTH}, "too_deep")
        return None
    if not isinstance(node, dict):
        ctx.errors.add(path, _("Must be an object"), "invalid_type")
        return None
    logic = [k for k in ("and", "or", "not") if k in node]
    if len(logic) > 1 or (logic and "attr" in node):
        ctx.errors.add(path, _("Use exactly one of and, or, not, attr"), "ambiguous")
        return None
    if not logic:
        return _condition(ctx, node, path)
    key = logic[0]
    for extra in node:
        if extra != key:
            ctx.errors.add(f"{path}.{extra}", _("Unexpected key"), "unknown_key")
    if key == "not":
        inner = compile_node(ctx, node["not"], f"{path}.not", depth + 1)
        # NOT is the complement: a condition that is unknown (NULL) for a customer counts as false first.
        return None if inner is None else (f"NOT COALESCE(({inner[0]}), {ctx.dialect.false()})", inner[1])
    children = node[key]
    if not isinstance(children, list) or not children:
        ctx.errors.add(f"{path}.{key}", _("Must be a non-empty list of rules"), "invalid_type")
        return None
    parts = [compile_node(ctx, child, f"{path}.{key}[{i}]", depth + 1) for i, child in enumerate(children)]
    if any(p is None for p in parts):
        return None
    joiner = " AND " if key == "and" else " OR "
    params: list[Any] = []
    for part in parts:
        params.extend(part[1])  # type: ignore[index]
    return "(" + joiner.join(f"({p[0]})" for p in parts) + ")", params  # type: ignore[index]


def new_context(dialect: Dialect, *, now: dt.datetime | None = None, today: dt.date | None = None) -> Context:
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    return Context(dialect=dialect, today=today, now=now)


def compile_condition(rule: Any, dialect: Dialect, *, now: dt.datetime | None = None,
                      today: dt.date | None = None, segments: tuple[int, ...] = (),
                      root: str = "rule") -> tuple[Frag, Frag]:
    """The WHERE condition of a rule and the joins it needs; raises ``ValidationFailed`` on any error."""
    import kundebase.marketing.segment_attributes  # noqa: F401  (registers the attributes)
    import kundebase.marketing.segment_behaviour  # noqa: F401

    ctx = new_context(dialect, now=now, today=today)
    ctx.segments = segments
    frag = compile_node(ctx, rule, root)
    ctx.errors.raise_if_any()
    assert frag is not None
    return frag, join_sql(ctx)


JOINS = {
    "pe": "LEFT JOIN parties_person pe ON pe.party_ptr_id = p.id",
    "co": "LEFT JOIN parties_company co ON co.party_ptr_id = p.id",
}


def join_sql(ctx: Context) -> Frag:
    """The joins a compiled rule needs: person/company first, then one per rollup, with their parameters."""
    rolled = [rollup.join() for rollup in ctx.rollups.values()]
    return (" ".join([*(JOINS[j] for j in sorted(ctx.joins)), *(sql for sql, _p in rolled)]),
            [x for _sql, params in rolled for x in params])


def select_sql(rule: Any, dialect: Dialect, *, select: str = "p.id", now: dt.datetime | None = None,
               today: dt.date | None = None, segments: tuple[int, ...] = ()) -> Frag:
    """``SELECT <select> FROM parties …`` for every customer (not merged away) matching the rule."""
    (cond, params), (joined, join_params) = compile_condition(rule, dialect, now=now, today=today,
                                                              segments=segments)
    sql = f"SELECT {select} FROM parties_party p {joined} WHERE p.merged_into_id IS NULL AND ({cond})"
    return sql, [*join_params, *params]


def count_sql(rule: Any, dialect: Dialect, **kw: Any) -> Frag:
    return select_sql(rule, dialect, select="COUNT(*)", **kw)
