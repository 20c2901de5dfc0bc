"""Dates and times read from requests: every service reads them through one pair of functions, so a bad value
gets the same sentence and code beside its field in every app, and an empty one is simply absent."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone, translation

from kundebase.core.errors import ErrorCollector, ValidationFailed
from kundebase.core.field_values import date_value, datetime_value


def test_dates_and_times_are_read_or_noted_beside_their_field() -> None:
    errors = ErrorCollector()
    assert date_value("1980-12-31", "born", errors) == dt.date(1980, 12, 31)
    assert date_value(dt.datetime(1980, 12, 31, 10, 0), "born", errors) == dt.date(1980, 12, 31)
    assert date_value("", "born", errors) is None and datetime_value(None, "at", errors) is None
    assert timezone.is_aware(datetime_value("2026-12-07T10:00", "at", errors))
    assert not errors
    assert date_value("31.02.1990", "born", errors) is None
    assert datetime_value("tomorrow", "at", errors) is None
    assert [(e.field, e.code) for e in errors.errors] == [("born", "invalid_date"), ("at", "invalid_datetime")]


@pytest.mark.django_db
def test_every_service_says_the_same_about_a_bad_date() -> None:
    from kundebase.interactions.services import log_interaction
    from kundebase.parties import services

    person = services.create_person(data={"given_name": "Kari", "family_name": "Nordmann"})
    said = []
    with translation.override("nb"):
        for write in (lambda: services.create_person(data={"given_name": "Ola", "birth_date": "31.02.1990"}),
                      lambda: log_interaction(party_id=person.pk, data={"kind": "note", "subject": "x",
                                                                        "follow_up_on": "31.02.1990"})):
            with pytest.raises(ValidationFailed) as caught:
                write()
            said += [(e.code, e.message) for e in caught.value.errors if e.code == "invalid_date"]
    assert said == [("invalid_date", "31.02.1990 er ikke en dato (ÅÅÅÅ-MM-DD)")] * 2
