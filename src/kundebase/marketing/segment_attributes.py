"""The attributes of the segment language and the SQL each becomes.

Each builder returns a condition on the current customer row ``p`` (with
``pe`` = person and ``co`` = company joined on demand); anything held in
another table becomes an ``EXISTS`` or a scalar sub-query keyed on ``p.id``,
which every engine turns into an index probe or a hash join.  Look-ups that
turn names into ids (categories, purposes, segments) happen once, at compile
time, and unknown names are errors at the path of the value.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

from django.utils.translation import gettext as _

from kundebase.marketing.segment_language import NO_VALUE, NUMBER_OPS, PREFIXED, TEXT_OPS, Attr, Context, Frag, register

SQL_OPS = {"eq": "=", "ne": "<>", "lt": "<", "lte": "<=", "gt": ">", "gte": ">="}
POSTCODE_RE = re.compile(r"^[A-Za-z0-9 -]{1,12}$")
SLUG_RE = re.compile(r"^[A-Za-z0-9_-]{1,60}$")
"""Custom-field keys are slugs, so they can be written into the JSON path literally."""


def _in(ctx: Context, expr: str, values: list[Any], negate: bool = False) -> Frag:
    marks = ", ".join([ctx.ph] * len(values))
    return f"{expr} {'NOT IN' if negate else 'IN'} ({marks})", list(values)


def compare(ctx: Context, expr: str, op: str, value: Any, *, text: bool = False) -> Frag:
    """``expr <op> value`` for the generic operators."""
    ph = ctx.ph
    if op in SQL_OPS:
        return f"{expr} {SQL_OPS[op]} {ph}", [value]
    if op == "between":
        return f"{expr} BETWEEN {ph} AND {ph}", list(value)
    if op in ("in", "any"):
        return _in(ctx, expr, value)
    if op == "not_in":
        return _in(ctx, expr, value, negate=True)
    if op == "prefix":
        return "(" + " OR ".join([f"{expr} LIKE {ph}"] * len(value)) + ")", [f"{v}%" for v in value]
    if op == "is_empty":
        return (f"({expr} IS NULL OR {expr} = {ph})", [""]) if text else (f"{expr} IS NULL", [])
    if op == "is_set":
        return (f"({expr} IS NOT NULL AND {expr} <> {ph})", [""]) if text else (f"{expr} IS NOT NULL", [])
    raise AssertionError(op)


KINDS = {"pe": "person", "co": "company"}


def _column(expr: str, join: str = "", *, text: bool = False, lower: bool = False) -> Any:
    def build(ctx: Context, op: str, value: Any, q: dict[str, Any], path: str) -> Frag:
        if join:
            ctx.joins.add(join)
        if join and op == "is_empty":  # a person's field is empty only for persons (and likewise companies)
            sql, params = compare(ctx, expr, op, value, text=text)
            return f"p.kind = {ctx.ph} AND {sql}", [KINDS[join], *params]
        if lower and op not in (NO_VALUE, "is_empty", "is_set"):
            value = [v.lower() for v in value] if isinstance(value, list) else value.lower()
            return compare(ctx, f"LOWER({expr})", op, value, text=text)
        return compare(ctx, expr, op, value, text=text)
    return build


register(Attr("kind", "choice", ("eq", "ne"), _column("p.kind"), choices=("person", "company")))
register(Attr("status", "choice", ("eq", "ne", "in", "not_in"), _column("p.status"),
              choices=("prospect", "active", "inactive")))
register(Attr("gender", "choice", ("eq", "ne", "in", "not_in", "is_empty", "is_set"),
              _column("pe.gender", "pe", text=True), choices=("female", "male", "diverse")))
register(Attr("language", "text", TEXT_OPS, _column("p.preferred_language", text=True, lower=True)))


# --- age and birthday: date arithmetic from the dialect -------------------------------------------------

def _born_on_or_before(ctx: Context, years: int) -> Frag:
    """``birth_date <= today - years``, i.e. at least ``years`` old (index-friendly)."""
    d = ctx.dialect
    return f"pe.birth_date <= {d.date_minus_years(ctx.ph, ctx.ph)}", [d.date_param(ctx.today), d.years_param(years)]


def _born_after(ctx: Context, years: int) -> Frag:
    d = ctx.dialect
    return f"pe.birth_date > {d.date_minus_years(ctx.ph, ctx.ph)}", [d.date_param(ctx.today), d.years_param(years)]


def _age(ctx: Context, op: str, value: Any, q: dict[str, Any], path: str) -> Frag:
    ctx.joins.add("pe")
    if op == "is_empty":
        return f"p.kind = {ctx.ph} AND pe.birth_date IS NULL", ["person"]
    if op == "is_set":
        return compare(ctx, "pe.birth_date", op, value)
    if op == "between":
        low, high = value
    else:
        low, high = {"eq": (value, value), "gte": (value, None), "gt": (value + 1, None), "lte": (None, value),
                     "lt": (None, value - 1), "ne": (value, value)}[op]
    parts: list[Frag] = []
    if low is not None:
        parts.append(_born_on_or_before(ctx, max(low, 0)))
    if high is not None:
        parts.append(_born_after(ctx, high + 1))
    sql = " AND ".join(p[0] for p in parts)
    params = [x for p in parts for x in p[1]]
    if op == "ne":
        return f"pe.birth_date IS NOT NULL AND NOT ({sql})", params
    return sql, params


register(Attr("age", "integer", (*NUMBER_OPS, "is_empty", "is_set"), _age))


def _birthday(ctx: Context, op: str, value: Any, q: dict[str, Any], path: str) -> Frag:
    ctx.joins.add("pe")
    if op == "month":
        sql, params = ctx.dialect.month("pe.birth_date")
        return f"{sql} = {ctx.ph}", [*params, value]
    days = 0 if op == "today" else value
    wanted: list[str] = []
    for offset in range(days + 1):
        day = ctx.today + dt.timedelta(days=offset)
        wanted.append(day.strftime("%m%d"))
        # Those born on 29 February celebrate on the 28th in common years.
        if day.month == 2 and day.day == 28 and not _leap(day.year):
            wanted.append("0229")
    md_sql, md_params = ctx.dialect.month_day("pe.birth_date")
    in_sql, in_params = _in(ctx, md_sql, sorted(set(wanted)))
    return in_sql, [*md_params, *in_params]


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


register(Attr("birthday", "special", ("within_days", "month", "today"), _birthday,
              shapes={"within_days": "int:0:366", "month": "int:1:12", "today": NO_VALUE}))


# --- where they live ------------------------------------------------------------------------------------

NEGATED = {"ne": "eq", "not_in": "in", "is_empty": "is_set"}


def _address(expr: str, *, lower: bool = False, upper: bool = False) -> Any:
    """Conditions on the customer's addresses: true when *any* address matches (negations: when none does)."""
    def build(ctx: Context, op: str, value: Any, q: dict[str, Any], path: str) -> Frag:
        positive = NEGATED.get(op, op)
        col = f"a.{expr}"
        if op not in ("is_empty", "is_set") and (lower or upper):
            fold = str.lower if lower else str.upper
            value = [fold(v) for v in value] if isinstance(value, list) else fold(value)
            col = f"{'LOWER' if lower else 'UPPER'}({col})"
        if expr == "postcode" and op not in ("is_empty", "is_set"):
            for i, v in enumerate(value if isinstance(value, list) else [value]):
                if not POSTCODE_RE.match(v):
                    ctx.errors.add(f"{path}.value" + (f"[{i}]" if isinstance(value, list) else ""),
                                   _("Not a postcode"), "invalid_postcode")
        cond, params = compare(ctx, col, positive, value, text=True)
        sql = f"EXISTS (SELECT 1 FROM parties_address a WHERE a.party_id = p.id AND {cond})"
        return (f"NOT {sql}", params) if op in NEGATED else (sql, params)
    return build


