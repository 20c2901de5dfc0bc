"""Where SQLite, PostgreSQL and DuckDB SQL differ, and nowhere else.

The report SQL in :mod:`kundebase.analytics.sql` is written once against three
logical tables (``customers``, ``orders``, ``interactions``) and asks the dialect
for the few expressions that are spelled differently.  On DuckDB the logical
tables are the mirror's real tables; on the operational databases they are
common table expressions over the normalised Django tables, so the benchmark
can run the *same* report SQL on all three engines.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

# The logical tables, as SELECTs over the operational (Django) schema.  {ts} formats a timestamp
# column as naive UTC text; it is filled in per dialect.
_SOURCE_CUSTOMERS = """
SELECT p.id AS id, p.kind AS kind, p.status AS status, p.customer_number AS customer_number,
       {ts_created} AS created_at, pe.birth_date AS birth_date, COALESCE(pe.gender, '') AS gender,
       COALESCE(a.postcode, '') AS postcode, COALESCE(a.city, '') AS city,
       COALESCE(a.municipality, '') AS municipality, COALESCE(a.region, '') AS region,
       COALESCE(a.country, '') AS country, {ts_updated} AS updated_at
FROM parties_party p
LEFT JOIN parties_person pe ON pe.party_ptr_id = p.id
LEFT JOIN parties_address a ON a.id = (
    SELECT a2.id FROM parties_address a2 WHERE a2.party_id = p.id ORDER BY a2.is_primary DESC, a2.id LIMIT 1)
WHERE p.merged_into_id IS NULL
"""

_SOURCE_ORDERS = """
SELECT o.id AS id, o.party_id AS party_id, {ts_ordered} AS ordered_at, o.channel AS channel, o.source AS source,
       o.revenue AS revenue, o.cost AS cost, {ts_updated} AS updated_at
FROM orders_order o
"""

_SOURCE_INTERACTIONS = """
SELECT i.id AS id, i.party_id AS party_id, i.kind AS kind, i.channel AS channel, i.direction AS direction,
       {ts_occurred} AS occurred_at, i.subject AS subject, i.body AS body, {ts_updated} AS updated_at
FROM interactions_interaction i
"""

MIRROR_COLUMNS: dict[str, list[tuple[str, str]]] = {
    "customers": [("id", "BIGINT"), ("kind", "VARCHAR"), ("status", "VARCHAR"), ("customer_number", "VARCHAR"),
                  ("created_at", "TIMESTAMP"), ("birth_date", "DATE"), ("gender", "VARCHAR"),
                  ("postcode", "VARCHAR"), ("city", "VARCHAR"), ("municipality", "VARCHAR"),
                  ("region", "VARCHAR"), ("country", "VARCHAR"), ("updated_at", "TIMESTAMP")],
    "orders": [("id", "BIGINT"), ("party_id", "BIGINT"), ("ordered_at", "TIMESTAMP"), ("channel", "VARCHAR"),
               ("source", "VARCHAR"), ("revenue", "DECIMAL(18,2)"), ("cost", "DECIMAL(18,2)"),
               ("updated_at", "TIMESTAMP")],
    "interactions": [("id", "BIGINT"), ("party_id", "BIGINT"), ("kind", "VARCHAR"), ("channel", "VARCHAR"),
                     ("direction", "VARCHAR"), ("occurred_at", "TIMESTAMP"), ("subject", "VARCHAR"),
                     ("body", "VARCHAR"), ("updated_at", "TIMESTAMP")],
}
"""The mirror's tables and their DuckDB types; the source SELECTs above produce the same columns in this order."""

TOTALS_COLUMNS: list[tuple[str, str]] = [
    ("party_id", "BIGINT"), ("orders", "BIGINT"), ("revenue", "DECIMAL(18,2)"), ("cost", "DECIMAL(18,2)"),
    ("first_at", "TIMESTAMP"), ("last_at", "TIMESTAMP")]
"""``customer_totals``: all-time order figures per customer.  The mirror keeps this table current on every
refresh (only the customers whose orders changed are recomputed), so reports over a customer's whole
history read one row per customer instead of every order; elsewhere it is a CTE over ``orders``."""

_TOTALS = """
SELECT party_id, COUNT(*) AS orders, SUM(revenue) AS revenue, SUM(cost) AS cost, MIN(ordered_at) AS first_at,
       MAX(ordered_at) AS last_at
FROM orders GROUP BY party_id
"""

SOURCE_TABLES = {"customers": "parties_party", "orders": "orders_order", "interactions": "interactions_interaction"}
"""The operational table whose ``id`` and ``updated_at`` drive each mirror table's watermark."""

SOURCE_ALIASES = {"customers": "p", "orders": "o", "interactions": "i"}


