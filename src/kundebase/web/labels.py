"""People's words for the codes the product stores, and numbers as the reader's language writes them.

Pages, e-mails and exports meant for people show ``Denmark`` rather than ``DK``, ``Danish`` rather than ``da``,
``No consent recorded`` rather than ``no_consent`` and ``12 %`` rather than ``0.12``.  Every page asks this one
module (through the template filters in ``web/templatetags/kundebase.py``) so that a code gets the same words
everywhere and a new code needs one entry here, not one per page.  Anything unknown is shown as it is: a label
never hides data.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.numbers import format_currency, format_percent
from django.conf import settings
from django.utils import formats
from django.utils.translation import (
    get_language,
    get_language_info,
    gettext_lazy,
    pgettext_lazy,
)
from django.utils.translation import gettext as _

from kundebase.web.nace import section_for

BABEL_LOCALES = {"en": "en_GB", "nb": "nb_NO", "da": "da_DK", "de": "de_DE", "hu": "hu_HU"}
"""The Babel locale per interface language: the product is for European users, so English is British English
(day before month, ``12 %`` with the European spacing conventions of the other languages)."""

DASH = "—"


def babel_locale() -> Locale:
    """The Babel locale of the active language (English as en_GB)."""
    language = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    try:
        return Locale.parse(BABEL_LOCALES.get(language, language))
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en_GB")


# ---------------------------------------------------------------- numbers


def _decimal(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def count(value: Any) -> str:
    """A whole number with the active language's grouping (``2,466`` / ``2 466``), never ``2466.00``."""
    number = _decimal(value)
    if number is None:
        return DASH if value in (None, "") else str(value)
    return formats.number_format(number.quantize(Decimal(1)), decimal_pos=0, use_l10n=True, force_grouping=True)


def number(value: Any, decimals: int = 2) -> str:
    """A number with ``decimals`` places, grouped, with the active language's decimal mark."""
    found = _decimal(value)
    if found is None:
        return DASH if value in (None, "") else str(value)
    return formats.number_format(found, decimal_pos=int(decimals), use_l10n=True, force_grouping=True)


def percent(value: Any, decimals: int = 1) -> str:
    """A share (``0.125``) as a percentage in the active language (``12.5%``, ``12,5 %``)."""
    share = _decimal(value)
    if share is None:
        return DASH if value in (None, "") else str(value)
    rounded = round(share, int(decimals) + 2)
    return format_percent(rounded, locale=babel_locale(), decimal_quantization=False)


def percent_points(value: Any, decimals: int = 1) -> str:
    """A value already in percent (``12.5``) written as a percentage."""
    found = _decimal(value)
    if found is None:
        return DASH if value in (None, "") else str(value)
    return percent(found / 100, decimals)


def money(value: Any, currency: str = "", decimals: int | None = 0) -> str:
    """An amount in ``currency`` (the installation's currency by default) as the active language writes it:
    ``NOK 12,345`` in English, ``12 345 NOK`` in Norwegian, ``12.345 NOK`` in Danish and German.

    The ISO code is shown rather than a symbol (``kr`` is Danish, Norwegian and Swedish crowns alike).
    ``decimals=None`` shows the cents only when there are any.
    """
    amount = _decimal(value)
    if amount is None:
        return DASH
    code = (currency or settings.KUNDEBASE_DEFAULT_CURRENCY).upper()
    if decimals is None:
        decimals = 0 if amount == amount.to_integral_value() else 2
    locale = babel_locale()
    pattern = locale.currency_formats["standard"].pattern.split(";")[0]
    digits = "." + "0" * int(decimals) if int(decimals) else ""
    pattern = re.sub(r"\.0+", digits, pattern).replace("¤", "¤¤")
    text = format_currency(amount, code, format=pattern, locale=locale, currency_digits=False)
    # CLDR puts a space between a currency code and the digits beside it; Babel leaves that to us.
    return re.sub(rf"^(-?){code}(?=[\d-])", lambda m: f"{m.group(1)}{code}\xa0", text)


def day(value: Any) -> str:
    """A date (or an ISO text such as ``2026-03-05T10:00:00``) in the language's short date format."""
    if value in (None, ""):
        return DASH
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value[:10])
        except ValueError:
            return value
    if isinstance(value, dt.datetime):
        value = value.date()
    return formats.date_format(value, "SHORT_DATE_FORMAT")


# ---------------------------------------------------------------- languages, countries, industries


