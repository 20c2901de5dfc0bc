"""From a file row to a validated record: mapped fields, local formats converted, shared validation applied.

The checks are the ones every channel uses (``parties.validation``,
``interactions.services.clean``, the orders service); this module only maps
fields to columns and back, so each problem is reported against the column
the user sees in their file.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from kundebase.core.custom_fields import clean_values
from kundebase.core.errors import ErrorCollector
from kundebase.core.models import CustomFieldDefinition
from kundebase.ingest import shapes
from kundebase.parties import validation
from kundebase.parties.names import split_full_name


@dataclass
class Record:
    """One row, cleaned; ``problems`` are ``(column, message)`` pairs."""

    line: int
    raw: dict[str, Any]
    entity: str
    data: dict[str, Any] = field(default_factory=dict)
    contact_points: list[dict[str, Any]] = field(default_factory=list)
    addresses: list[dict[str, Any]] = field(default_factory=list)
    refs: dict[str, str] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    problems: list[tuple[str, str]] = field(default_factory=list)
    fingerprint: str = ""
    columns: dict[str, str] = field(default_factory=dict)
    """The file's column each field came from (field → column), to name it in problems."""

    @property
    def ok(self) -> bool:
        return not self.problems


def fingerprint(source: str, entity: str, mapped: dict[str, Any]) -> str:
    payload = json.dumps([source, entity, sorted((k, str(v).strip()) for k, v in mapped.items())],
                         ensure_ascii=False, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def _column_of(fld: str, reverse: dict[str, str]) -> str:
    """The file column a validation error points at (``contact_points[0].value`` → the e-mail column)."""
    base = fld.split(".")[-1] if "[" in fld else fld
    for candidate in (fld, base):
        if candidate in reverse:
            return reverse[candidate]
    return fld


def _str(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _add_contact(rec: Record, mapped: dict[str, Any], reverse: dict[str, str], errors: ErrorCollector,
                 kinds: tuple[str, ...], country: str) -> None:
    for kind in kinds:
        value = _str(mapped.get(kind))
        if not value:
            continue
        local = ErrorCollector()
        cp = validation.clean_contact_point({"kind": kind, "value": value}, local, default_country=country)
        for err in local.errors:
            rec.problems.append((reverse.get(kind, kind), err.message))
        if not local:
            rec.contact_points.append(cp)


def _add_address(rec: Record, mapped: dict[str, Any], reverse: dict[str, str], country: str) -> None:
    parts = {k: _str(mapped.get(k)) for k in ("street", "postcode", "city", "municipality", "region")}
    if not any(parts[k] for k in ("street", "postcode", "city")):
        return
    raw_country = _str(mapped.get("country")) or country
    local = ErrorCollector()
    address = validation.clean_address({**parts, "country": shapes.country_code(raw_country)}, local)
    for err in local.errors:
        rec.problems.append((_column_of(err.field, reverse), err.message))
    if not local:
        rec.addresses.append(address)


CUSTOM = "custom_fields."
"""Targets ``custom_fields.<key>`` carry a column into one of the administrator's custom fields."""
CUSTOM_ENTITY = {"persons": "person", "companies": "company"}


def custom_definitions(entity: str) -> dict[str, CustomFieldDefinition]:
    """The custom fields a file of ``entity`` may fill, by key (read once per chunk, not per row)."""
    kind = CUSTOM_ENTITY.get(entity)
    return {d.key: d for d in CustomFieldDefinition.objects.filter(entity=kind)} if kind else {}


def _custom(rec: Record, mapped: dict[str, Any], reverse: dict[str, str], kind: str,
            definitions: dict[str, CustomFieldDefinition] | None) -> None:
    """Custom-field values go on the record as the API takes them, checked by the same rules (types, required
    fields, the special-category screen), each problem named by its column."""
    if not definitions:
        return
    values = {target[len(CUSTOM):]: _str(value) for target, value in mapped.items() if target.startswith(CUSTOM)}
    errors = ErrorCollector()
    cleaned = clean_values(kind, values, errors, context=values, definitions=definitions)
    for err in errors.errors:
        rec.problems.append((_column_of(err.field, reverse), err.message))
    if cleaned:
        rec.data["custom_fields"] = cleaned


def build(*, line: int, raw: dict[str, Any], entity: str, columns: dict[str, str], source: str,
          country: str | None = None, custom: dict[str, CustomFieldDefinition] | None = None) -> Record:
    """Map, convert and validate one row; never raises for bad data (problems go on the record).

    ``custom`` holds the entity's custom-field definitions (:func:`custom_definitions`) when it has any."""
    country = country or settings.KUNDEBASE_DEFAULT_COUNTRY
    rec = Record(line=line, raw=raw, entity=entity)
    if "_error" in raw:
        rec.problems.append((_("line"), str(raw["_error"])))
        rec.fingerprint = fingerprint(source, entity, raw)
        return rec
    mapped: dict[str, Any] = {}
    reverse: dict[str, str] = {target: column for column, target in columns.items() if target}
    for column, target in columns.items():
        if target and column in raw and raw[column] not in (None, ""):
            mapped[target] = raw[column]
    rec.fingerprint = fingerprint(source, entity, mapped)
    builder = BUILDERS[entity]
    builder(rec, mapped, reverse, country)
    if entity in CUSTOM_ENTITY:
        _custom(rec, mapped, reverse, CUSTOM_ENTITY[entity], custom)
    rec.columns = reverse
    return rec


def _person(rec: Record, mapped: dict[str, Any], reverse: dict[str, str], country: str) -> None:
    data: dict[str, Any] = {k: mapped[k] for k in ("given_name", "family_name", "gender", "preferred_language",
                                                   "status", "customer_number") if k in mapped}
    if "full_name" in mapped and not data.get("family_name"):
        data["given_name"], data["family_name"] = split_full_name(_str(mapped["full_name"]),
                                                                  _str(mapped.get("preferred_language")))
        reverse.setdefault("family_name", reverse["full_name"])
        reverse.setdefault("given_name", reverse["full_name"])
    if "gender" in data:
        data["gender"] = GENDERS.get(identifiers_fold(data["gender"]), data["gender"])
    if "birth_date" in mapped:
        data["birth_date"] = shapes.iso_date_or_text(mapped["birth_date"])
    errors = ErrorCollector()
    rec.data = validation.clean_person(data, errors, partial=True)
    if not rec.data.get("family_name"):
        errors.add("family_name", _("This field is required"), "required")
    for err in errors.errors:
        rec.problems.append((_column_of(err.field, reverse), err.message))
    _add_address(rec, mapped, reverse, country)
    _add_contact(rec, mapped, reverse, errors, ("email", "mobile", "phone"), validation.record_country(
        rec.addresses, country))
    rec.extra = {k: _str(mapped[k]) for k in ("company", "position", "note") if k in mapped}


def _company(rec: Record, mapped: dict[str, Any], reverse: dict[str, str], country: str) -> None:
    data: dict[str, Any] = {k: mapped[k] for k in (
        "legal_name", "org_number", "org_country", "industry_code", "employees", "annual_revenue", "bank_account",
        "payment_terms_days", "credit_limit", "status", "customer_number") if k in mapped}
    if "org_country" in data:
        data["org_country"] = shapes.country_code(data["org_country"])
    elif mapped.get("country"):
        data["org_country"] = shapes.country_code(mapped["country"])
    elif data.get("org_number"):
        data["org_country"] = _org_country(_str(data["org_number"]), country)
    errors = ErrorCollector()
    rec.data = validation.clean_company(data, errors, partial=True)
    if not rec.data.get("legal_name"):
        errors.add("legal_name", _("This field is required"), "required")
    for err in errors.errors:
        rec.problems.append((_column_of(err.field, reverse), err.message))
    _add_address(rec, mapped, reverse, country)
    _add_contact(rec, mapped, reverse, errors, ("email", "phone", "website"), validation.record_country(
        rec.addresses, rec.data.get("org_country"), country))


def _org_country(number: str, default: str) -> str:
    prefix = number[:2].upper()
    if prefix in ("DE", "HU", "DK", "SE", "NO") and number[2:3].isdigit():
        return prefix
    return default


def _refs(rec: Record, mapped: dict[str, Any], reverse: dict[str, str], country: str,
          keys: tuple[str, ...] = ("customer_number", "email", "phone", "org_number")) -> None:
    """References to an existing customer; at least one must be given."""
    from kundebase.core import identifiers

    for key in keys:
        value = _str(mapped.get(key))
        if not value:
            continue
        try:
            if key == "email":
                value = identifiers.email_key(value)
            elif key == "phone":
                value = identifiers.phone(value, country)
            elif key == "org_number":
                value = identifiers.org_number_key(value)
        except ValueError as exc:
            rec.problems.append((reverse[key], str(exc)))
            continue
        rec.refs[key] = value
    if not rec.refs and not any(col in reverse for col in keys):
        rec.problems.append(("", _("Name the customer: give a customer number, e-mail, phone or org number")))


def _interaction(rec: Record, mapped: dict[str, Any], reverse: dict[str, str], country: str) -> None:
    from kundebase.interactions.services import clean

    _refs(rec, mapped, reverse, country)
    data: dict[str, Any] = {k: _str(mapped[k]) for k in ("kind", "direction", "channel", "subject", "body", "outcome")
            if k in mapped}
    data["kind"] = INTERACTION_KINDS.get(identifiers_fold(data.get("kind", "")), data.get("kind") or "note")
    if "occurred_at" in mapped:
        data["occurred_at"] = shapes.parse_datetime(mapped["occurred_at"])
    if "follow_up_on" in mapped:
        data["follow_up_on"] = shapes.iso_date_or_text(mapped["follow_up_on"])
    errors = ErrorCollector()
    rec.data = clean(data, errors)
    for err in errors.errors:
        rec.problems.append((_column_of(err.field, reverse), err.message))
    rec.extra = {"external_id": _str(mapped.get("external_id"))}


def _order(rec: Record, mapped: dict[str, Any], reverse: dict[str, str], country: str) -> None:
    _refs(rec, mapped, reverse, country)
    lines = mapped.get("lines")
    if isinstance(lines, str) and lines.strip().startswith("["):
        try:
            lines = json.loads(lines)
        except json.JSONDecodeError:
            rec.problems.append((reverse["lines"], _("The order lines are not valid JSON")))
            lines = []
    if not isinstance(lines, list):
        line: dict[str, Any] = {k: mapped[k] for k in ("sku", "description", "quantity", "revenue", "cost")
                                if k in mapped}
        for key in ("quantity", "revenue", "cost"):
            if key in line:
                line[key] = _str(line[key]).replace(" ", "").replace("\u00a0", "").replace(",", ".")
        lines = [line]
    ordered_at = shapes.parse_datetime(mapped["ordered_at"]) if "ordered_at" in mapped else None
    rec.data = {"order_number": _str(mapped.get("order_number")), "ordered_at": ordered_at or None,
                "currency": _str(mapped.get("currency")) or settings.KUNDEBASE_DEFAULT_CURRENCY,
                "channel": _str(mapped.get("channel")) or "other"}
    rec.extra = {"lines": lines}


def _role(rec: Record, mapped: dict[str, Any], reverse: dict[str, str], country: str) -> None:
    _refs(rec, {"customer_number": mapped.get("person_customer_number"), **mapped}, reverse, country,
          keys=("customer_number", "email", "phone"))
    company_refs = {"customer_number": _str(mapped.get("company_customer_number")),
                    "org_number": _str(mapped.get("org_number")), "name": _str(mapped.get("company"))}
    if not any(company_refs.values()):
        rec.problems.append(("", _("Name the company: give its customer number, org number or name")))
    rec.extra = {"company": company_refs}
    data: dict[str, Any] = {k: _str(mapped[k]) for k in ("position", "department") if k in mapped}
    for key in ("start_date", "end_date"):
        if key in mapped:
            data[key] = shapes.iso_date_or_text(mapped[key])
    errors = ErrorCollector()
    rec.data = validation.clean_role(data, errors)
    for err in errors.errors:
        rec.problems.append((_column_of(err.field, reverse), err.message))


def identifiers_fold(text: Any) -> str:
    from kundebase.core import identifiers

    return identifiers.fold(_str(text))


GENDERS = {"f": "female", "k": "female", "kvinne": "female", "kvinde": "female", "kvinna": "female",
           "frau": "female", "w": "female", "weiblich": "female", "no": "female", "n": "female", "female": "female",
           "m": "male", "mann": "male", "mand": "male", "man": "male", "mannlich": "male", "ferfi": "male",
           "male": "male", "d": "diverse", "divers": "diverse", "diverse": "diverse"}
INTERACTION_KINDS = {"telefon": "call", "samtale": "call", "anruf": "call", "hivas": "call", "call": "call",
                     "e post": "email", "epost": "email", "e mail": "email", "email": "email", "mail": "email",
                     "brev": "letter", "brief": "letter", "level": "letter", "letter": "letter",
                     "mote": "meeting", "moede": "meeting", "termin": "meeting", "besprechung": "meeting",
                     "talalkozo": "meeting", "meeting": "meeting", "besok": "visit", "besuch": "visit",
                     "latogatas": "visit", "visit": "visit", "notat": "note", "notiz": "note", "jegyzet": "note",
                     "note": "note", "henvendelse": "inquiry", "foresporsel": "inquiry", "anfrage": "inquiry",
                     "erdeklodes": "inquiry", "inquiry": "inquiry"}

BUILDERS = {"persons": _person, "companies": _company, "roles": _role, "interactions": _interaction,
            "orders": _order}