@dataclass(frozen=True)
class Dialect:
    """The spelling of one engine."""

    name: str
    placeholder: str

    # -- expressions -------------------------------------------------------------------------------
    def month_index(self, expr: str) -> str:
        """Months since year 0, so the difference of two is a month offset on every engine."""
        if self.name == "sqlite":
            return f"(CAST(strftime('%Y', {expr}) AS INTEGER) * 12 + CAST(strftime('%m', {expr}) AS INTEGER) - 1)"
        if self.name == "postgresql":
            return (f"(CAST(EXTRACT(YEAR FROM {expr}) AS INTEGER) * 12 "
                    f"+ CAST(EXTRACT(MONTH FROM {expr}) AS INTEGER) - 1)")
        return f"(year({expr}) * 12 + month({expr}) - 1)"

    def days_between(self, start: str, end: str) -> str:
        """Whole days from ``start`` to ``end`` (fractional on SQLite, which has no date type)."""
        if self.name == "sqlite":
            return f"(julianday({end}) - julianday({start}))"
        if self.name == "postgresql":
            return f"(EXTRACT(EPOCH FROM ({end} - {start})) / 86400.0)"
        return f"(epoch({end}) - epoch({start})) / 86400.0"

    def int_div(self, a: str, b: str) -> str:
        return f"({a}) // ({b})" if self.name == "duckdb" else f"({a}) / ({b})"

    def as_float(self, expr: str) -> str:
        return f"CAST({expr} AS {'REAL' if self.name == 'sqlite' else 'DOUBLE PRECISION'})"

    def money_sum(self, expr: str) -> str:
        """``SUM(expr)`` of amounts, kept at 18 digits on DuckDB.

        DuckDB widens every sum of ``DECIMAL(18,2)`` to 128-bit ``DECIMAL(38,2)``; sorting and ranking
        customers by those (Pareto, RFM) costs about twice as much as by 64-bit decimals, and no
        customer's total comes near 10^16.
        """
        if self.name == "duckdb":
            return f"CAST(SUM({expr}) AS DECIMAL(18,2))"
        return f"SUM({expr})"

    def least(self, a: str, b: str) -> str:
        return f"min({a}, {b})" if self.name == "sqlite" else f"least({a}, {b})"

    def ts_param(self, value: dt.datetime) -> object:
        """A UTC timestamp as each driver compares it with the stored column."""
        naive = value.astimezone(dt.UTC).replace(tzinfo=None) if value.tzinfo else value
        if self.name == "sqlite":
            return naive.isoformat(sep=" ")
        if self.name == "postgresql":
            return naive.replace(tzinfo=dt.UTC)
        return naive

    def ts_text(self, column: str) -> str:
        """A timestamp column as naive UTC text, the form the mirror loads."""
        if self.name == "postgresql":
            return f"to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')"
        return column

    # -- the logical tables ----------------------------------------------------------------------
    def source_select(self, table: str) -> str:
        """The SELECT producing mirror table ``table`` from the operational schema."""
        if table == "customers":
            return _SOURCE_CUSTOMERS.format(ts_created=self.ts_text("p.created_at"),
                                            ts_updated=self.ts_text("p.updated_at"))
        if table == "orders":
            return _SOURCE_ORDERS.format(ts_ordered=self.ts_text("o.ordered_at"),
                                         ts_updated=self.ts_text("o.updated_at"))
        if table == "interactions":
            return _SOURCE_INTERACTIONS.format(ts_occurred=self.ts_text("i.occurred_at"),
                                               ts_updated=self.ts_text("i.updated_at"))
        raise KeyError(table)

    def with_tables(self, sql: str) -> str:
        """Prefix report SQL with the logical tables: nothing on DuckDB, CTEs over Django's tables elsewhere."""
        if self.name == "duckdb":
            return sql
        ctes = ",\n".join(f"{name} AS ({self._report_source(name)})" for name in [*MIRROR_COLUMNS, "customer_totals"])
        body = sql.strip()
        if body.upper().startswith("WITH "):
            return f"WITH {ctes},\n{body[5:]}"
        return f"WITH {ctes}\n{body}"

    def _report_source(self, table: str) -> str:
        # Reports compare timestamps as the engine's own type, so they read the columns unformatted.
        if table == "customers":
            return _SOURCE_CUSTOMERS.format(ts_created="p.created_at", ts_updated="p.updated_at")
        if table == "orders":
            return _SOURCE_ORDERS.format(ts_ordered="o.ordered_at", ts_updated="o.updated_at")
        if table == "customer_totals":
            return _TOTALS
        return _SOURCE_INTERACTIONS.format(ts_occurred="i.occurred_at", ts_updated="i.updated_at")

    def bind(self, sql: str) -> str:
        """SQL written with ``?`` in the placeholder style of this engine's driver.

        DuckDB takes ``?`` as it is.  Every Django connection — SQLite as much as PostgreSQL — takes the
        DB-API ``format`` style (``%s``, literal ``%`` doubled): Django's SQLite cursor translates it to
        ``?`` itself, and with ``DEBUG`` on Django's debug cursor renders ``sql % params`` for its query
        log, which a ``?`` statement fails with "not all arguments converted".
        """
        if self.placeholder == "?":
            return sql
        return sql.replace("%", "%%").replace("?", "%s")


DUCKDB = Dialect("duckdb", "?")
SQLITE = Dialect("sqlite", "%s")
POSTGRESQL = Dialect("postgresql", "%s")


def for_vendor(vendor: str) -> Dialect:
    """The dialect of a Django connection vendor (``connection.vendor``)."""
    return {"sqlite": SQLITE, "postgresql": POSTGRESQL, "duckdb": DUCKDB}[vendor]
