"""The rules every channel shares: the API, the forms, imports and events all validate through here."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from kundebase.core import identifiers
from kundebase.core.errors import ErrorCollector
from kundebase.core.field_values import date_value
from kundebase.parties.models import Address, Company, ContactPoint, DunningStatus, Gender, PartyStatus

LANGUAGES = {"nb", "nn", "no", "da", "sv", "de", "hu", "en", "fi", "fr", "es", "it", "nl", "pl"}
MAX_LEN = {
    "given_name": 150, "family_name": 150, "legal_name": 300, "position": 150, "department": 150,
    "street": 200, "postcode": 12, "city": 100, "municipality": 100, "region": 100, "label": 60,
    "customer_number": 30, "payment_terms_days": 5, "org_number": 60,
}


def _text(data: dict[str, Any], key: str, errors: ErrorCollector, prefix: str = "", required: bool = False) -> str:
    raw = data.get(key)
    value = "" if raw is None else str(raw).strip()
    name = prefix + key
    if "\x00" in value:
        errors.add(name, _("Contains a NUL character"))
        return ""
    if required and not value:
        errors.add(name, _("This field is required"), "required")
    limit = MAX_LEN.get(key)
    if limit and len(value) > limit:
        errors.add(name, _("At most %(n)d characters (got %(m)d)") % {"n": limit, "m": len(value)}, "too_long")
    return value


@cache
def _choice_values(choices: Any) -> frozenset[str]:
    """A choices class's values, read once: Django builds the list anew on every ``.values`` (an import asks
    for each of a million rows)."""
    return frozenset(choices.values)


def _choice(value: Any, choices: Any, name: str, errors: ErrorCollector) -> str:
    text = "" if value is None else str(value)
    if text not in _choice_values(choices):
        errors.add(name, _("%(value)s is not one of: %(choices)s")
                   % {"value": text, "choices": ", ".join(choices.values)}, "invalid_choice")
    return text





def _decimal(value: Any, name: str, errors: ErrorCollector, *, minimum: Decimal | None = Decimal(0)) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        errors.add(name, _("%(value)s is not a number") % {"value": value})
        return None
    if not number.is_finite() or abs(number) >= Decimal("1e16"):
        errors.add(name, _("%(value)s is out of range") % {"value": value})
        return None
    if minimum is not None and number < minimum:
        errors.add(name, _("Must not be negative"))
        return None
    return number.quantize(Decimal("0.01"))


def _int(value: Any, name: str, errors: ErrorCollector, maximum: int = 2_147_483_647) -> int | None:
    if value in (None, ""):
        return None
    try:
        if isinstance(value, bool):
            raise ValueError
        number = int(value)
    except (TypeError, ValueError):
        errors.add(name, _("%(value)s is not a whole number") % {"value": value})
        return None
    if number < 0 or number > maximum:
        errors.add(name, _("Must be between 0 and %(max)d") % {"max": maximum})
        return None
    return number


def clean_common(data: dict[str, Any], errors: ErrorCollector, *, partial: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if not partial or "status" in data:
        out["status"] = _choice(data.get("status") or PartyStatus.PROSPECT, PartyStatus, "status", errors)
    if "preferred_language" in data:
        lang = _text(data, "preferred_language", errors).lower()
        if lang and lang not in LANGUAGES:
            errors.add("preferred_language", _("%(value)s is not a supported language code") % {"value": lang})
        out["preferred_language"] = lang
    if "customer_number" in data and data.get("customer_number") not in (None, ""):
        number = _text(data, "customer_number", errors)
        if number and not all(ch.isalnum() or ch in "-_/." for ch in number):
            errors.add("customer_number", _("Use letters, digits and - _ / . only"))
        out["customer_number"] = number
    return out


def clean_person(data: dict[str, Any], errors: ErrorCollector, *, partial: bool = False) -> dict[str, Any]:
    out = clean_common(data, errors, partial=partial)
    if not partial or "given_name" in data:
        out["given_name"] = _text(data, "given_name", errors)
    if not partial or "family_name" in data:
        out["family_name"] = _text(data, "family_name", errors, required=True)
    if not partial or "birth_date" in data:
        born = date_value(data.get("birth_date"), "birth_date", errors)
        if born is not None:
            today = timezone.localdate()
            if born > today:
                errors.add("birth_date", _("The birth date is in the future"), "future_date")
            elif born.year < today.year - 125:
                errors.add("birth_date", _("The birth date is more than 125 years ago"), "implausible_date")
        out["birth_date"] = born
    if not partial or "gender" in data:
        gender = data.get("gender") or ""
        out["gender"] = _choice(gender, Gender, "gender", errors) if gender else ""
    return out


def clean_company(data: dict[str, Any], errors: ErrorCollector, *, partial: bool = False) -> dict[str, Any]:
    out = clean_common(data, errors, partial=partial)
    if not partial or "legal_name" in data:
        out["legal_name"] = _text(data, "legal_name", errors, required=True)
    country = None
    if not partial or "org_country" in data:
        raw_country = data.get("org_country") or ""
        country = ""
        if raw_country:
            try:
                country = identifiers.country(raw_country)
            except ValueError as exc:
                errors.add("org_country", str(exc), "unknown_country")
        out["org_country"] = country
    if not partial or "org_number" in data:
        raw = _text(data, "org_number", errors)
        out["org_number"] = ""
        if raw:
            org_country = country if country is not None else data.get("_current_org_country", "")
            try:
                out["org_number"] = identifiers.org_number(raw, org_country or settings.KUNDEBASE_DEFAULT_COUNTRY)
            except ValueError as exc:
                errors.add("org_number", str(exc), "invalid_org_number")
    if "industry_code" in data:
        code = _text(data, "industry_code", errors)
        out["industry_code"] = ""
        if code:
            try:
                out["industry_code"] = identifiers.nace(code)
            except ValueError as exc:
                errors.add("industry_code", str(exc))
    if "employees" in data:
        out["employees"] = _int(data.get("employees"), "employees", errors)
    for key in ("annual_revenue", "credit_limit"):
        if key in data:
            out[key] = _decimal(data.get(key), key, errors)
    if "payment_terms_days" in data:
        out["payment_terms_days"] = _int(data.get("payment_terms_days"), "payment_terms_days", errors, 365)
    if "dunning_status" in data:
        out["dunning_status"] = _choice(data.get("dunning_status") or "none", DunningStatus, "dunning_status", errors)
    if "bank_account" in data:
        raw = _text(data, "bank_account", errors)
        out["bank_account"] = ""
        if raw:
            try:
                out["bank_account"] = identifiers.bank_account(raw, country or data.get("_current_org_country", ""))
            except ValueError as exc:
                errors.add("bank_account", str(exc), "invalid_bank_account")
    if "parent_id" in data:
        parent = data.get("parent_id")
        out["parent_id"] = _int(parent, "parent_id", errors, maximum=2**62) if parent is not None else None
    return out


def record_country(addresses: Sequence[Mapping[str, Any]] = (), *hints: str | None) -> str:
    """The country a record's national phone numbers are read in.

    A German customer writes ``030 1234567`` and a Danish one ``20 12 34 56``: which country that
    is follows from the record itself — its primary (else first) address, then the hints the caller
    has (a company's country of registration, a person's employer's country), and only then the
    installation's default.  Every channel that validates a record asks here.
    """
    for address in sorted(addresses, key=lambda a: not a.get("is_primary")):
        code = str(address.get("country") or "").strip().upper()
        if code in identifiers.COUNTRY_CODES:
            return code
    for hint in hints:
        code = str(hint or "").strip().upper()
        if code in identifiers.COUNTRY_CODES:
            return code
    return str(settings.KUNDEBASE_DEFAULT_COUNTRY)


def stored_country(party_id: int) -> str:
    """:func:`record_country` for a stored customer: its addresses, a company's country of registration,
    a person's employers' countries."""
    addresses = list(Address.objects.filter(party_id=party_id).order_by("-is_primary", "id")
                     .values("country", "is_primary")[:1])
    if addresses:
        return record_country(addresses)
    hints = list(Company.objects.filter(pk=party_id).values_list("org_country", flat=True))
    hints += list(Company.objects.filter(contact_roles__person_id=party_id).exclude(org_country="")
                  .order_by("contact_roles__id").values_list("org_country", flat=True)[:1])
    return record_country((), *hints)


def clean_contact_point(data: dict[str, Any], errors: ErrorCollector, prefix: str = "",
                        default_country: str | None = None) -> dict[str, Any]:
    kind = _choice(data.get("kind"), ContactPoint.Kind, prefix + "kind", errors)
    value = _text(data, "value", errors, prefix, required=True)
    if len(value) > 320:
        errors.add(prefix + "value", _("At most 320 characters"), "too_long")
        value = ""
    country = default_country or settings.KUNDEBASE_DEFAULT_COUNTRY
    display, normalised = value, ""
    if value and kind in _choice_values(ContactPoint.Kind):
        try:
            if kind == "email":
                display = identifiers.email(value)
                normalised = display.lower()
            elif kind in ContactPoint.PHONE_KINDS:
                display = normalised = identifiers.phone(value, country)
            elif kind == "website":
                display = identifiers.website(value)
                normalised = identifiers.website_key(value)
            else:
                normalised = value.strip().lower()
        except ValueError as exc:
            errors.add(prefix + "value", str(exc), f"invalid_{kind}")
    return {
        "kind": kind,
        "value": display,
        "normalised": normalised,
        "label": _text(data, "label", errors, prefix),
        "is_primary": bool(data.get("is_primary", False)),
        "is_verified": bool(data.get("is_verified", False)),
    }


def clean_address(data: dict[str, Any], errors: ErrorCollector, prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {key: _text(data, key, errors, prefix)
                           for key in ("street", "postcode", "city", "municipality", "region")}
    out["kind"] = _choice(data.get("kind") or "postal", Address.Kind, prefix + "kind", errors)
    raw_country = data.get("country") or ""
    out["country"] = ""
    if not raw_country:
        errors.add(prefix + "country", _("This field is required"), "required")
    else:
        try:
            out["country"] = identifiers.country(raw_country)
        except ValueError as exc:
            errors.add(prefix + "country", str(exc), "unknown_country")
    if not any(out[k] for k in ("street", "postcode", "city")):
        errors.add(prefix + "street", _("Give at least a street, postcode or city"), "required")
    out["is_primary"] = bool(data.get("is_primary", False))
    out["valid_from"] = date_value(data.get("valid_from"), prefix + "valid_from", errors)
    return out


def address_key(street: str | None, postcode: str | None) -> tuple[str, str]:
    """When an incoming address is one the customer has already: same street (in any letter case) and postcode.
    An import row and a web shop's ``identify`` add an address only when the customer lacks it by this key."""
    return (street or "").lower(), postcode or ""


def clean_role(data: dict[str, Any], errors: ErrorCollector, prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {key: _text(data, key, errors, prefix) for key in ("position", "department")}
    out["start_date"] = date_value(data.get("start_date"), prefix + "start_date", errors)
    out["end_date"] = date_value(data.get("end_date"), prefix + "end_date", errors)
    if out["start_date"] and out["end_date"] and out["end_date"] < out["start_date"]:
        errors.add(prefix + "end_date", _("The end date is before the start date"))
    out["is_primary_contact"] = bool(data.get("is_primary_contact", False))
    return out


EDITABLE_ADDRESS_FIELDS = ("kind", "street", "postcode", "city", "municipality", "region", "country",
                           "is_primary", "valid_from")
