"""Creating customers, one or a hundred thousand: the path every channel takes to store a new person or company.

The API and the forms create a list of one, an import a chunk, events a batch.  Whatever the number, each
record is validated by the shared rules (``parties.validation``, custom fields with their special-category
screen), screened against erased identities, numbered, written with its contact points and addresses,
observed for provenance, and given its own audit entry, all in the caller's transaction; then the
``party_saved`` hook hears of the whole batch at once (blocking keys, register matches).

The rows go to the database in one statement per table (``COPY`` on PostgreSQL), so a chunk of an import
costs a handful of round trips, however many persons it holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kundebase.core import audit, identifiers
from kundebase.core.bulk import insert_rows
from kundebase.core.custom_fields import clean_values
from kundebase.core.errors import ErrorCollector, FieldError, ValidationFailed
from kundebase.core.models import Observation
from kundebase.core.provenance import SourceRef
from kundebase.parties import validation
from kundebase.parties.models import Address, Company, ContactPoint, Party, Person
from kundebase.parties.names import person_name
from kundebase.parties.services import rules

PERSON, COMPANY = str(Party.Kind.PERSON.value), str(Party.Kind.COMPANY.value)
"""The kinds as plain strings: a chunk compares them per record, and the choices' attributes are slow to read."""


@dataclass
class NewCustomer:
    """One customer to create, as a channel received it.

    ``data`` holds the fields (``custom_fields`` a mapping of the administrator's fields), as the API's
    ``PersonIn``/``CompanyIn`` name them; values already cleaned by ``parties.validation`` pass unchanged.
    ``source`` is this record's own origin (an import's file line, an event's id); without it the source
    of the call is used.  ``validated`` says the contact points, addresses and custom-field values are
    already the output of ``parties.validation`` and ``core.custom_fields.clean_values`` (an import cleans each
    row while reading it, so every problem names its column): they are not parsed a second time, which for
    phone numbers is most of the cost of a record.
    """

    data: dict[str, Any]
    contact_points: Sequence[dict[str, Any]] = ()
    addresses: Sequence[dict[str, Any]] = ()
    source: SourceRef | None = None
    validated: bool = False
    cleaned: dict[str, Any] = field(default_factory=dict, repr=False)
    custom: dict[str, Any] = field(default_factory=dict, repr=False)
    cps: list[dict[str, Any]] = field(default_factory=list, repr=False)
    addrs: list[dict[str, Any]] = field(default_factory=list, repr=False)


def _clean(kind: str, rec: NewCustomer, errors: ErrorCollector, definitions: Any) -> None:
    if rec.validated:
        # The fields are cleaned again (cheap, and it fills what the record left out); the rest is kept.
        rec.cleaned = (validation.clean_person if kind == PERSON else validation.clean_company)(
            rec.data, errors)
        rec.cps, rec.addrs = [dict(cp) for cp in rec.contact_points], [dict(a) for a in rec.addresses]
        rec.custom = dict(rec.data.get("custom_fields") or {})
        return
    if kind == PERSON:
        rec.cleaned = validation.clean_person(rec.data, errors)
        rec.cps, rec.addrs = rules.clean_children(rec.contact_points, rec.addresses, errors)
    else:
        rec.cleaned = validation.clean_company(rec.data, errors)
        rec.cps, rec.addrs = rules.clean_children(rec.contact_points, rec.addresses, errors,
                                                  rec.cleaned.get("org_country"))
        rules.check_parent(None, rec.cleaned.get("parent_id"), errors)
    rec.custom = clean_values(kind, rec.data.get("custom_fields"), errors, context=rec.data, definitions=definitions)


def _raise(all_errors: list[ErrorCollector]) -> None:
    """Every problem of every record at once; with more than one record, each path names its record."""
    if len(all_errors) == 1:
        all_errors[0].raise_if_any()
        return
    found = [FieldError(f"[{i}].{e.field}", e.message, e.code) for i, errs in enumerate(all_errors)
             for e in errs.errors]
    if found:
        raise ValidationFailed(found)