register(Attr("postcode", "text", ("eq", "ne", "in", "not_in", "prefix", "between", "is_empty"),
              _address("postcode"), group="place"))
for _name in ("city", "municipality", "region"):
    register(Attr(_name, "text", TEXT_OPS, _address(_name, lower=True), group="place"))
register(Attr("country", "text", ("eq", "ne", "in", "not_in"), _address("country", upper=True), group="place"))

KM_PER_DEG_LAT = 110.574
KM_PER_DEG_LON = 111.320


def _centre(ctx: Context, value: dict[str, Any], path: str) -> tuple[float, float] | None:
    from kundebase.marketing.models import PostcodeCentroid

    if "lat" in value or "lon" in value:
        lat, lon = value.get("lat"), value.get("lon")
        if not (isinstance(lat, int | float) and -90 <= lat <= 90 and not isinstance(lat, bool)):
            ctx.errors.add(f"{path}.value.lat", _("Latitude from -90 to 90"), "invalid_type")
            return None
        if not (isinstance(lon, int | float) and -180 <= lon <= 180 and not isinstance(lon, bool)):
            ctx.errors.add(f"{path}.value.lon", _("Longitude from -180 to 180"), "invalid_type")
            return None
        return float(lat), float(lon)
    code, country = str(value.get("postcode") or ""), str(value.get("country") or "").upper()
    if not code or not country:
        ctx.errors.add(f"{path}.value", _("Give lat and lon, or postcode and country"), "required")
        return None
    rows = PostcodeCentroid.objects.filter(country=country).values_list("postcode", "lat", "lon")
    best = max(((pc, lat, lon) for pc, lat, lon in rows.filter(postcode__in=[code[:n] for n in
                                                                            range(1, len(code) + 1)])),
               key=lambda r: len(r[0]), default=None)
    if best is None:
        ctx.errors.add(f"{path}.value.postcode", _("No coordinates known for %(c)s %(p)s")
                       % {"c": country, "p": code[:12]}, "not_found")
        return None
    return best[1], best[2]


