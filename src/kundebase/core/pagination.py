"""Cursor pagination: stable under inserts, cheap at any depth (keyset on the primary key)."""

from __future__ import annotations

import base64
from typing import Any

from django.db.models import QuerySet

from kundebase.core.errors import ValidationFailed

MAX_LIMIT = 200


def encode(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"id:{last_id}".encode()).decode().rstrip("=")


def decode(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        prefix, value = raw.split(":", 1)
        if prefix != "id":
            raise ValueError
        number = int(value)
        if number < 0:
            raise ValueError
        return number
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValidationFailed.one("cursor", "Not a cursor this server issued; use the 'next' value of a page") from exc


def page(qs: QuerySet[Any], cursor: str | None, limit: int) -> tuple[list[Any], str | None]:
    if limit < 1 or limit > MAX_LIMIT:
        raise ValidationFailed.one("limit", f"Must be between 1 and {MAX_LIMIT}")
    items = list(qs.filter(pk__gt=decode(cursor)).order_by("pk")[: limit + 1])
    more = len(items) > limit
    items = items[:limit]
    return items, (encode(items[-1].pk) if more and items else None)
