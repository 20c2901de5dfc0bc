"""Bulk inserts that bypass the ORM's per-object work: one ``COPY`` or ``executemany`` per table and chunk.

The demo load writes millions of rows; building model instances for each
would cost more than generating the data.  Values are adapted here, as the
dialect says, to what each backend stores (SQLite keeps dates, times and
decimals as text), so the generator can work with plain Python values.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.core.management.color import no_style
from django.db import connection, models

from kundebase.core.dialect import for_connection

Adapter = Callable[[Any], Any] | None


def _adapter(field: models.Field[Any, Any]) -> Adapter:
    kind = field.get_internal_type()
    if kind == "JSONField":
        return lambda v: field.get_db_prep_save(v, connection)
    return for_connection(connection).bulk_adapter(kind)


class Table:
    """INSERT of given columns (attribute names such as ``party_id``) into one model's table."""

    def __init__(self, model: type[models.Model], columns: Sequence[str]) -> None:
        by_attname = {f.attname: f for f in model._meta.concrete_fields}
        fields = [by_attname[c] for c in columns]
        quote = connection.ops.quote_name
        self.model = model
        self.columns = tuple(columns)
        target = f"{quote(model._meta.db_table)} ({', '.join(quote(str(f.column)) for f in fields)})"
        self.target = target
        self.adapters = [(i, a) for i, a in enumerate(_adapter(f) for f in fields) if a is not None]

    def insert(self, rows: Iterable[Sequence[Any]]) -> int:
        batch = []
        for row in rows:
            if self.adapters:
                row = list(row)
                for i, adapt in self.adapters:
                    row[i] = adapt(row[i])
            batch.append(row)
        if batch:
            with connection.cursor() as cursor:
                for_connection(connection).insert_many(cursor, self.target, batch)
        return len(batch)


def next_id(model: type[models.Model]) -> int:
    """One above the highest id in use: the demo load assigns ids itself so children can refer to parents."""
    highest = model._default_manager.aggregate(m=models.Max("pk"))["m"]
    return (highest or 0) + 1


def reset_sequences(*models_: type[models.Model]) -> None:
    """After explicit ids, move PostgreSQL's id sequences past them (SQLite follows the highest id itself)."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(models_))
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
