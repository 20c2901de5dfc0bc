"""Validation and normalisation of the identifiers customers are found by.

Each function takes what a person typed and returns the canonical form that is
stored and indexed, or raises :class:`ValueError` with a sentence that can be
shown next to the field.  The field-made libraries (phonenumbers,
email-validator, python-stdnum, pycountry) do the checking; this module only
decides which one applies.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

import phonenumbers
import pycountry
from django.utils.translation import gettext as _
from email_validator import EmailNotValidError, validate_email
from stdnum import iban as std_iban
from stdnum.de import handelsregisternummer as de_register
from stdnum.de import vat as de_vat
from stdnum.dk import cvr as dk_cvr
from stdnum.exceptions import InvalidComponent, InvalidFormat
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.hu import anum as hu_anum
from stdnum.no import kontonr as no_kontonr
from stdnum.no import orgnr as no_orgnr
from stdnum.se import orgnr as se_orgnr

COUNTRY_CODES = frozenset(c.alpha_2 for c in pycountry.countries)


def country(value: str) -> str:
    """ISO 3166-1 alpha-2, upper case."""
    code = (value or "").strip().upper()
    if code not in COUNTRY_CODES:
        raise ValueError(_("Unknown country code %(code)s; use ISO 3166 alpha-2 such as NO, DK, HU, DE")
                         % {"code": value})
    return code


def _parse_phone(raw: str, default_country: str) -> phonenumbers.PhoneNumber | None:
    try:
        return phonenumbers.parse(raw, (default_country or "").upper() or None)
    except phonenumbers.NumberParseException:
        return None


def phone(value: str, default_country: str = "NO") -> str:
    """E.164 (``+4722334455``) from any common spelling: ``+47 22 33 44 55``, ``0047 22334455``, ``22 33 44 55``."""
    raw = (value or "").strip()
    if not raw:
        raise ValueError(_("Enter a phone number"))
    if len(raw) > 40:
        raise ValueError(_("A phone number has at most 40 characters"))
    number = _parse_phone(raw, default_country)
    if number is None:
        raise ValueError(_("%(value)s is not a phone number") % {"value": raw})
    if not phonenumbers.is_valid_number(number):
        raise ValueError(_("%(value)s is not a valid phone number") % {"value": raw})
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


_PHONE_PUNCTUATION = re.compile(r"[\s\-./()]")
_INTERNATIONAL = re.compile(r"^(?:\+|00)([1-9]\d{6,14})$")


@lru_cache(maxsize=1 << 18)
def phone_key(value: str, default_country: str = "NO") -> str:
    """:func:`phone` as a comparison key: E.164, or "" where the text is no phone number (never an error).

    Matching meets many non-numbers in a batch and compares millions of numbers: a number already written
    internationally is its digits (phonenumbers costs 100 µs a number), and a miss builds no message.
    """
    raw = (value or "").strip()
    if not raw or len(raw) > 40:
        return ""
    international = _INTERNATIONAL.match(_PHONE_PUNCTUATION.sub("", raw.replace("(0)", "")))
    if international:
        return "+" + international.group(1)
    number = _parse_phone(raw, default_country)
    if number is None or not phonenumbers.is_valid_number(number):
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_or_none(value: str, default_country: str = "NO") -> str | None:
    """Like :func:`phone`, for look-ups: ``None`` where the text cannot be a phone number."""
    try:
        return phone(value, default_country)
    except ValueError:
        return None


def email(value: str) -> str:
    """The address as email-validator normalises it (domain lower-cased, Unicode NFC)."""
    raw = (value or "").strip()
    if not raw:
        raise ValueError(_("Enter an e-mail address"))
    try:
        return _normalised_email(raw)
    except EmailNotValidError as exc:
        raise ValueError(_("%(value)s is not a valid e-mail address: %(reason)s")
                         % {"value": raw, "reason": str(exc)}) from exc


@lru_cache(maxsize=8192)
def _normalised_email(raw: str) -> str:
    """email-validator's checks cost about a millisecond an address (IDNA tables); the event stream and imports
    repeat the same addresses, so valid ones are remembered (a refused one raises again each time)."""
    return str(validate_email(raw, check_deliverability=False).normalized)


def email_key(value: str) -> str:
    """The look-up key of an e-mail: the normalised address, lower-cased whole (mailboxes are case-blind)."""
    return email(value).lower()


def website(value: str) -> str:
    raw = (value or "").strip()
    if not raw or " " in raw or "." not in raw:
        raise ValueError(_("%(value)s is not a web address") % {"value": raw})
    if not re.match(r"^[a-z][a-z0-9+.-]*://", raw, re.I):
        raw = "https://" + raw
    return raw


def website_key(value: str) -> str:
    """Domain without scheme, ``www.`` and trailing slash, for matching."""
    raw = website(value).lower()
    raw = re.sub(r"^[a-z][a-z0-9+.-]*://", "", raw)
    raw = raw.removeprefix("www.")
    return raw.rstrip("/")


def _reason(exc: StdnumError) -> str:
    """python-stdnum's sentence for a failed check (its exceptions keep it in ``message``, or in ``args``)."""
    if exc.args and exc.args[0]:
        return str(exc.args[0])
    return str(getattr(exc, "message", "") or type(exc).__name__)