def _prepare(kind: str, records: Sequence[NewCustomer], allow_duplicate: bool) -> list[str]:
    """Validate, screen and number the records; nothing is written when any of them is refused."""
    from kundebase.core.models import CustomFieldDefinition

    definitions = {d.key: d for d in CustomFieldDefinition.objects.filter(entity=kind)}
    all_errors = [ErrorCollector() for _rec in records]
    for rec, errors in zip(records, all_errors, strict=True):
        _clean(kind, rec, errors, definitions)
    _raise(all_errors)
    rules.refuse_blocked(kind, [(rec.cleaned, rec.cps) for rec in records])
    if not allow_duplicate:
        for rec in records:
            rules.check_duplicates(kind, rec.cleaned, rec.cps, rec.addrs)
    numbers = rules.customer_numbers([rec.cleaned for rec in records], all_errors)
    _raise(all_errors)
    return numbers


def _party_row(kind: str, rec: NewCustomer, number: str, now: Any) -> dict[str, Any]:
    c = rec.cleaned
    name = (person_name(c["given_name"], c["family_name"], c.get("preferred_language")) if kind == PERSON
            else c["legal_name"])
    return {"created_at": now, "updated_at": now, "version": 1, "kind": kind, "customer_number": number,
            "status": c.get("status") or "prospect", "display_name": name, "search_name": identifiers.fold(name),
            "preferred_language": c.get("preferred_language", ""), "custom_fields": rec.custom,
            "merged_into_id": None, "erased_at": None, "restricted_at": None}


PERSON_COLUMNS = ("given_name", "family_name", "birth_date", "gender")
COMPANY_DEFAULTS: dict[str, Any] = {
    "legal_name": "", "org_number": "", "org_country": "", "parent_id": None, "industry_code": "", "employees": None,
    "annual_revenue": None, "bank_account": "", "payment_terms_days": None, "credit_limit": None,
    "dunning_status": "none"}


def _child_row(kind: str, rec: NewCustomer, party_id: int) -> dict[str, Any]:
    c = rec.cleaned
    if kind == PERSON:
        return {"party_ptr_id": party_id, **{k: c[k] for k in PERSON_COLUMNS}}
    row = {"party_ptr_id": party_id, **{k: c.get(k, v) for k, v in COMPANY_DEFAULTS.items()}}
    row["org_number_key"] = identifiers.org_number_key(c.get("org_number", ""))
    return row


def _insert_parties(kind: str, records: Sequence[NewCustomer], numbers: list[str], now: Any) -> list[int]:
    parties = [Party(**_party_row(kind, rec, number, now)) for rec, number in zip(records, numbers, strict=True)]
    try:
        with transaction.atomic():
            Party.objects.bulk_create(parties)
    except IntegrityError as exc:  # a number taken by a concurrent writer since it was checked
        raise ValidationFailed.one("customer_number", _("Customer number %(n)s is already used")
                                   % {"n": ", ".join(numbers[:5])}, "duplicate") from exc
    if parties[0].pk is None:  # a backend that does not return ids from bulk inserts
        ids = dict(Party.objects.filter(customer_number__in=numbers).values_list("customer_number", "id"))
        for party in parties:
            party.pk = party.id = ids[party.customer_number]
    party_ids = [p.pk for p in parties]
    # Multi-table inheritance: Django cannot bulk-create the child table, so it is one plain INSERT (or COPY).
    insert_rows(Person if kind == PERSON else Company,
                [_child_row(kind, rec, pid) for rec, pid in zip(records, party_ids, strict=True)])
    return party_ids


def _insert_children(records: Sequence[NewCustomer], party_ids: list[int], now: Any) -> None:
    cps: list[dict[str, Any]] = []
    addrs: list[dict[str, Any]] = []
    for rec, pid in zip(records, party_ids, strict=True):
        rules.mark_primaries(rec.cps, "kind")
        rules.mark_primaries(rec.addrs, "kind")
        cps.extend({**cp, "party_id": pid, "created_at": now, "updated_at": now} for cp in rec.cps)
        addrs.extend({**a, "party_id": pid, "created_at": now, "updated_at": now} for a in rec.addrs)
    insert_rows(ContactPoint, cps)
    insert_rows(Address, addrs)


