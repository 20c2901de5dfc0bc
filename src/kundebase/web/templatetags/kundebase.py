"""Template filters for amounts of money and for rendering a form field with its error beside it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import phonenumbers
from django import template
from django.conf import settings
from django.forms import BoundField
from django.utils import formats
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def money(value: Any, decimals: int = 0) -> str:
    """An amount in the installation's currency, grouped and with the decimal mark of the active language
    (``NOK 12,345`` in English, ``12 345 NOK`` in Norwegian)."""
    if value in (None, ""):
        return "—"
    amount = formats.number_format(Decimal(value), decimal_pos=int(decimals), use_l10n=True, force_grouping=True)
    return _("%(currency)s %(amount)s") % {"currency": settings.KUNDEBASE_DEFAULT_CURRENCY, "amount": amount}


@register.filter
def phone(value: str) -> str:
    """A stored E.164 number (``+4741234567``) as people read it (``+47 412 34 567``)."""
    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        return value
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


@register.inclusion_tag("web/field.html")
def field(bound: BoundField, **attrs: Any) -> dict[str, Any]:
    """Label, input and error message together, the input pointing at its error for screen readers."""
    widget_attrs = dict(attrs)
    if bound.errors:
        widget_attrs["aria-invalid"] = "true"
        widget_attrs["aria-describedby"] = f"{bound.auto_id}_error"
    return {"field": bound, "widget": bound.as_widget(attrs=widget_attrs)}