def _digits(value: str) -> str:
    return re.sub(r"[^0-9A-Za-z]", "", value or "").upper()


def _hu_tax_number(value: str) -> str:
    """Hungarian adószám ``12345678-1-12``: the first eight digits carry the checksum."""
    digits = re.sub(r"\D", "", value or "")
    if value.upper().startswith("HU"):
        digits = re.sub(r"\D", "", value[2:])
    if len(digits) == 11:
        hu_anum.validate(digits[:8])
        if digits[8] not in "12345":
            raise InvalidComponent("the VAT code digit must be 1–5")
        return f"{digits[:8]}-{digits[8]}-{digits[9:]}"
    return hu_anum.validate(digits)


HU_COMPANY_REGISTER = re.compile(r"^(?:cg\.?\s*)?(\d{2})[-\s.]?(\d{2})[-\s.]?(\d{6})$", re.I)
"""Hungarian cégjegyzékszám ``Cg. 01-09-123456``: court (01 Budapest, 02–20 the counties), company form
(01–23), serial number.  It has no check digit, so the ranges are what can be checked."""


def _hu_org_number(value: str) -> str:
    """A Hungarian company is known by its tax number (adószám) or its register number (cégjegyzékszám)."""
    found = HU_COMPANY_REGISTER.match((value or "").strip())
    if found:
        court, form, serial = found.groups()
        if not 1 <= int(court) <= 20:
            raise InvalidComponent(_("the court code of a cégjegyzékszám is 01–20"))
        if not 1 <= int(form) <= 23:
            raise InvalidComponent(_("the company form code of a cégjegyzékszám is 01–23"))
        return f"{court}-{form}-{serial}"
    return _hu_tax_number(value)


DE_REGISTER_TYPES = {t.lower(): t for t in de_register.REGISTRY_TYPES}
"""HRA (partnerships), HRB (capital companies), GnR (cooperatives), PR (partnerships of professions), VR (clubs)."""
_DE_KINDS = "|".join(de_register.REGISTRY_TYPES)
DE_REGISTER_MENTIONED = re.compile(rf"\b(?:{_DE_KINDS})(?=[\s\d]|$)", re.I)
DE_REGISTER_WITHOUT_COURT = re.compile(
    rf"^(?P<kind>{_DE_KINDS})\s*(?P<nr>[1-9][0-9]{{0,5}})(?:\s*(?P<x>[A-ZÖ]{{1,2}}))?$", re.I)
DE_COURT_WORDS = re.compile(r"\b(?:amtsgericht|registergericht)\b\.?\s*", re.I)


