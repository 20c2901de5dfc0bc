"""Template filters: people's words for stored codes, numbers and money as the reader's language writes them
(all through :mod:`kundebase.web.labels`), and a form field with its error beside it."""

from __future__ import annotations

from typing import Any

import phonenumbers
from django import template
from django.forms import BoundField

from kundebase.web import labels

register = template.Library()


@register.filter
def money(value: Any, decimals: int = 0) -> str:
    """An amount in the installation's currency, grouped and with the decimal mark of the active language
    (``NOK 12,345`` in English, ``12 345 NOK`` in Norwegian), through Babel."""
    return labels.money(value, decimals=int(decimals))


@register.filter
def money_in(value: Any, currency: str) -> str:
    """An amount in its own currency (a deal in EUR); cents only when there are any."""
    return labels.money(value, currency=currency, decimals=None)


@register.filter
def count(value: Any) -> str:
    """A whole number, grouped (``2,466``), never ``2466.00``."""
    return labels.count(value)


@register.filter
def number(value: Any, decimals: int = 2) -> str:
    return labels.number(value, int(decimals))


@register.filter
def percent(value: Any, decimals: int = 1) -> str:
    """A share (``0.125``) as ``12.5%``."""
    return labels.percent(value, int(decimals))


@register.filter
def percent_points(value: Any, decimals: int = 1) -> str:
    """A value already in percent (``12.5``) as ``12.5%``."""
    return labels.percent_points(value, int(decimals))


register.filter("day", labels.day)
register.filter("language_name", labels.language_name)
register.filter("country_name", labels.country_name)
register.filter("industry_name", labels.industry_name)
register.filter("reason_label", labels.reason_label)
register.filter("channel_label", labels.channel_label)
register.filter("choice_label", labels.choice_label)
register.filter("contact_kind_label", labels.contact_kind_label)
register.filter("address_kind_label", labels.address_kind_label)
register.filter("field_label", labels.field_label)
register.filter("operator_label", labels.operator_label)
register.filter("outcome_text", labels.outcome_text)
register.filter("erasure_sentences", labels.erasure_sentences)


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