def language_name(code: Any) -> str:
    """``da`` → ``Danish`` (in the reader's language): the product's own languages by the names in
    ``settings.LANGUAGES``, others through Django's list of language names, then Babel's."""
    text = str(code or "").strip()
    if not text:
        return ""
    own = dict(settings.LANGUAGES).get(text.lower())
    if own is not None:
        return str(own)
    try:
        return str(get_language_info(text.lower())["name_translated"])
    except KeyError:
        pass
    name = babel_locale().languages.get(text.lower().replace("-", "_"))
    return name[:1].upper() + name[1:] if name else text


def country_name(code: Any) -> str:
    """``DK`` → ``Denmark`` / ``Danmark`` (Babel's territory names in the reader's language)."""
    text = str(code or "").strip()
    if not text:
        return ""
    return babel_locale().territories.get(text.upper(), text)


def industry_name(code: Any) -> str:
    """A NACE code with the name of its section: ``71.12`` → ``71.12 Professional, scientific and technical
    activities``.  Only the 21 sections (A–U) are named; a code that fits none is shown as it is."""
    text = str(code or "").strip()
    if not text:
        return ""
    section = section_for(text)
    if section is None:
        return text
    letter, name = section
    if text.upper() == letter:
        return f"{letter} {name}"
    return f"{text} {name}"


# ---------------------------------------------------------------- codes with fixed words

MARKETING_REASONS: dict[str, Any] = {
    "consent": gettext_lazy("Consent given"),
    "no_consent": gettext_lazy("No consent recorded"),
    "consent_denied": gettext_lazy("Consent refused"),
    "consent_withdrawn": gettext_lazy("Consent withdrawn"),
    "not_on_register": gettext_lazy("Not on any opt-out register"),
    "existing_customer_exemption": gettext_lazy("Existing customer (bought recently)"),
    "erased": gettext_lazy("Erased"),
    "merged": gettext_lazy("Merged into another customer"),
    "restricted": gettext_lazy("Processing restricted"),
    "suppressed": gettext_lazy("On the suppression list"),
    "internal_suppression": gettext_lazy("On our own do-not-contact list"),
    "opt_out_register": gettext_lazy("On an opt-out register"),
    "no_contact_data": gettext_lazy("No address, e-mail or phone for this channel"),
    "granted": gettext_lazy("Granted"),
    "denied": gettext_lazy("Denied"),
    "withdrawn": gettext_lazy("Withdrawn"),
    "none": gettext_lazy("Nothing recorded"),
}
"""Why a customer may or may not be marketed to, and the consent states (see ``privacy/decision.py``)."""

CHANNELS: dict[str, Any] = {
    "email": gettext_lazy("E-mail"), "sms": gettext_lazy("SMS"), "phone": gettext_lazy("Phone"),
    "post": gettext_lazy("Post"), "profiling": gettext_lazy("Profiling"), "web": gettext_lazy("Web"),
    "store": gettext_lazy("Store / point of sale"), "sales": gettext_lazy("Field sales"),
    "in_person": gettext_lazy("In person"), "social": gettext_lazy("Social media"), "other": gettext_lazy("Other"),
    "api": gettext_lazy("API"), "import": gettext_lazy("Import"), "cli": gettext_lazy("Command line"),
}

