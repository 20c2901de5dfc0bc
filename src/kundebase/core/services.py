"""Custom-field definitions: an administrator adds a field only by saying why it is stored."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from kundebase.core.errors import ErrorCollector, NotFound, ValidationFailed
from kundebase.core.models import CustomFieldDefinition, DataCategory, LegalBasis

special_category_guard: list[Any] = []
"""Callables ``(key, label, purpose, data) -> str | None`` that refuse special-category fields (privacy app)."""


def _clean(data: dict[str, Any], errors: ErrorCollector) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in ("entity", "key", "label", "field_type", "purpose", "data_category", "legal_basis"):
        value = str(data.get(key) or "").strip()
        if not value and key not in ("data_category", "legal_basis"):
            errors.add(key, _("This field is required"), "required")
        out[key] = value
    if out["entity"] and out["entity"] not in CustomFieldDefinition.Entity.values:
        errors.add("entity", _("Must be one of %(c)s") % {"c": ", ".join(CustomFieldDefinition.Entity.values)})
    if out["field_type"] and out["field_type"] not in CustomFieldDefinition.FieldType.values:
        errors.add("field_type", _("Must be one of %(c)s") % {"c": ", ".join(CustomFieldDefinition.FieldType.values)})
    if out["key"] and not (out["key"].replace("_", "").isalnum() and out["key"][0].isalpha()
                           and out["key"].isascii() and len(out["key"]) <= 60):
        errors.add("key", _("Use letters, digits and _ only, starting with a letter"))
    if len(out["label"]) > 120:
        errors.add("label", _("At most 120 characters"), "too_long")
    if out["purpose"] and len(out["purpose"]) < 10:
        errors.add("purpose", _("Explain in a sentence why this is stored"), "too_short")
    out["data_category"] = out["data_category"] or DataCategory.OTHER
    if out["data_category"] not in DataCategory.values:
        errors.add("data_category", _("Must be one of %(c)s") % {"c": ", ".join(DataCategory.values)})
    if not out["legal_basis"]:
        errors.add("legal_basis", _("Name the legal basis for storing this field"), "required")
    elif out["legal_basis"] not in LegalBasis.values:
        errors.add("legal_basis", _("Must be one of %(c)s") % {"c": ", ".join(LegalBasis.values)})
    choices = data.get("choices") or []
    if out["field_type"] == "choice" and (not isinstance(choices, list) or not choices):
        errors.add("choices", _("A choice field needs a list of choices"), "required")
    out["choices"] = choices if isinstance(choices, list) else []
    out["required"] = bool(data.get("required", False))
    out["personal_identifier"] = bool(data.get("personal_identifier", False))
    for key in ("special_category_basis", "special_category_reference"):
        out[key] = str(data.get(key) or "").strip()
    out["special_category_date"] = data.get("special_category_date")
    return out


@transaction.atomic
def create_custom_field(*, data: dict[str, Any], actor: object = None) -> CustomFieldDefinition:
    from kundebase.core import audit

    errors = ErrorCollector()
    cleaned = _clean(data, errors)
    errors.raise_if_any()
    for guard in special_category_guard:
        guard(cleaned, errors)
    errors.raise_if_any()
    try:
        with transaction.atomic():
            field = CustomFieldDefinition.objects.create(**cleaned)
    except IntegrityError as exc:
        raise ValidationFailed.one("key", _("A field with this key exists for this entity"), "duplicate") from exc
    audit.record(action="create", actor=actor, entity="custom_field", record_id=field.pk, channel="api",
                 fields=[f"{field.entity}.{field.key}"])
    return field


@transaction.atomic
def delete_custom_field(*, field_id: int, actor: object = None) -> None:
    from kundebase.core import audit

    field = CustomFieldDefinition.objects.filter(pk=field_id).first()
    if field is None:
        raise NotFound(_("Custom field"), field_id)
    field.delete()
    audit.record(action="delete", actor=actor, entity="custom_field", record_id=field_id, channel="api",
                 fields=[f"{field.entity}.{field.key}"])
