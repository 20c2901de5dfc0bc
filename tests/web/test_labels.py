"""The one place that turns stored codes and numbers into people's words (``kundebase.web.labels``)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from kundebase.web import labels


@pytest.fixture(params=["en", "nb"])
def lang(request: pytest.FixtureRequest) -> str:
    with translation.override(request.param):
        yield request.param


def test_counts_are_grouped_whole_numbers() -> None:
    with translation.override("en"):
        assert labels.count(Decimal("2466.00")) == "2,466"
        assert labels.count(10000) == "10,000"
        assert labels.count(None) == "—"
    with translation.override("nb"):
        assert labels.count(2466.0) == "2\xa0466"


def test_shares_are_percentages() -> None:
    with translation.override("en"):
        assert labels.percent(0.01) == "1%"
        assert labels.percent(Decimal("0.1234")) == "12.3%"
        assert labels.percent_points(45.5) == "45.5%"
    with translation.override("nb"):
        assert labels.percent(0.125) == "12,5\xa0%"


def test_money_goes_through_babel_with_the_iso_code() -> None:
    with translation.override("en"):
        assert labels.money(Decimal("6826752")) == "NOK\xa06,826,752"
        assert labels.money("12.5", "EUR", decimals=None) == "EUR\xa012.50"
        assert labels.money(-5) == "-NOK\xa05"
    with translation.override("nb"):
        assert labels.money(7200) == "7\xa0200\xa0NOK"
    with translation.override("de"):
        assert labels.money(Decimal("1234.5"), decimals=2) == "1.234,50\xa0NOK"


def test_languages_and_countries_by_name(lang: str) -> None:
    expected = {"en": ("Danish", "Denmark", "Germany"), "nb": ("Dansk", "Danmark", "Tyskland")}[lang]
    assert (labels.language_name("da"), labels.country_name("DK"), labels.country_name("de")) == expected
    assert labels.country_name("XX") == "XX" and labels.language_name("") == ""


def test_industries_are_named_by_their_section() -> None:
    with translation.override("en"):
        assert labels.industry_name("71.12") == "71.12 Professional, scientific and technical activities"
        assert labels.industry_name("G47.1") == "G47.1 Wholesale and retail trade; repair of motor vehicles"
        assert labels.industry_name("M") == "M Professional, scientific and technical activities"
        assert labels.industry_name("04.1") == "04.1"  # no section has division 04
    with translation.override("nb"):
        assert labels.industry_name("43.21") == "43.21 Bygge- og anleggsvirksomhet"


def test_codes_get_words() -> None:
    with translation.override("en"):
        assert labels.reason_label("no_consent") == "No consent recorded"
        assert labels.reason_label("not_on_register") == "Not on any opt-out register"
        assert labels.reason_label("register:robinson") == "On the opt-out register robinson"
        assert labels.reason_label("something_new") == "something_new"
        assert labels.channel_label("email") == "E-mail"
        assert labels.field_label("given_name") == "Given name"
        assert labels.field_label("custom.shoe_size") == "Shoe size"
        assert labels.operator_label("eq") == "is" and labels.operator_label("not_in") == "is none of"
    with translation.override("nb"):
        assert labels.reason_label("no_consent") == "Ikke registrert samtykke"
        assert labels.field_label("given_name") == "Fornavn"


def test_erasure_summary_in_sentences() -> None:
    with translation.override("en"):
        sentences = labels.erasure_sentences("addresses: 1, consent_events: 0, contact_points: 2")
        assert sentences == ["2 e-mail addresses and phone numbers deleted", "1 postal address deleted"]
        assert "consent_events" not in labels.outcome_text("addresses: 1, consent_events: 0")
        assert labels.outcome_text("Sent by e-mail") == "Sent by e-mail"
    with translation.override("nb"):
        assert "consent" not in labels.outcome_text("addresses: 2, consent_events: 1")
        assert labels.erasure_sentences("observations: 12345")[0].startswith("12\xa0345 ")  # grouped as nb writes


def test_counts_inside_sentences_are_grouped() -> None:
    page = Template("{% load i18n kundebase %}{% blocktranslate count n=total with shown=total|count %}"
                    "{{ shown }} customer found{% plural %}{{ shown }} customers found{% endblocktranslate %}")
    with translation.override("en"):
        assert page.render(Context({"total": 12345})) == "12,345 customers found"
        assert page.render(Context({"total": 1})) == "1 customer found"


def test_filters_are_available_to_templates() -> None:
    page = Template("{% load kundebase %}{{ c|country_name }} {{ n|count }} {{ s|percent }} {{ r|reason_label }}")
    with translation.override("en"):
        text = page.render(Context({"c": "DK", "n": Decimal("2466.00"), "s": 0.5, "r": "no_consent"}))
    assert text == "Denmark 2,466 50% No consent recorded"


def test_english_dates_are_european_and_date_inputs_stay_iso() -> None:
    import datetime as dt

    from django import forms
    from django.utils import formats

    with translation.override("en"):
        assert formats.date_format(dt.date(2026, 10, 25), "SHORT_DATE_FORMAT") == "25/10/2026"
        assert formats.date_format(dt.datetime(2026, 10, 25, 14, 30), "DATETIME_FORMAT") == "25 Oct 2026, 14:30"
        assert labels.day("2026-10-25T10:00:00") == "25/10/2026"
        assert forms.DateInput(attrs={"type": "date"}).format_value(dt.date(2026, 10, 25)) == "2026-10-25"
        assert forms.DateField().clean("25/10/2026") == dt.date(2026, 10, 25)
