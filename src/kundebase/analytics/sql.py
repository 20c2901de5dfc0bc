"""The report SQL, as pure functions returning ``(sql, params)``.

Every function takes a :class:`~kundebase.core.dialect.Dialect` and the
report filters and returns SQL against the logical tables ``customers``,
``orders`` and ``interactions`` — already wrapped by :func:`~kundebase.analytics.tables.with_tables`
and bound to the driver's placeholder — so the same statement runs on the DuckDB
mirror and, in the benchmark, directly on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from kundebase.analytics.tables import with_tables
from kundebase.core.dialect import Dialect

Statement = tuple[str, list[object]]

GEO_LEVELS = ("country", "region", "municipality", "postcode")
CHANNEL_CHOICES = ("web", "store", "phone", "sales", "email", "other")


@dataclass(frozen=True)
class Filters:
    """What a report is restricted to; every field optional."""

    start: dt.datetime | None = None
    end: dt.datetime | None = None
    region: str = ""
    country: str = ""
    channel: str = ""
    segment: str = ""
    """A segment key from :mod:`kundebase.analytics.segments`; its members are loaded as ``segment_members``."""
    extra: dict[str, str] = field(default_factory=dict)


def _finish(d: Dialect, sql: str, params: list[object]) -> Statement:
    return d.bind(with_tables(d, sql)), params


def _customer_conditions(d: Dialect, f: Filters, alias: str = "c") -> tuple[list[str], list[object]]:
    conds: list[str] = []
    params: list[object] = []
    if f.region:
        conds.append(f"{alias}.region = ?")
        params.append(f.region)
    if f.country:
        conds.append(f"{alias}.country = ?")
        params.append(f.country.upper())
    if f.segment:
        conds.append(f"{alias}.id IN (SELECT party_id FROM segment_members)")
    return conds, params


def _filtered_orders(d: Dialect, f: Filters, *, period: bool = True, end: dt.datetime | None = None) -> Statement:
    """The ``fo`` CTE: orders of customers in the filter, optionally within the period."""
    conds, params = _customer_conditions(d, f)
    if f.channel:
        conds.insert(0, "o.channel = ?")
        params.insert(0, f.channel)
    if period and f.start:
        conds.append("o.ordered_at >= ?")
        params.append(d.datetime_param(f.start))
    upper = end or (f.end if period else None)
    if upper:
        conds.append("o.ordered_at < ?")
        params.append(d.datetime_param(upper))
    where = (" WHERE " + " AND ".join(conds)) if conds else ""
    sql = ("SELECT o.id AS id, o.party_id AS party_id, o.ordered_at AS ordered_at, o.channel AS channel, "
           "o.source AS source, o.revenue AS revenue, o.cost AS cost "
           f"FROM orders o JOIN customers c ON c.id = o.party_id{where}")
    return sql, params


def _per_customer(d: Dialect) -> str:
    """The ``pc`` CTE: orders, revenue and margin per customer of ``fo``."""
    return (f"SELECT party_id, COUNT(*) AS n, {d.money_sum('revenue')} AS revenue, "
            f"{d.money_sum('revenue - cost')} AS margin FROM fo GROUP BY party_id")


def pareto(d: Dialect, f: Filters, top_pct: int = 20, points: int = 100, limit: int = 50) -> Statement:
    """The whole Pareto report in one statement, so the orders are read and ranked once.

    Rows ``(part, pos1, pos2, party_id, customer_number, a, b, c, d, e, f)``, ordered by part:

    * part 0, one row: ``a`` customers, ``b`` revenue, ``c`` margin, ``d`` revenue of the top
      ``top_pct`` % by revenue, ``e`` margin of the top ``top_pct`` % by margin, ``f`` Σ(i·xᵢ) over
      customers in ascending revenue (Gini = 2·Σ(i·xᵢ)/(n·Σx) − (n+1)/n), ``pos2`` the number of
      customers in the top share;
    * part 1, the Lorenz curve: ``pos1`` bucket (1…``points``), ``a`` customers, ``b`` revenue, ``c`` margin;
    * part 2, the ``limit`` customers with most revenue: ``pos1`` rank, ``a`` orders, ``b`` revenue, ``c`` margin.

    Two rankings suffice: descending revenue with ascending id is the exact reverse of the ascending
    order the Gini and Lorenz figures need (rank = n + 1 − ascending rank).
    """
    fo, params = _filtered_orders(d, f)
    k = d.int_div(f"n * {int(top_pct)} + 99", "100")
    bucket = d.int_div(f"rn_asc * {int(points)} + n - 1", "n")
    sql = f"""
