"""Dates and times read from what a form or an API request sent: the typed value, or ``None`` with the error
noted beside the field, so one request reports every bad field at once (:class:`~kundebase.core.errors.ErrorCollector`).

Every service reads dates through these two, so "31.02.2024" gets the same sentence in every app.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from kundebase.core.errors import ErrorCollector


def date_value(value: Any, name: str, errors: ErrorCollector) -> dt.date | None:
    """``YYYY-MM-DD`` (a date or datetime object is taken as its day); empty is ``None``."""
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        errors.add(name, _("%(v)s is not a date (YYYY-MM-DD)") % {"v": value}, "invalid_date")
        return None


def datetime_value(value: Any, name: str, errors: ErrorCollector) -> dt.datetime | None:
    """ISO 8601 date and time, in the installation's time zone when it names none; empty is ``None``."""
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        moment = value
    else:
        try:
            moment = dt.datetime.fromisoformat(str(value))
        except ValueError:
            errors.add(name, _("%(v)s is not a date and time (ISO 8601)") % {"v": value}, "invalid_datetime")
            return None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment
