"""Plain multi-row INSERTs of values that were already validated, for the paths that write by the million.

Django's ``bulk_create`` builds a model instance per row and prepares every field of it; at a million rows
that costs more than the insert itself.  Here each column's conversion is chosen once from its field, and
the rows go to the database in one ``COPY`` on PostgreSQL, one ``executemany`` elsewhere.  Only for rows
whose values are final (no defaults to fill, no signals to send): the import writer, blocking keys, the
matching queue, import outcomes.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

from django.db import connection, models

from kundebase.core.dialect import for_connection


def _converter(field: models.Field[Any, Any]) -> Callable[[Any], Any] | None:
    """How one column's Python values become database values (``None`` when they go as they are)."""
    if isinstance(field, models.JSONField):
        return lambda value: field.get_db_prep_value(value, connection)
    if isinstance(field, models.DateTimeField):
        # A chunk stamps its rows with one time: converted once, not once per row.
        return lru_cache(maxsize=16)(connection.ops.adapt_datetimefield_value)
    if isinstance(field, models.DateField):
        return lambda value: value.isoformat() if isinstance(value, dt.date) else value
    return None


def column_field(model: type[models.Model], name: str) -> tuple[models.Field[Any, Any], str]:
    """The concrete field behind ``name`` (field or attribute name) of ``model``, and its column's name: raw SQL
    needs a column, and a reverse relation has none."""
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field) or not field.column:
        raise ValueError(f"{model.__name__}.{name} is not a column")
    return field, field.column


def insert_rows(model: type[models.Model], rows: Sequence[dict[str, Any]], *, ignore_conflicts: bool = False) -> int:
    """Insert ``rows`` (column name or attribute name → value, the same keys in every row); returns the count.

    With ``ignore_conflicts`` a row that breaks a unique constraint is skipped (``ON CONFLICT DO NOTHING``,
    which SQLite and PostgreSQL both understand).
    """
    if not rows:
        return 0
    names = list(rows[0])
    fields = [column_field(model, name) for name in names]
    quote = connection.ops.quote_name
    target = f"{quote(model._meta.db_table)} ({', '.join(quote(column) for _, column in fields)})"
    converters = [_converter(f) for f, _ in fields]
    if any(converters):
        params = [tuple(value if convert is None or value is None else convert(value)
                        for convert, value in zip(converters, row.values(), strict=True)) for row in rows]
    else:
        params = [tuple(row.values()) for row in rows]
    with connection.cursor() as cursor:
        for_connection(connection).insert_many(cursor, target, params, ignore_conflicts=ignore_conflicts)
    return len(rows)


UPDATE_CHUNK = 1000


def update_rows(model: type[models.Model], rows: Sequence[dict[str, Any]], *, key: str = "id") -> int:
    """Give each row (``key`` → which row, other names → new values; the same names in every row) its own values,
    a thousand rows per ``UPDATE … FROM (VALUES …)`` instead of one ``UPDATE`` per row.

    SQLite and PostgreSQL both name a ``VALUES`` list's columns ``column1``, ``column2`` …; each value is cast
    to its column's type, so a column whose values are all ``NULL`` in a chunk still has a type.
    """
    if not rows:
        return 0
    names = list(rows[0])
    fields = [column_field(model, name) for name in names]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    where = names.index(key)
    sets = ", ".join(f"{quote(column)} = CAST(v.column{n + 1} AS {field.cast_db_type(connection)})"
                     for n, (field, column) in enumerate(fields) if n != where)
    converters = [_converter(f) for f, _ in fields]
    width = "(" + ", ".join(["%s"] * len(names)) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), UPDATE_CHUNK):
            chunk = rows[start:start + UPDATE_CHUNK]
            params = [value if convert is None or value is None else convert(value)
                      for row in chunk for convert, value in zip(converters, row.values(), strict=True)]
            cursor.execute(f"UPDATE {table} SET {sets} FROM (VALUES {', '.join([width] * len(chunk))}) AS v "
                           f"WHERE {table}.{quote(fields[where][1])} = v.column{where + 1}", params)
    return len(rows)


def insert_returning(model: type[models.Model], rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert new records given as values (field or attribute name → value; a relation may be given as its
    object) and return their ids, in the order of ``rows``.

    What ``bulk_create`` stores, without a model instance per row and the preparation of every field of every
    row: a field not given gets its default (a callable one called once for all rows, unless the field is
    unique), an ``auto_now``/``auto_now_add`` field the time of the call, as on save.  On PostgreSQL a column
    whose value is the same in every row (most of them, for records made by one path) goes as one parameter and
    every other column as one array (``INSERT … SELECT … FROM unnest(…) RETURNING id``); elsewhere through
    ``bulk_create``.
    """
    if not rows:
        return []
    if not for_connection(connection).has_arrays:
        objects = [model(**row) for row in rows]
        model._default_manager.bulk_create(objects)
        return [int(obj.pk) for obj in objects]
    from django.utils import timezone

    now = timezone.now()
    names: set[str] = set().union(*rows)
    columns: list[str] = []
    select: list[str] = []
    constants: list[Any] = []
    arrays: list[str] = []
    array_values: list[list[Any]] = []
    for field in model._meta.concrete_fields:
        name = field.attname if field.attname in names else field.name if field.name in names else None
        column = field.column
        if not column or (field.primary_key and name is None):
            continue
        auto = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
        if auto:
            values: list[Any] = [now]
        elif name is None:  # the default, once for all rows (a timestamp) unless it must differ (a unique token)
            values = [field.get_default() for _row in rows] if field.unique else [field.get_default()]
        else:
            values = [row[name] if name in row else field.get_default() for row in rows]
            if name != field.attname:  # a relation given as its object
                values = [getattr(v, "pk", v) for v in values]
        db_type = field.db_type(connection)
        first = values[0]
        if len(values) == 1 or all(v == first and type(v) is type(first) for v in values):
            select.append(f"CAST(%s AS {db_type})")
            constants.append(field.get_db_prep_save(first, connection))
        elif isinstance(field, models.JSONField):  # an array of JSON goes as text, each element read as JSON
            arrays.append("%s::text[]")
            array_values.append([None if v is None else json.dumps(v, cls=field.encoder) for v in values])
            select.append(f"CAST(v.c{len(arrays)} AS {db_type})")
        else:  # validated values: converted as insert_rows converts them, not prepared field by field
            convert = _converter(field)
            arrays.append(f"%s::{db_type}[]")
            array_values.append(values if convert is None else
                                [None if v is None else convert(v) for v in values])
            select.append(f"v.c{len(arrays)}")
        columns.append(column)
    if arrays:
        source = f"unnest({', '.join(arrays)}) AS v({', '.join(f'c{n + 1}' for n in range(len(arrays)))})"
    else:  # every column the same in every row
        source = f"generate_series(1, {len(rows)}) AS v(c0)"
    quote = connection.ops.quote_name
    key = model._meta.pk.column if model._meta.pk is not None else None
    if not key:
        raise ValueError(f"{model.__name__} has no primary key column")
    sql = (f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(c) for c in columns)}) "
           f"SELECT {', '.join(select)} FROM {source} RETURNING {quote(key)}")
    with connection.cursor() as cursor:  # the constants stand in the SELECT list, before the arrays
        cursor.execute(sql, [*constants, *array_values])
        return [int(row[0]) for row in cursor.fetchall()]