def _de_org_number(value: str) -> str:
    """A German company is known by its VAT number (``DE136695976``) or its Handelsregister entry.

    A register entry is normalised to python-stdnum's form, ``Berlin (Charlottenburg) HRB 12345 B``, when it
    names the court (``Amtsgericht`` may be written or left out); without a court it is kept as the register
    type, number and the optional court letters (``HRB 12345 B``, ``HRA 1234``, ``GnR 12``, ``PR 123``,
    ``VR 1234``), which python-stdnum cannot check (it needs the court).
    """
    raw = " ".join((value or "").split())
    if not DE_REGISTER_MENTIONED.search(raw):
        return "DE" + de_vat.validate(raw)
    text = DE_COURT_WORDS.sub("", raw).strip(" ,")
    try:
        return str(de_register.validate(text))
    except (InvalidFormat, InvalidComponent) as exc:
        found = DE_REGISTER_WITHOUT_COURT.match(text)
        if found is None:
            if isinstance(exc, InvalidComponent):
                raise InvalidComponent(_("the register court is not known")) from exc
            raise InvalidFormat(_("write a register entry as HRB 12345 B, HRA 1234, GnR 12, PR 123 or VR 1234, "
                                  "optionally with the court")) from exc
    kind = DE_REGISTER_TYPES[found["kind"].lower()]
    return " ".join(p for p in (kind, found["nr"], (found["x"] or "").upper()) if p)


ORG_NUMBER_VALIDATORS: dict[str, Callable[[str], str]] = {
    "NO": no_orgnr.validate,
    "DK": dk_cvr.validate,
    "SE": se_orgnr.validate,
    "HU": _hu_org_number,
    "DE": _de_org_number,
}
"""Which checksum an organisation number must pass, by country; others are stored as given."""


def org_number(value: str, country_code: str) -> str:
    raw = (value or "").strip()
    if not raw:
        raise ValueError(_("Enter an organisation number"))
    validator = ORG_NUMBER_VALIDATORS.get((country_code or "").upper())
    if validator is None:
        cleaned = _digits(raw)
        if not 4 <= len(cleaned) <= 20:
            raise ValueError(_("%(value)s is not an organisation number") % {"value": raw})
        return cleaned
    try:
        return validator(raw)
    except StdnumError as exc:
        raise ValueError(_("%(value)s is not a valid organisation number for %(country)s: %(reason)s")
                         % {"value": raw, "country": country_code, "reason": _reason(exc)}) from exc


def org_number_key(value: str) -> str:
    """Digits and letters only, for look-ups typed with or without spaces, dashes or a country prefix."""
    return _digits(value)


def bank_account(value: str, country_code: str = "") -> str:
    """IBAN, or a national account number where python-stdnum knows the country's checksum."""
    raw = (value or "").strip()
    if not raw:
        raise ValueError(_("Enter a bank account"))
    compact = _digits(raw)
    if compact[:2].isalpha():
        try:
            return std_iban.validate(compact)
        except StdnumError as exc:
            raise ValueError(_("%(value)s is not a valid IBAN: %(reason)s")
                             % {"value": raw, "reason": _reason(exc)}) from exc
    if (country_code or "").upper() == "NO":
        try:
            return no_kontonr.validate(compact)
        except StdnumError as exc:
            raise ValueError(_("%(value)s is not a valid Norwegian account number: %(reason)s")
                             % {"value": raw, "reason": _reason(exc)}) from exc
    raise ValueError(_("Give the account as an IBAN (national numbers are checked only for Norway)"))


NACE_PATTERN = re.compile(r"^[A-U](\d{2}(\.\d{1,2}(\.\d)?)?)?$|^\d{2}(\.\d{1,2}(\.\d)?)?$")


def nace(value: str) -> str:
    code = (value or "").strip().upper()
    if not NACE_PATTERN.match(code):
        raise ValueError(_("%(value)s is not a NACE code such as 47.11 or G47.1") % {"value": value})
    return code


_WHOLE_LETTERS = str.maketrans({"ø": "o", "æ": "ae", "å": "a", "ß": "ss", "đ": "d", "ł": "l", "œ": "oe"})
"""Letters Unicode does not decompose into a base letter and an accent."""


def fold_letters(text: str) -> str:
    """Lower case with every accent folded (``Ørjan Bæk-Şahin`` → ``orjan baek-sahin``), other characters kept.

    The one accent folding: search (:func:`fold`) and the matching keys
    (:func:`kundebase.matching.normalise.names.plain`) build on it.
    """
    folded = (text or "").lower().translate(_WHOLE_LETTERS)
    if folded.isascii():
        return folded
    return "".join(ch for ch in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(ch))


def fold(text: str) -> str:
    """Lower case without accents, for case- and accent-blind search (``Ørjan Bæk`` → ``orjan baek``)."""
    return re.sub(r"\s+", " ", re.sub(r"[^\w@.+\- ]", " ", fold_letters(text))).strip()