FIELDS: dict[str, Any] = {
    "given_name": gettext_lazy("Given name"), "family_name": gettext_lazy("Family name"),
    "full_name": gettext_lazy("Full name"), "birth_date": gettext_lazy("Date of birth"),
    "gender": gettext_lazy("Gender"), "street": gettext_lazy("Street"), "postcode": gettext_lazy("Postcode"),
    "city": gettext_lazy("City"), "place": gettext_lazy("Place"), "municipality": gettext_lazy("Municipality"),
    "region": gettext_lazy("Region"), "country": gettext_lazy("Country"), "phone": gettext_lazy("Phone"),
    "email": gettext_lazy("E-mail"), "national_id": gettext_lazy("National identity number"),
    "company_name": gettext_lazy("Company name"), "org_number": gettext_lazy("Organisation number"),
    "website": gettext_lazy("Website"), "kind": gettext_lazy("Kind"), "status": gettext_lazy("Status"),
    "language": gettext_lazy("Language"), "preferred_language": gettext_lazy("Preferred language"),
    "age": gettext_lazy("Age"), "birthday": gettext_lazy("Birthday"), "distance": gettext_lazy("Distance"),
    "company.industry": gettext_lazy("Industry"), "industry_code": gettext_lazy("Industry"),
    "company.employees": gettext_lazy("Employees"), "company.annual_revenue": gettext_lazy("Annual revenue"),
    "company.credit_limit": gettext_lazy("Credit limit"), "company.dunning_status": gettext_lazy("Dunning status"),
    "interest": gettext_lazy("Interest"), "orders.count": gettext_lazy("Number of orders"),
    "orders.revenue": gettext_lazy("Revenue from orders"), "orders.margin": gettext_lazy("Margin from orders"),
    "orders.days_since_last": gettext_lazy("Days since last order"),
    "orders.days_since_first": gettext_lazy("Days since first order"),
    "orders.category": gettext_lazy("Bought from category"), "interactions.count": gettext_lazy("Number of contacts"),
    "interactions.days_since_last": gettext_lazy("Days since last contact"), "consent": gettext_lazy("Consent"),
    "loyalty.tier": gettext_lazy("Loyalty tier"), "loyalty.points": gettext_lazy("Loyalty points"),
    "loyalty.member": gettext_lazy("Loyalty member"), "campaign": gettext_lazy("Campaign response"),
    "segment": gettext_lazy("Segment"), "customer_number": gettext_lazy("Customer number"),
    "mobile": gettext_lazy("Mobile"), "company": gettext_lazy("Company"), "position": gettext_lazy("Position"),
    "note": gettext_lazy("Note"), "legal_name": gettext_lazy("Legal name"),
    "org_country": gettext_lazy("Country of registration"), "employees": gettext_lazy("Employees"),
    "annual_revenue": gettext_lazy("Annual revenue"), "bank_account": gettext_lazy("Bank account"),
    "payment_terms_days": gettext_lazy("Payment terms (days)"), "credit_limit": gettext_lazy("Credit limit"),
    "person_customer_number": gettext_lazy("Customer number of the person"),
    "company_customer_number": gettext_lazy("Customer number of the company"),
    "department": gettext_lazy("Department"), "start_date": gettext_lazy("Start date"),
    "end_date": gettext_lazy("End date"), "external_id": gettext_lazy("External id"),
    "direction": gettext_lazy("Direction"), "channel": gettext_lazy("Channel"),
    "occurred_at": gettext_lazy("When"), "subject": gettext_lazy("Subject"), "body": gettext_lazy("Text"),
    "outcome": gettext_lazy("Outcome"), "follow_up_on": gettext_lazy("Follow up on"),
    "order_number": gettext_lazy("Order number"), "ordered_at": gettext_lazy("Ordered"),
    "sku": gettext_lazy("Product number"), "description": gettext_lazy("Description"),
    "quantity": gettext_lazy("Quantity"), "revenue": gettext_lazy("Revenue"), "cost": gettext_lazy("Cost"),
    "currency": gettext_lazy("Currency"), "lines": gettext_lazy("Order lines"),
}
"""Customer fields as matching, imports, provenance and the segment builder name them."""

OPERATORS: dict[str, Any] = {
    "eq": pgettext_lazy("operator", "is"), "ne": pgettext_lazy("operator", "is not"),
    "lt": pgettext_lazy("operator", "less than"), "lte": pgettext_lazy("operator", "at most"),
    "gt": pgettext_lazy("operator", "more than"), "gte": pgettext_lazy("operator", "at least"),
    "between": pgettext_lazy("operator", "between"), "in": pgettext_lazy("operator", "is one of"),
    "not_in": pgettext_lazy("operator", "is none of"), "any": pgettext_lazy("operator", "any of"),
    "prefix": pgettext_lazy("operator", "starts with"), "is_empty": pgettext_lazy("operator", "is empty"),
    "is_set": pgettext_lazy("operator", "is filled in"), "within": pgettext_lazy("operator", "within"),
    "within_days": pgettext_lazy("operator", "within days"), "month": pgettext_lazy("operator", "in month"),
    "today": pgettext_lazy("operator", "is today"), "granted": pgettext_lazy("operator", "granted"),
    "not_granted": pgettext_lazy("operator", "not granted"), "member_of": pgettext_lazy("operator", "member of"),
    "received": pgettext_lazy("operator", "received"), "opened": pgettext_lazy("operator", "opened"),
    "clicked": pgettext_lazy("operator", "clicked"), "unsubscribed": pgettext_lazy("operator", "unsubscribed"),
    "bounced": pgettext_lazy("operator", "bounced"), "converted": pgettext_lazy("operator", "bought after"),
}
"""The segment language's operators (``marketing/segment_language.py``) as a sentence reads them."""