WITH fo AS ({fo}), pc AS MATERIALIZED ({_per_customer(d)}),
ranked AS MATERIALIZED (
  SELECT pc.party_id AS party_id, pc.n AS orders, pc.revenue AS revenue, pc.margin AS margin, tot.n AS n,
         ROW_NUMBER() OVER (ORDER BY pc.revenue ASC, pc.party_id DESC) AS rn_asc,
         ROW_NUMBER() OVER (ORDER BY pc.margin DESC, pc.party_id) AS rn_mar
  FROM pc CROSS JOIN (SELECT COUNT(*) AS n FROM pc) tot)
SELECT 0 AS part, 0 AS pos1, MAX({k}) AS pos2, CAST(NULL AS BIGINT) AS party_id, NULL AS customer_number, n,
       SUM(revenue),
       SUM(margin), SUM(CASE WHEN n + 1 - rn_asc <= {k} THEN revenue ELSE 0 END),
       SUM(CASE WHEN rn_mar <= {k} THEN margin ELSE 0 END), SUM(rn_asc * {d.as_float('revenue')})
FROM ranked GROUP BY n
UNION ALL
SELECT 1, {bucket}, 0, NULL, NULL, COUNT(*), SUM(revenue), SUM(margin), NULL, NULL, NULL
FROM ranked GROUP BY {bucket}
UNION ALL
SELECT 2, r.n + 1 - r.rn_asc, 0, r.party_id, c.customer_number, r.orders, r.revenue, r.margin, NULL, NULL, NULL
FROM ranked r JOIN customers c ON c.id = r.party_id WHERE r.rn_asc > r.n - {int(limit)}
ORDER BY 1, 2, 3"""
    return _finish(d, sql, params)


def _service_cost_cte(d: Dialect, f: Filters, rates: dict[str, Decimal]) -> Statement:
    conds, params = _customer_conditions(d, f)
    if f.start:
        conds.append("i.occurred_at >= ?")
        params.append(d.datetime_param(f.start))
    if f.end:
        conds.append("i.occurred_at < ?")
        params.append(d.datetime_param(f.end))
    whens = " ".join(f"WHEN '{kind}' THEN {Decimal(cost):f}" for kind, cost in sorted(rates.items())
                     if kind.replace("_", "").isalnum())
    case = f"CASE i.kind {whens} ELSE 0 END" if whens else "0"
    where = (" WHERE " + " AND ".join(conds)) if conds else ""
    sql = (f"SELECT i.party_id AS party_id, COUNT(*) AS contacts, SUM({case}) AS service_cost "
           f"FROM interactions i JOIN customers c ON c.id = i.party_id{where} GROUP BY i.party_id")
    return sql, params


def _profit_ctes(d: Dialect, f: Filters, rates: dict[str, Decimal], min_orders: int | None) -> Statement:
    fo, p1 = _filtered_orders(d, f)
    sc, p2 = _service_cost_cte(d, f, rates)
    threshold = (f"SELECT {int(min_orders)} AS t" if min_orders is not None else
                 "SELECT MAX(m.n) + 1 AS t FROM (SELECT n, ROW_NUMBER() OVER (ORDER BY n, party_id) AS rn FROM k) m "
                 f"CROSS JOIN (SELECT COUNT(*) AS cnt FROM k) c WHERE m.rn = {d.int_div('c.cnt + 1', '2')}")
    sql = f"""fo AS ({fo}), pc AS ({_per_customer(d)}), sc AS ({sc}),