def _observe(kind: str, records: Sequence[NewCustomer], party_ids: list[int], sources: list[SourceRef],
             now: Any) -> None:
    """Provenance: which source gave each stored value.  Only what the record said: defaults filled in here
    (a status of ``prospect``) and empty values are not a source's statement."""
    rows: list[dict[str, Any]] = []
    for rec, pid, src in zip(records, party_ids, sources, strict=True):
        values: dict[str, Any] = {k: v for k, v in rec.cleaned.items() if k in rec.data and k != "parent_id"}
        values.update({f"custom_fields.{k}": v for k, v in rec.custom.items()})
        values.update({cp["kind"]: cp["value"] for cp in rec.cps})
        if rec.addrs:
            values["address"] = str(Address(**rec.addrs[0]))
        rows.extend({"entity": kind, "record_id": pid, "field": k, "value": str(v), "source": src.name[:120],
                     "source_record_id": src.record_id[:200], "received_at": now, "verified": src.verified}
                    for k, v in values.items() if v not in (None, ""))
    insert_rows(Observation, rows)


def _audit(kind: str, records: Sequence[NewCustomer], party_ids: list[int], sources: list[SourceRef],
           actor: object, channel: str, named_source: bool) -> None:
    """One entry per customer, naming the fields stored and, for imports and events, the source and line."""
    audit.record_many([
        {"action": "create", "actor": actor, "entity": kind, "record_id": pid, "party_id": pid, "channel": channel,
         "fields": [*rec.cleaned, *(f"custom_fields.{k}" for k in rec.custom),
                    *(f"contact_points.{cp['kind']}" for cp in rec.cps), *(["addresses"] if rec.addrs else [])],
         "note": f"{src.name} {src.record_id}".strip() if named_source else ""}
        for rec, pid, src in zip(records, party_ids, sources, strict=True)])


def _create(kind: str, records: Sequence[NewCustomer], actor: object, channel: str, source: SourceRef | None,
            allow_duplicate: bool) -> list[int]:
    if not records:
        return []
    numbers = _prepare(kind, records, allow_duplicate)
    now = timezone.now()
    party_ids = _insert_parties(kind, records, numbers, now)
    _insert_children(records, party_ids, now)
    default = rules.source_for(source, channel, actor)
    sources = [rec.source or default for rec in records]
    _observe(kind, records, party_ids, sources, now)
    _audit(kind, records, party_ids, sources, actor, channel,
           named_source=source is not None or any(rec.source for rec in records))
    rules.saved(party_ids, True)
    return party_ids


@transaction.atomic
def create_persons(records: Sequence[NewCustomer], *, actor: object = None, channel: str = "api",
                   source: SourceRef | None = None, allow_duplicate: bool = True) -> list[int]:
    """Create persons; returns their ids in the order given.  All or nothing: a refused record (invalid,
    suppressed, a likely duplicate when ``allow_duplicate`` is false) refuses the call, with every problem
    named (``[i].field`` when more than one record was given)."""
    return _create(PERSON, records, actor, channel, source, allow_duplicate)


@transaction.atomic
def create_companies(records: Sequence[NewCustomer], *, actor: object = None, channel: str = "api",
                     source: SourceRef | None = None, allow_duplicate: bool = True) -> list[int]:
    """Create companies, as :func:`create_persons` does persons."""
    return _create(COMPANY, records, actor, channel, source, allow_duplicate)


@transaction.atomic
def create_person(*, data: dict[str, Any], contact_points: Sequence[dict[str, Any]] = (),
                  addresses: Sequence[dict[str, Any]] = (), actor: object = None, channel: str = "api",
                  source: SourceRef | None = None, allow_duplicate: bool = True) -> Person:
    """One person (the API, a form): :func:`create_persons` with a list of one."""
    ids = create_persons([NewCustomer(data, contact_points, addresses)], actor=actor, channel=channel, source=source,
                         allow_duplicate=allow_duplicate)
    return Person.objects.get(pk=ids[0])


@transaction.atomic
def create_company(*, data: dict[str, Any], contact_points: Sequence[dict[str, Any]] = (),
                   addresses: Sequence[dict[str, Any]] = (), actor: object = None, channel: str = "api",
                   source: SourceRef | None = None, allow_duplicate: bool = True) -> Company:
    """One company: :func:`create_companies` with a list of one."""
    ids = create_companies([NewCustomer(data, contact_points, addresses)], actor=actor, channel=channel,
                           source=source, allow_duplicate=allow_duplicate)
    return Company.objects.get(pk=ids[0])