def _distance(ctx: Context, op: str, value: Any, q: dict[str, Any], path: str) -> Frag | None:
    km = value.get("km")
    if not (isinstance(km, int | float) and not isinstance(km, bool) and 0 < km <= 2000):
        ctx.errors.add(f"{path}.value.km", _("A distance in km from 0 to 2000"), "invalid_type")
        return None
    centre = _centre(ctx, value, path)
    if centre is None:
        return None
    lat0, lon0 = centre
    # Equirectangular distance: plain arithmetic that every engine has, within 1 % at these ranges.
    k_lat = KM_PER_DEG_LAT ** 2
    k_lon = (KM_PER_DEG_LON * math.cos(math.radians(lat0))) ** 2
    dlat = km / KM_PER_DEG_LAT
    dlon = km / max(KM_PER_DEG_LON * math.cos(math.radians(lat0)), 1e-6)
    ph = ctx.ph
    sql = ("EXISTS (SELECT 1 FROM parties_address a JOIN marketing_postcodecentroid c "
           f"ON c.country = a.country AND a.postcode LIKE c.postcode || {ph} "
           f"WHERE a.party_id = p.id AND c.lat BETWEEN {ph} AND {ph} AND c.lon BETWEEN {ph} AND {ph} "
           f"AND (c.lat - {ph}) * (c.lat - {ph}) * {ph} + (c.lon - {ph}) * (c.lon - {ph}) * {ph} <= {ph})")
    return sql, ["%", lat0 - dlat, lat0 + dlat, lon0 - dlon, lon0 + dlon, lat0, lat0, k_lat, lon0, lon0, k_lon,
                 float(km) ** 2]


register(Attr("distance", "special", ("within",), _distance, shapes={"within": "object"}, group="place"))


# --- companies --------------------------------------------------------------------------------------------

register(Attr("company.industry", "text", ("eq", "in", "prefix", "is_empty"),
              _column("co.industry_code", "co", text=True), group="company"))