k AS MATERIALIZED (SELECT pc.party_id AS party_id, pc.n AS n, pc.revenue AS revenue, pc.margin AS margin,
             COALESCE(sc.contacts, 0) AS contacts, COALESCE(sc.service_cost, 0) AS service_cost,
             pc.margin - COALESCE(sc.service_cost, 0) AS net
      FROM pc LEFT JOIN sc ON sc.party_id = pc.party_id),
th AS MATERIALIZED ({threshold}),
q AS MATERIALIZED (SELECT k.*, CASE WHEN k.n >= th.t THEN 1 ELSE 0 END AS frequent,
             CASE WHEN k.net > 0 THEN 1 ELSE 0 END AS profitable FROM k CROSS JOIN th)"""
    return sql, p1 + p2


def quadrant(d: Dialect, f: Filters, rates: dict[str, Decimal], min_orders: int | None = None,
             limit: int = 200, points: int = 1500) -> Statement:
    """The whole profitability-vs-frequency report in one statement (orders and contacts read once).

    Rows ``(part, pos1, pos2, party_id, customer_number, a, b, c, d, e, f)``, ordered by part:

    * part 0, one row per quadrant: ``a`` frequent (1/0), ``b`` profitable (1/0), ``c`` customers,
      ``d`` revenue, ``e`` net profit, ``f`` the order-count threshold for *frequent*;
    * part 1, the ``limit`` frequent-but-unprofitable customers, biggest loss first: ``a`` orders,
      ``b`` revenue, ``c`` margin, ``d`` contacts, ``e`` service cost, ``f`` net;
    * part 2, a deterministic spread sample of ``points`` customers for the scatter chart: ``a`` orders,
      ``f`` net.
    """
    ctes, params = _profit_ctes(d, f, rates, min_orders)
    spread = "(party_id * 7919) % 10007"
    sql = f"""WITH {ctes}
SELECT 0 AS part, -q.frequent AS pos1, -q.profitable AS pos2, CAST(NULL AS BIGINT) AS party_id,
       NULL AS customer_number,
       q.frequent, q.profitable, COUNT(*), SUM(q.revenue), SUM(q.net), MAX(th.t)
FROM q CROSS JOIN th GROUP BY q.frequent, q.profitable
UNION ALL
SELECT 1, u.net, u.party_id, u.party_id, c.customer_number, u.n, u.revenue, u.margin, u.contacts,
       u.service_cost, u.net
FROM (SELECT party_id, n, revenue, margin, contacts, service_cost, net FROM q
      WHERE frequent = 1 AND profitable = 0 ORDER BY net ASC, party_id LIMIT {int(limit)}) u
