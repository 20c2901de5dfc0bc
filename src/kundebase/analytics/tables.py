"""The logical tables the report SQL is written against, and how each engine provides them.

The report SQL in :mod:`kundebase.analytics.sql` is written once against three
logical tables (``customers``, ``orders``, ``interactions``) and asks the dialect
(:mod:`kundebase.core.dialect`) for the few expressions that are spelled
differently.  On DuckDB the logical tables are the mirror's real tables; on the
operational databases they are common table expressions over the normalised
Django tables, so the benchmark can run the *same* report SQL on all three engines.
"""

from __future__ import annotations

from kundebase.core.dialect import DUCKDB, Dialect

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


def source_select(d: Dialect, table: str) -> str:
    """The SELECT producing mirror table ``table`` from the operational schema (timestamps as naive UTC text)."""
    if table == "customers":
        return _SOURCE_CUSTOMERS.format(ts_created=d.ts_text("p.created_at"), ts_updated=d.ts_text("p.updated_at"))
    if table == "orders":
        return _SOURCE_ORDERS.format(ts_ordered=d.ts_text("o.ordered_at"), ts_updated=d.ts_text("o.updated_at"))
    if table == "interactions":
        return _SOURCE_INTERACTIONS.format(ts_occurred=d.ts_text("i.occurred_at"),
                                           ts_updated=d.ts_text("i.updated_at"))
    raise KeyError(table)


def with_tables(d: Dialect, sql: str) -> str:
    """Prefix report SQL with the logical tables: nothing on the mirror (DuckDB), which holds them as real
    tables, CTEs over Django's tables on the operational databases."""
    if d is DUCKDB:
        return sql
    ctes = ",\n".join(f"{name} AS ({_report_source(name)})" for name in [*MIRROR_COLUMNS, "customer_totals"])
    body = sql.strip()
    if body.upper().startswith("WITH "):
        return f"WITH {ctes},\n{body[5:]}"
    return f"WITH {ctes}\n{body}"


def _report_source(table: str) -> str:
    # Reports compare timestamps as the engine's own type, so they read the columns unformatted.
    if table == "customers":
        return _SOURCE_CUSTOMERS.format(ts_created="p.created_at", ts_updated="p.updated_at")
    if table == "orders":
        return _SOURCE_ORDERS.format(ts_ordered="o.ordered_at", ts_updated="o.updated_at")
    if table == "customer_totals":
        return _TOTALS
    return _SOURCE_INTERACTIONS.format(ts_occurred="i.occurred_at", ts_updated="i.updated_at")