register(Attr("company.employees", "number", (*NUMBER_OPS, "is_empty"), _column("co.employees", "co"),
              group="company"))
register(Attr("company.annual_revenue", "number", (*NUMBER_OPS, "is_empty"), _column("co.annual_revenue", "co"),
              group="company"))
register(Attr("company.credit_limit", "number", (*NUMBER_OPS, "is_empty"), _column("co.credit_limit", "co"),
              group="company"))
register(Attr("company.dunning_status", "choice", ("eq", "ne", "in", "not_in"),
              _column("co.dunning_status", "co"),
              choices=("none", "reminder_1", "reminder_2", "debt_collection"), group="company"))


# --- interests and custom fields -------------------------------------------------------------------------

def _interest(ctx: Context, op: str, value: Any, q: dict[str, Any], path: str) -> Frag:
    cats = _category_ids(ctx, value, f"{path}.value", allow_sku=True)
    skus = [v for v in value if v.startswith("sku:")]
    parts, params = [], []
    if cats:
        parts.append(f"i.category_id IN ({', '.join([ctx.ph] * len(cats))})")
        params.extend(cats)
    if skus:
        parts.append(f"i.product_id IN (SELECT id FROM orders_product WHERE sku IN "
                     f"({', '.join([ctx.ph] * len(skus))}))")
        params.extend(s[4:] for s in skus)
    cond = " OR ".join(parts) or "1 = 0"
    return (f"EXISTS (SELECT 1 FROM orders_productinterest i WHERE i.party_id = p.id AND i.accepted = {ctx.ph} "
            f"AND ({cond}))", [True, *params])


register(Attr("interest", "text", ("any",), _interest, group="interest"))


def _category_ids(ctx: Context, slugs: list[str], value_path: str, *, allow_sku: bool = False) -> list[int]:
    """Ids of the named categories and all their sub-categories."""
    from kundebase.orders.models import ProductCategory

    rows = list(ProductCategory.objects.values_list("id", "slug", "parent_id"))
    by_slug = {slug: cid for cid, slug, _p in rows}
    children: dict[int | None, list[int]] = {}
    for cid, _slug, parent in rows:
        children.setdefault(parent, []).append(cid)
    found: list[int] = []
    for i, slug in enumerate(slugs):
        if allow_sku and slug.startswith("sku:"):
            continue
        if slug not in by_slug:
            ctx.errors.add(f"{value_path}[{i}]", _("No product category %(s)s") % {"s": slug[:60]}, "not_found")
            continue
        stack = [by_slug[slug]]
        while stack:
            cid = stack.pop()
            if cid not in found:
                found.append(cid)
                stack.extend(children.get(cid, []))
    return found


def _custom(key: str) -> Attr | None:
    from kundebase.core.models import CustomFieldDefinition

    definition = CustomFieldDefinition.objects.filter(key=key, entity__in=("person", "company")).first()
    if definition is None or not SLUG_RE.match(key):
        return None
    ftype = definition.field_type
    kind = {"integer": "number", "decimal": "number", "boolean": "boolean"}.get(ftype, "text")
    ops: tuple[str, ...] = {"number": (*NUMBER_OPS, "is_empty", "is_set"), "boolean": ("eq", "is_empty", "is_set")
                            }.get(kind, (*TEXT_OPS, "lt", "lte", "gt", "gte", "between", "prefix"))

    def build(ctx: Context, op: str, value: Any, q: dict[str, Any], path: str) -> Frag:
        expr = ctx.dialect.json_text("p.custom_fields", key)
        if kind == "number" and op not in ("is_empty", "is_set"):
            expr = ctx.dialect.as_float(expr)
        if kind == "boolean" and op == "eq":
            value = ctx.dialect.json_bool(value)
        return compare(ctx, expr, op, value, text=kind == "text")

    return Attr(f"custom.{key}", kind, ops, build, group="custom")


PREFIXED["custom"] = _custom