JOIN customers c ON c.id = u.party_id
UNION ALL
SELECT 2, s.spread, s.party_id, s.party_id, NULL, s.n, NULL, NULL, NULL, NULL, s.net
FROM (SELECT party_id, n, net, {spread} AS spread FROM q ORDER BY {spread}, party_id LIMIT {int(points)}) s
ORDER BY 1, 2, 3"""
    return _finish(d, sql, params)


SEGMENT_CASE = """CASE
  WHEN r = 1 AND fm = 1 THEN 'lost'
  WHEN r <= 2 AND fm <= 2 THEN 'hibernating'
  WHEN r <= 2 AND fm <= 4 THEN 'at_risk'
  WHEN r <= 2 THEN 'cant_lose'
  WHEN r = 3 AND fm <= 2 THEN 'about_to_sleep'
  WHEN r = 3 AND fm = 3 THEN 'need_attention'
  WHEN r <= 4 AND fm >= 4 THEN 'loyal'
  WHEN r = 4 AND fm = 1 THEN 'promising'
  WHEN r = 5 AND fm = 1 THEN 'new'
  WHEN fm <= 3 THEN 'potential_loyalist'
  ELSE 'champions' END"""
"""Named segments from the recency score R and the rounded mean FM of the frequency and monetary scores."""


def _rfm_cte(d: Dialect, f: Filters, as_of: dt.datetime, name: str, totals: bool = False) -> Statement:
    """A CTE ``name`` with one row per customer who bought before ``as_of``: scores and segment.

    With ``totals`` the per-customer figures come from ``customer_totals`` instead of the orders; the
    caller promises that this gives the same answer: no order filter (channel, period start) and no
    order at or after ``as_of`` (:func:`totals_cover`).
    """
    if totals:
        conds, params = _customer_conditions(d, f)
        where = (" WHERE " + " AND ".join(conds)) if conds else ""
        pc = (f"{name}_pc AS (SELECT t.party_id AS party_id, t.last_at AS last_at, t.orders AS n, "
              f"t.revenue AS revenue FROM customer_totals t JOIN customers c ON c.id = t.party_id{where})")
    else:
        fo, params = _filtered_orders(d, f, end=as_of)
        pc = (f"{name}_fo AS ({fo}),\n{name}_pc AS (SELECT party_id, MAX(ordered_at) AS last_at, COUNT(*) AS n, "
              f"{d.money_sum('revenue')} AS revenue FROM {name}_fo GROUP BY party_id)")
    recency = d.days_between("last_at", "?")
    params = [*params, d.datetime_param(as_of)]
    fm = d.int_div("f + m + 1", "2")
    sql = f"""{pc},
{name}_s AS (SELECT party_id, n, revenue, {recency} AS recency_days,
             NTILE(5) OVER (ORDER BY last_at ASC, party_id) AS r,
             NTILE(5) OVER (ORDER BY n ASC, party_id) AS f,
             NTILE(5) OVER (ORDER BY revenue ASC, party_id) AS m
             FROM {name}_pc),
{name} AS (SELECT party_id, n, revenue, recency_days, r, f, m, fm, {SEGMENT_CASE} AS segment
           FROM (SELECT {name}_s.*, {fm} AS fm FROM {name}_s) x)"""
    return sql, params


def totals_cover(f: Filters, as_of: dt.datetime, latest_order: dt.datetime | None) -> bool:
    """Whether ``customer_totals`` answers an RFM as of ``as_of`` exactly (see :func:`_rfm_cte`).

    ``latest_order`` is the newest order time in the mirror (naive UTC, as the mirror stores it).
    """
    if f.channel or f.start:
        return False

    def utc(moment: dt.datetime) -> dt.datetime:
        return moment.astimezone(dt.UTC).replace(tzinfo=None) if moment.tzinfo else moment

    return latest_order is None or utc(latest_order) < utc(as_of)


def rfm_segments(d: Dialect, f: Filters, as_of: dt.datetime, totals: bool = False) -> Statement:
    """Per segment: ``(segment, customers, avg recency days, avg orders, revenue)`` — RFM for everyone."""
    cte, params = _rfm_cte(d, f, as_of, "rfm", totals)
    sql = f"""WITH {cte}
SELECT segment, COUNT(*), AVG({d.as_float('recency_days')}), AVG({d.as_float('n')}), SUM(revenue)
FROM rfm GROUP BY segment ORDER BY COUNT(*) DESC, segment"""
    return _finish(d, sql, params)


def rfm_customers(d: Dialect, f: Filters, as_of: dt.datetime, segment: str = "", limit: int = 100_000,
                  totals: bool = False) -> Statement:
    """Per customer: ``(party_id, customer_number, R, F, M, segment, recency days, orders, revenue)``."""
    cte, params = _rfm_cte(d, f, as_of, "rfm", totals)
    where = ""
    if segment:
        where = " WHERE rfm.segment = ?"
        params = [*params, segment]
    sql = f"""WITH {cte}
