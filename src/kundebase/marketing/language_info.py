"""A machine-readable description of the segment language, for the visual builder and API clients."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from kundebase.core.models import CustomFieldDefinition
from kundebase.marketing.segment_language import REGISTRY, Attr, lookup

GROUPS = {
    "customer": _("Customer"), "place": _("Place"), "company": _("Company"), "interest": _("Interests"),
    "custom": _("Custom fields"), "orders": _("Orders"), "contact": _("Contacts"), "consent": _("Consent"),
    "loyalty": _("Loyalty"), "campaign": _("Campaign responses"), "segment": _("Segments"),
}


def _describe(attr: Attr) -> dict[str, Any]:
    return {"name": attr.name, "group": attr.group, "kind": attr.kind, "qualifiers": list(attr.qualifiers),
            "operators": {op: attr.shape(op) for op in attr.ops}, "choices": list(attr.allowed())}


def describe() -> dict[str, Any]:
    import kundebase.marketing.segment_attributes  # noqa: F401
    import kundebase.marketing.segment_behaviour  # noqa: F401

    attrs = [_describe(a) for a in REGISTRY.values()]
    for key in CustomFieldDefinition.objects.filter(entity__in=("person", "company")).values_list("key", flat=True):
        found = lookup(f"custom.{key}")
        if found is not None:
            attrs.append(_describe(found))
    return {"attributes": attrs, "groups": {k: str(v) for k, v in GROUPS.items()},
            "logic": ["and", "or", "not"]}


def for_people() -> dict[str, Any]:
    """:func:`describe` with the words the visual builder shows: each attribute's and operator's label and the
    choices of an attribute by name (consent states, customer kinds) instead of their codes."""
    from kundebase.web import labels

    info = describe()
    ops = {op for a in info["attributes"] for op in a["operators"]}
    info["labels"] = {a["name"]: labels.field_label(a["name"]) for a in info["attributes"]}
    info["operator_labels"] = {op: labels.operator_label(op) for op in sorted(ops)}
    info["choice_labels"] = {c: labels.choice_label(c) for a in info["attributes"] for c in a["choices"]}
    return info
