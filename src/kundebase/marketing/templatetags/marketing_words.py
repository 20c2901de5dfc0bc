"""People's words for the marketing app's own codes in templates."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

EXPORT_USES = {"letter": _("Letters"), "mailing_house": _("Mailing house"), "call": _("Phone calls"),
               "email": _("E-mail"), "sms": _("Text messages (SMS)")}
"""What each export use (``exports.USES``) is called on the page."""


@register.filter
def export_use_label(use: str) -> str:
    return str(EXPORT_USES.get(use, use))