SELECT rfm.party_id, c.customer_number, rfm.r, rfm.f, rfm.m, rfm.segment, rfm.recency_days, rfm.n, rfm.revenue
FROM rfm JOIN customers c ON c.id = rfm.party_id{where} ORDER BY rfm.party_id LIMIT {int(limit)}"""
    return _finish(d, sql, params)


def rfm_movement(d: Dialect, f: Filters, before: dt.datetime, after: dt.datetime) -> Statement:
    """How many customers moved from each segment at ``before`` to each at ``after`` (``none``: not a buyer yet)."""
    cte_a, pa = _rfm_cte(d, f, before, "ra")
    cte_b, pb = _rfm_cte(d, f, after, "rb")
    sql = f"""WITH {cte_a},
{cte_b}
SELECT COALESCE(ra.segment, 'none') AS seg_from, rb.segment AS seg_to, COUNT(*)
FROM rb LEFT JOIN ra ON ra.party_id = rb.party_id GROUP BY COALESCE(ra.segment, 'none'), rb.segment
ORDER BY 1, 2"""
    return _finish(d, sql, pa + pb)


def cohorts(d: Dialect, f: Filters) -> Statement:
    """``(cohort month index, months since first purchase, active customers)`` for cohorts starting in the period."""
    fo, params = _filtered_orders(d, f, period=False)
    month = d.month_index("fo.ordered_at")
    conds, cparams = [], []
    param_month = d.month_index("?")
    uses = param_month.count("?")
    if f.start:
        conds.append(f"first.c >= {param_month}")
        cparams.extend([d.datetime_param(f.start)] * uses)
    if f.end:
        conds.append(f"first.c < {param_month}")
        cparams.extend([d.datetime_param(f.end)] * uses)
    where = (" WHERE " + " AND ".join(conds)) if conds else ""
    sql = f"""
WITH fo AS ({fo}),
first AS (SELECT fo.party_id AS party_id, MIN({month}) AS c FROM fo GROUP BY fo.party_id),
act AS (SELECT DISTINCT fo.party_id AS party_id, first.c AS c, {month} - first.c AS k
        FROM fo JOIN first ON first.party_id = fo.party_id{where})
SELECT c, k, COUNT(*) FROM act GROUP BY c, k ORDER BY c, k"""
    return _finish(d, sql, params + cparams)


def geography(d: Dialect, f: Filters, level: str = "country", limit: int = 500) -> Statement:
    """Per place: ``(country, place, customers, buying customers, orders, revenue, margin)``, by revenue."""
    if level not in GEO_LEVELS:
        raise ValueError(level)
    fo, params = _filtered_orders(d, f)
    conds, cparams = _customer_conditions(d, f)
    where = (" WHERE " + " AND ".join(conds)) if conds else ""
    sql = f"""
WITH fo AS ({fo}), pc AS ({_per_customer(d)})
SELECT c.country, c.{level}, COUNT(*), COUNT(pc.party_id), COALESCE(SUM(pc.n), 0),
       COALESCE(SUM(pc.revenue), 0), COALESCE(SUM(pc.margin), 0)
FROM customers c LEFT JOIN pc ON pc.party_id = c.id{where}
GROUP BY c.country, c.{level} ORDER BY COALESCE(SUM(pc.revenue), 0) DESC, COUNT(*) DESC, c.country, c.{level}
LIMIT {int(limit)}"""
    return _finish(d, sql, params + cparams)


def sources(d: Dialect, f: Filters) -> Statement:
    """Per first-order channel and source: ``(channel, source, customers, orders, revenue, margin)``.

    A customer counts for the channel of their first order (the one that brought them) if that order
    falls in the period; their revenue is everything they bought since (within the other filters).
    """
    fo, params = _filtered_orders(d, f, period=False)
    conds, pparams = [], []
    if f.start:
        conds.append("ordered_at >= ?")
        pparams.append(d.datetime_param(f.start))
    if f.end:
        conds.append("ordered_at < ?")
        pparams.append(d.datetime_param(f.end))
    period = (" AND " + " AND ".join(conds)) if conds else ""
    sql = f"""
