"""German and Hungarian: amounts, dates and plural messages come out as each language writes them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import formats, translation
from django.utils.translation import gettext, ngettext

from kundebase.web.templatetags.kundebase import money


@pytest.mark.parametrize(("language", "amount", "date"), [
    ("de", "12.345,50\xa0NOK", "7. Dezember 2026"),  # Babel keeps the amount and its currency together
    ("hu", "12\xa0345,50\xa0NOK", "2026. december 7."),
])
def test_amounts_and_dates_follow_the_language(language, amount, date):
    with translation.override(language):
        assert money("12345.5", 2) == amount
        assert formats.date_format(dt.date(2026, 12, 7)) == date


@pytest.mark.parametrize(("language", "one", "many", "title"), [
    ("de", "1 Kunde", "3 Kunden", "Verkaufschance"),
    ("hu", "1 ügyfél", "3 ügyfél", "Üzleti lehetőség"),
])
def test_catalogues_translate_messages_and_plurals(language, one, many, title):
    with translation.override(language):
        # the customer list's count (templates/web/customer_list.html)
        assert ngettext("%(shown)s customer", "%(shown)s customers", 1) % {"shown": 1} == one
        assert ngettext("%(shown)s customer", "%(shown)s customers", 3) % {"shown": 3} == many
        assert gettext("Deal") == title
