"""Checking custom-field values against the administrator's definitions.

Text values pass the same special-category screen as other free text (``text_screens``, joined by the privacy
app): unless the field itself is declared special-category data with its legal basis, a value that looks like
health, religion, union membership … is refused like an interaction note is.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from kundebase.core.errors import ErrorCollector
from kundebase.core.models import CustomFieldDefinition, DataCategory

text_screens: list[Any] = []
"""``screen(fields, errors, data)`` checks free text by field name; the privacy app adds the special-category
screen (the same one interactions use)."""


_held = threading.local()


@contextlib.contextmanager
def definitions_held() -> Iterator[None]:
    """Within this block the definitions are read once per entity, not once per record: for a batch that
    validates hundreds of records (a batch of tracking events) while no one defines fields."""
    _held.cache = {}
    try:
        yield
    finally:
        _held.cache = None


def _definitions(entity: str) -> dict[str, CustomFieldDefinition]:
    cache = getattr(_held, "cache", None)
    if cache is not None and entity in cache:
        return cache[entity]
    found = {d.key: d for d in CustomFieldDefinition.objects.filter(entity=entity)}
    if cache is not None:
        cache[entity] = found
    return found


def clean_values(entity: str, values: dict[str, Any] | None, errors: ErrorCollector, *,
                 partial: bool = False, current: dict[str, Any] | None = None,
                 context: dict[str, Any] | None = None,
                 definitions: dict[str, CustomFieldDefinition] | None = None) -> dict[str, Any]:
    """Return the values in their stored JSON form; unknown keys and wrong types are field errors.

    ``context`` is the caller's whole payload (for ``confirm_special_category_reason``); ``definitions`` the
    entity's definitions by key, when a caller cleaning many records has read them once."""
    values = values or {}
    if definitions is None:
        definitions = _definitions(entity)
    cleaned: dict[str, Any] = dict(current or {})
    for key, raw in values.items():
        name = f"custom_fields.{key}"
        definition = definitions.get(key)
        if definition is None:
            errors.add(name, _("No custom field %(key)s is defined for %(entity)s") % {"key": key, "entity": entity},
                       "unknown_field")
            continue
        if raw is None or raw == "":
            if definition.required:
                errors.add(name, _("This field is required"), "required")
            cleaned.pop(key, None)
            continue
        try:
            cleaned[key] = _coerce(definition, raw)
        except (ValueError, TypeError, InvalidOperation):
            errors.add(name, _("%(value)s is not a valid %(type)s")
                       % {"value": str(raw)[:80], "type": definition.get_field_type_display()})
    texts = {f"custom_fields.{key}": cleaned[key] for key in values
             if key in cleaned and key in definitions and definitions[key].field_type == "text"
             and definitions[key].data_category != DataCategory.SPECIAL
             and not definitions[key].special_category_basis}
    if texts:
        for screen in text_screens:
            screen(texts, errors, {"_entity": entity, **(context or {})})
    if not partial:
        for key, definition in definitions.items():
            if definition.required and key not in cleaned:
                errors.add(f"custom_fields.{key}", _("This field is required"), "required")
    return cleaned


def _coerce(definition: CustomFieldDefinition, raw: Any) -> Any:
    kind = definition.field_type
    if kind == "text":
        text = str(raw)
        if len(text) > 2000:
            raise ValueError("too long")
        return text
    if kind == "integer":
        if isinstance(raw, bool):
            raise TypeError("bool")
        if isinstance(raw, float) and not raw.is_integer():
            raise ValueError("fraction")
        return int(raw)
    if kind == "decimal":
        if isinstance(raw, bool):
            raise TypeError("bool")
        return str(Decimal(str(raw)))
    if kind == "date":
        return dt.date.fromisoformat(str(raw)).isoformat()
    if kind == "boolean":
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in {"true", "1", "yes", "ja"}:
            return True
        if text in {"false", "0", "no", "nei"}:
            return False
        raise ValueError("not a boolean")
    if kind == "choice":
        if raw not in (definition.choices or []):
            raise ValueError("not a choice")
        return raw
    raise ValueError(kind)