WITH fo AS ({fo}), pc AS ({_per_customer(d)}),
ranked AS (SELECT party_id, channel, source, ordered_at,
                  ROW_NUMBER() OVER (PARTITION BY party_id ORDER BY ordered_at, id) AS rn FROM fo),
first AS (SELECT party_id, channel, source FROM ranked WHERE rn = 1{period})
SELECT first.channel, first.source, COUNT(*), SUM(pc.n), SUM(pc.revenue), SUM(pc.margin)
FROM first JOIN pc ON pc.party_id = first.party_id
GROUP BY first.channel, first.source ORDER BY COUNT(*) DESC, SUM(pc.revenue) DESC, 1, 2"""
    return _finish(d, sql, params + pparams)


def customer_orders(d: Dialect, party_id: int) -> Statement:
    """One customer's order totals: ``(orders, revenue, cost, first, last, first order revenue)``."""
    sql = """
WITH mine AS (SELECT id, ordered_at, revenue, cost FROM orders WHERE party_id = ?),
firsto AS (SELECT revenue FROM mine ORDER BY ordered_at, id LIMIT 1)
SELECT COUNT(*), COALESCE(SUM(revenue), 0), COALESCE(SUM(cost), 0), MIN(ordered_at), MAX(ordered_at),
       (SELECT revenue FROM firsto) FROM mine"""
    return _finish(d, sql, [party_id])


def customer_contacts(d: Dialect, party_id: int) -> Statement:
    """One customer's interactions by kind: ``(kind, count)``."""
    return _finish(d, "SELECT kind, COUNT(*) FROM interactions WHERE party_id = ? GROUP BY kind ORDER BY kind",
                   [party_id])


def clv_inputs(d: Dialect, as_of: dt.datetime) -> Statement:
    """Per customer with orders: repeat purchases x, t_x and T in weeks, mean repeat order value, grouped.

    Grouping identical ``(x, t_x, T)`` (rounded to a day) keeps the model fit fast at millions of customers.
    """
    first = d.days_between("first_at", "last_at")
    age = d.days_between("first_at", "?")
    sql = f"""
WITH pc AS (SELECT party_id, COUNT(*) - 1 AS x, MIN(ordered_at) AS first_at, MAX(ordered_at) AS last_at
            FROM orders GROUP BY party_id)
SELECT x, ROUND({first} / 7.0, 2) AS t_x, ROUND({age} / 7.0, 2) AS t_total, COUNT(*)
FROM pc GROUP BY 1, 2, 3"""
    return _finish(d, sql, [d.datetime_param(as_of)])


def clv_monetary(d: Dialect) -> Statement:
    """Per repeat customer: ``(x, mean value of the repeat orders)`` for the Gamma-Gamma fit."""
    sql = """
WITH ranked AS (SELECT party_id, revenue, ROW_NUMBER() OVER (PARTITION BY party_id ORDER BY ordered_at, id) AS rn
                FROM orders)
SELECT COUNT(*), AVG(revenue) FROM ranked WHERE rn > 1 GROUP BY party_id HAVING AVG(revenue) > 0"""
    return _finish(d, sql, [])


def revenue_by_month(d: Dialect, f: Filters) -> Statement:
    """``(month index, orders, customers, revenue, margin)`` per month of the period."""
    fo, params = _filtered_orders(d, f)
    month = d.month_index("ordered_at")
    sql = f"""
WITH fo AS ({fo})
SELECT {month} AS m, COUNT(*), COUNT(DISTINCT party_id), SUM(revenue), SUM(revenue - cost)
FROM fo GROUP BY {month} ORDER BY 1"""
    return _finish(d, sql, params)


def customer_count(d: Dialect, f: Filters) -> Statement:
    conds, params = _customer_conditions(d, f)
    where = (" WHERE " + " AND ".join(conds)) if conds else ""
    return _finish(d, f"SELECT COUNT(*) FROM customers c{where}", params)