CHOICES: dict[str, Any] = {
    "person": gettext_lazy("Person"), "company": gettext_lazy("Company"), "persons": gettext_lazy("People"),
    "companies": gettext_lazy("Companies"), "roles": gettext_lazy("Roles at companies"),
    "interactions": gettext_lazy("Contacts"), "orders": gettext_lazy("Orders"), "prospect": gettext_lazy("Prospect"),
    "active": gettext_lazy("Active"), "inactive": gettext_lazy("Inactive"), "female": gettext_lazy("Female"),
    "male": gettext_lazy("Male"), "diverse": gettext_lazy("Diverse"), "reminder_1": gettext_lazy("First reminder"),
    "reminder_2": gettext_lazy("Second reminder"), "debt_collection": gettext_lazy("Debt collection"),
    "letter": gettext_lazy("Letters"), "mailing_house": gettext_lazy("Mailing house"),
    "call": gettext_lazy("Phone calls"),
}
"""Values of the segment language's choice attributes that are not consent states."""

def _lookup(table: dict[str, Any], code: Any) -> str:
    text = "" if code is None else str(code)
    found = table.get(text)
    return str(found) if found is not None else text


def reason_label(code: Any) -> str:
    """Why marketing is allowed or not; ``register:robinson`` → ``On the opt-out register robinson``."""
    text = "" if code is None else str(code)
    kind, _sep, detail = text.partition(":")
    if detail and kind == "register":
        return _("On the opt-out register %(name)s") % {"name": detail}
    if detail and kind == "no_consent":
        return f"{_lookup(MARKETING_REASONS, kind)} ({reason_label(detail)})"
    return _lookup(MARKETING_REASONS, text)


def choice_label(code: Any) -> str:
    """A stored choice (``person``, ``withdrawn``, ``reminder_1``) in words."""
    from kundebase.core.models import LegalBasis

    text = "" if code is None else str(code)
    for table in (CHOICES, MARKETING_REASONS, CHANNELS, dict(LegalBasis.choices)):
        if text in table:
            return str(table[text])
    return text


def address_kind_label(code: Any) -> str:
    """An address's kind (``postal``, ``billing``) by the words of the addresses' own choices."""
    from kundebase.parties.models import Address

    text = "" if code is None else str(code)
    return str(dict(Address.Kind.choices).get(text, text))


def contact_kind_label(code: Any) -> str:
    """A logged contact's kind (``call``, ``web_visit``) by the words of the contacts' own choices."""
    from kundebase.interactions.models import Interaction

    text = "" if code is None else str(code)
    return str(dict(Interaction.Kind.choices).get(text, text))


def channel_label(code: Any) -> str:
    return _lookup(CHANNELS, code)


def field_label(code: Any) -> str:
    """A stored field's name in words: the table above, else the customer models' own field names (every
    field of a person or company has a translated ``verbose_name``), else as written."""
    text = "" if code is None else str(code)
    if text.startswith("custom."):
        return text.removeprefix("custom.").replace("_", " ").capitalize()
    if text in FIELDS:
        return _lookup(FIELDS, text)
    name = _model_field_names().get(text)
    return str(name)[:1].upper() + str(name)[1:] if name else text


@functools.cache
def _model_field_names() -> dict[str, Any]:
    from kundebase.parties.models import Company, Person

    names: dict[str, Any] = {}
    for model in (Person, Company):
        for f in model._meta.get_fields():
            verbose = getattr(f, "verbose_name", None)
            if verbose is not None:
                names.setdefault(f.name, verbose)
                names.setdefault(getattr(f, "attname", f.name), verbose)
    return names


def operator_label(code: Any) -> str:
    return _lookup(OPERATORS, code)


# ---------------------------------------------------------------- erasure summaries


def erasure_sentences(outcome: Any) -> list[str]:
    """What an erasure did, one sentence per part it touched (``privacy/erasure_summary.py`` words them);
    an outcome that is not an erasure's counts is returned as written."""
    from kundebase.privacy import erasure_summary

    text = str(outcome or "")
    if not erasure_summary.parse(text):
        return [text] if text else []
    return erasure_summary.describe(text)


def outcome_text(outcome: Any) -> str:
    """A request's stored outcome in words: erasure counts as sentences, anything else as written."""
    return "; ".join(erasure_sentences(outcome))


def words(values: Iterable[Any], label: Any = str) -> str:
    """Several codes through ``label``, joined by commas."""
    return ", ".join(label(v) for v in values)
