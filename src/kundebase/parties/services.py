"""Writing and finding customers.  Every channel (API, forms, imports, events) comes through here.

Each write validates everything first, reports every problem at once, and then
changes the database in one transaction together with its provenance and its
audit entry, so a refused request leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from kundebase.core import audit, hooks, identifiers, sequences
from kundebase.core.custom_fields import clean_values
from kundebase.core.errors import Conflict, ErrorCollector, NotFound, PreconditionFailed, ValidationFailed
from kundebase.core.provenance import SourceRef, observe
from kundebase.parties import search as finding
from kundebase.parties import validation
from kundebase.parties.lookup import lookup as lookup
from kundebase.parties.models import Address, Company, ContactPoint, ContactRole, Party, Person

MAX_GROUP_DEPTH = 50


def person_name(given_name: str, family_name: str) -> str:
    return " ".join(p for p in (given_name, family_name) if p).strip()


def _source(source: SourceRef | None, channel: str, actor: object) -> SourceRef:
    return source or SourceRef.for_user(channel, actor)


def _bump(party_id: int, expected_version: int | None) -> None:
    """Claim the next version of a party, or fail with 412 if someone else claimed it first.

    The conditional UPDATE is atomic on every backend, so of two concurrent
    writers holding the same ETag exactly one wins.  Every write to a customer
    or its contact points, addresses and roles passes here, so a customer whose
    processing is restricted (GDPR Art. 18) is frozen in one place, and an erased
    customer (Art. 17), a tombstone, stays read-only.
    """
    rows = Party.objects.filter(pk=party_id, restricted_at__isnull=True, erased_at__isnull=True)
    if expected_version is not None:
        rows = rows.filter(version=expected_version)
    if rows.update(version=F("version") + 1, updated_at=timezone.now()) == 0:
        current = Party.objects.filter(pk=party_id).values("restricted_at", "erased_at").first()
        if current is None:
            raise NotFound(_("Customer"), party_id)
        if current["erased_at"] is not None:
            raise erased_conflict(party_id)
        if current["restricted_at"] is not None:
            raise Conflict(_("Processing of this customer is restricted; lift the restriction before changing it"),
                           code="restricted")
        raise PreconditionFailed()


def erased_conflict(party_id: int) -> Conflict:
    """The refusal (409, code ``erased``) of any change to an erased customer's tombstone."""
    return Conflict(_("Customer %(id)s was erased; an erased record cannot be changed or given data back")
                    % {"id": party_id}, code="erased")


def refuse_erased(party_id: int) -> None:
    """For services that write about a customer without changing the customer row itself (interactions, orders,
    consents): nothing new may be attached to an erased customer."""
    if Party.objects.filter(pk=party_id, erased_at__isnull=False).exists():
        raise erased_conflict(party_id)


def _clean_children(
    contact_points: Sequence[dict[str, Any]], addresses: Sequence[dict[str, Any]], errors: ErrorCollector,
    *country_hints: str | None,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Addresses first: their country says how the record's national phone numbers are read."""
    addrs = [validation.clean_address(a, errors, f"addresses[{i}].") for i, a in enumerate(addresses)]
    country = validation.record_country(addrs, *country_hints)
    cps = [validation.clean_contact_point(cp, errors, f"contact_points[{i}].", default_country=country)
           for i, cp in enumerate(contact_points)]
    return cps, addrs


def _mark_primaries(items: list[dict[str, Any]], key: str) -> None:
    """Exactly one primary per kind: the first one flagged, or else the first one given."""
    seen: dict[str, bool] = {}
    for item in items:
        kind = item.get(key, "")
        if item.get("is_primary") and not seen.get(kind):
            seen[kind] = True
        else:
            item["is_primary"] = False
    for item in items:
        kind = item.get(key, "")
        if not seen.get(kind):
            item["is_primary"] = True
            seen[kind] = True


def _customer_number(cleaned: dict[str, Any], errors: ErrorCollector) -> str:
    number = cleaned.pop("customer_number", "") or ""
    if number:
        if Party.objects.filter(customer_number=number).exists():
            errors.add("customer_number", _("Customer number %(n)s is already used") % {"n": number}, "duplicate")
        elif number.isdigit():
            sequences.bump_past("customer_number", int(number))
        return number
    return str(sequences.allocate("customer_number"))


def _check_duplicates(kind: str, cleaned: dict[str, Any], cps: list[dict[str, Any]],
                      addrs: list[dict[str, Any]], exclude_id: int | None = None) -> None:
    from kundebase.matching import entry

    candidates = entry.likely_duplicates(kind=kind, fields=cleaned, contact_points=cps, addresses=addrs,
                                         exclude_id=exclude_id, threshold=entry.WARN_THRESHOLD)
    if candidates:
        best = candidates[0]
        raise Conflict(
            _("This looks like %(name)s, customer %(number)s (%(score)d %%): %(why)s")
            % {"name": best.display_name, "number": best.customer_number, "score": round(best.score * 100),
               "why": ", ".join(best.reasons)},
            code="possible_duplicate",
            candidates=[c.as_dict() for c in candidates],
        )


def _refuse_blocked(kind: str, cleaned: dict[str, Any], cps: list[dict[str, Any]]) -> None:
    for check in hooks.identity_blocked:
        reason = check(kind=kind, records=[(cleaned, cps)])[0]
        if reason:
            raise Conflict(reason, code="suppressed")


def _saved(party_id: int, created: bool) -> None:
    for fn in hooks.party_saved:
        fn(party_ids=[party_id], created=created)


def _create_children(party: Party, cps: list[dict[str, Any]], addrs: list[dict[str, Any]]) -> None:
    _mark_primaries(cps, "kind")
    _mark_primaries(addrs, "kind")
    ContactPoint.objects.bulk_create(ContactPoint(party=party, **cp) for cp in cps)
    Address.objects.bulk_create(Address(party=party, **a) for a in addrs)


@transaction.atomic
def create_person(*, data: dict[str, Any], contact_points: Sequence[dict[str, Any]] = (),
                  addresses: Sequence[dict[str, Any]] = (), actor: object = None, channel: str = "api",
                  source: SourceRef | None = None, allow_duplicate: bool = True) -> Person:
    errors = ErrorCollector()
    cleaned = validation.clean_person(data, errors)
    cps, addrs = _clean_children(contact_points, addresses, errors)
    custom = clean_values("person", data.get("custom_fields"), errors, context=data)
    errors.raise_if_any()
    _refuse_blocked("person", cleaned, cps)
    if not allow_duplicate:
        _check_duplicates("person", cleaned, cps, addrs)
    number = _customer_number(cleaned, errors)
    errors.raise_if_any()
    name = person_name(cleaned["given_name"], cleaned["family_name"])
    try:
        with transaction.atomic():
            person = Person.objects.create(kind=Party.Kind.PERSON, customer_number=number, display_name=name,
                                           search_name=identifiers.fold(name), custom_fields=custom, **cleaned)
    except IntegrityError as exc:
        raise ValidationFailed.one("customer_number", _("Customer number %(n)s is already used") % {"n": number},
                                   "duplicate") from exc
    _create_children(person, cps, addrs)
    src = _source(source, channel, actor)
    observe("person", person.pk, {**cleaned, **{f"custom_fields.{k}": v for k, v in custom.items()}}, src)
    observe("person", person.pk, {f"{cp['kind']}": cp["value"] for cp in cps}, src)
    audit.record(action="create", actor=actor, entity="person", record_id=person.pk, party_id=person.pk,
                 channel=channel, fields=[*cleaned, *(f"custom_fields.{k}" for k in custom),
                                          *(f"contact_points.{cp['kind']}" for cp in cps),
                                          *(["addresses"] if addrs else [])])
    _saved(person.pk, True)
    return person


def _apply(obj: Party, values: dict[str, Any]) -> list[str]:
    changed = []
    for key, value in values.items():
        if getattr(obj, key) != value:
            setattr(obj, key, value)
            changed.append(key)
    return changed


@transaction.atomic
def update_person(*, party_id: int, changes: dict[str, Any], expected_version: int | None = None,
                  actor: object = None, channel: str = "api", source: SourceRef | None = None) -> Person:
    person = get_person(party_id)
    errors = ErrorCollector()
    cleaned = validation.clean_person(changes, errors, partial=True)
    if "custom_fields" in changes:
        cleaned["custom_fields"] = clean_values("person", changes.get("custom_fields"), errors, partial=True,
                                                current=person.custom_fields, context=changes)
    if "customer_number" in cleaned and cleaned["customer_number"] != person.customer_number:
        if Party.objects.filter(customer_number=cleaned["customer_number"]).exclude(pk=party_id).exists():
            errors.add("customer_number", _("Customer number %(n)s is already used")
                       % {"n": cleaned["customer_number"]}, "duplicate")
    cleaned = {k: v for k, v in cleaned.items() if not (k == "customer_number" and not v)}
    errors.raise_if_any()
    _bump(party_id, expected_version)
    person.refresh_from_db()
    changed = _apply(person, cleaned)
    if {"given_name", "family_name"} & set(changed):
        person.display_name = person_name(person.given_name, person.family_name)
        person.search_name = identifiers.fold(person.display_name)
        changed += ["display_name", "search_name"]
    if changed:
        person.save(update_fields=[*changed, "updated_at"])
    observe("person", person.pk, {k: cleaned[k] for k in changed if k in cleaned and k != "custom_fields"},
            _source(source, channel, actor))
    audit.record(action="change", actor=actor, entity="person", record_id=person.pk, party_id=person.pk,
                 channel=channel, fields=changed)
    _saved(person.pk, False)
    return person


def _check_parent(company_id: int | None, parent_id: int | None, errors: ErrorCollector) -> None:
    """A corporate group is a tree: the parent must be a company and must not be the company or below it."""
    if parent_id is None:
        return
    if not Company.objects.filter(pk=parent_id).exists():
        errors.add("parent_id", _("Company %(id)s does not exist") % {"id": parent_id}, "not_found")
        return
    current: int | None = parent_id
    for _depth in range(MAX_GROUP_DEPTH + 1):
        if current is None:
            return
        if company_id is not None and current == company_id:
            errors.add("parent_id", _("This would make the corporate group a cycle"), "cycle")
            return
        current = Company.objects.filter(pk=current).values_list("parent_id", flat=True).first()
    errors.add("parent_id", _("The corporate group is deeper than %(n)d levels") % {"n": MAX_GROUP_DEPTH},
               "too_deep")


@transaction.atomic
def create_company(*, data: dict[str, Any], contact_points: Sequence[dict[str, Any]] = (),
                   addresses: Sequence[dict[str, Any]] = (), actor: object = None, channel: str = "api",
                   source: SourceRef | None = None, allow_duplicate: bool = True) -> Company:
    errors = ErrorCollector()
    cleaned = validation.clean_company(data, errors)
    cps, addrs = _clean_children(contact_points, addresses, errors, cleaned.get("org_country"))
    custom = clean_values("company", data.get("custom_fields"), errors, context=data)
    _check_parent(None, cleaned.get("parent_id"), errors)
    errors.raise_if_any()
    _refuse_blocked("company", cleaned, cps)
    if not allow_duplicate:
        _check_duplicates("company", cleaned, cps, addrs)
    number = _customer_number(cleaned, errors)
    errors.raise_if_any()
    name = cleaned["legal_name"]
    try:
        with transaction.atomic():
            company = Company.objects.create(
                kind=Party.Kind.COMPANY, customer_number=number, display_name=name,
                search_name=identifiers.fold(name), custom_fields=custom,
                org_number_key=identifiers.org_number_key(cleaned.get("org_number", "")), **cleaned)
    except IntegrityError as exc:
        raise ValidationFailed.one("customer_number", _("Customer number %(n)s is already used") % {"n": number},
                                   "duplicate") from exc
    _create_children(company, cps, addrs)
    src = _source(source, channel, actor)
    observe("company", company.pk, cleaned, src)
    audit.record(action="create", actor=actor, entity="company", record_id=company.pk, party_id=company.pk,
                 channel=channel, fields=[*cleaned, *(f"custom_fields.{k}" for k in custom)])
    _saved(company.pk, True)
    return company


@transaction.atomic
def update_company(*, party_id: int, changes: dict[str, Any], expected_version: int | None = None,
                   actor: object = None, channel: str = "api", source: SourceRef | None = None) -> Company:
    company = get_company(party_id)
    errors = ErrorCollector()
    cleaned = validation.clean_company({**changes, "_current_org_country": company.org_country}, errors,
                                       partial=True)
    if "custom_fields" in changes:
        cleaned["custom_fields"] = clean_values("company", changes.get("custom_fields"), errors, partial=True,
                                                current=company.custom_fields, context=changes)
    if "parent_id" in cleaned:
        _check_parent(company.pk, cleaned["parent_id"], errors)
    if cleaned.get("customer_number") and Party.objects.filter(
            customer_number=cleaned["customer_number"]).exclude(pk=party_id).exists():
        errors.add("customer_number", _("Customer number %(n)s is already used")
                   % {"n": cleaned["customer_number"]}, "duplicate")
    cleaned = {k: v for k, v in cleaned.items() if not (k == "customer_number" and not v)}
    if "org_country" in cleaned and "org_number" not in cleaned and company.org_number and cleaned["org_country"]:
        try:
            identifiers.org_number(company.org_number, cleaned["org_country"])
        except ValueError as exc:
            errors.add("org_number", str(exc), "invalid_org_number")
    errors.raise_if_any()
    _bump(party_id, expected_version)
    company.refresh_from_db()
    changed = _apply(company, cleaned)
    if "legal_name" in changed:
        company.display_name = company.legal_name
        company.search_name = identifiers.fold(company.legal_name)
        changed += ["display_name", "search_name"]
    if "org_number" in changed:
        company.org_number_key = identifiers.org_number_key(company.org_number)
        changed.append("org_number_key")
    if changed:
        company.save(update_fields=[*changed, "updated_at"])
    observe("company", company.pk, {k: cleaned[k] for k in changed if k in cleaned and k != "custom_fields"},
            _source(source, channel, actor))
    audit.record(action="change", actor=actor, entity="company", record_id=company.pk, party_id=company.pk,
                 channel=channel, fields=changed)
    _saved(company.pk, False)
    return company


@transaction.atomic
def delete_party(*, party_id: int, expected_version: int | None = None, actor: object = None,
                 channel: str = "api") -> None:
    """Delete a customer who has no orders; with orders, bookkeeping law needs erasure (anonymisation)."""
    party = get_party(party_id)
    if party.orders.exists():
        raise Conflict(_("Customer %(n)s has orders, which bookkeeping law requires us to keep; "
                         "use erasure, which anonymises them") % {"n": party.customer_number}, code="has_orders")
    _bump(party_id, expected_version)
    Company.objects.filter(parent_id=party_id).update(parent=None)
    kind = party.kind
    party.delete()
    audit.record(action="delete", actor=actor, entity=kind, record_id=party_id, party_id=party_id, channel=channel)


# --- contact points, addresses and roles -------------------------------------------------------------------


@transaction.atomic
def add_contact_point(*, party_id: int, data: dict[str, Any], expected_version: int | None = None,
                      actor: object = None, channel: str = "api", source: SourceRef | None = None) -> ContactPoint:
    errors = ErrorCollector()
    cleaned = validation.clean_contact_point(data, errors, default_country=validation.stored_country(party_id))
    errors.raise_if_any()
    _bump(party_id, expected_version)
    _refuse_blocked(get_party(party_id).kind, {}, [cleaned])
    siblings = ContactPoint.objects.filter(party_id=party_id, kind=cleaned["kind"])
    if cleaned["is_primary"]:
        siblings.update(is_primary=False)
    elif not siblings.exists():
        cleaned["is_primary"] = True
    cp = ContactPoint.objects.create(party_id=party_id, **cleaned)
    observe(get_party(party_id).kind, party_id, {cleaned["kind"]: cleaned["value"]}, _source(source, channel, actor))
    audit.record(action="change", actor=actor, entity="contact_point", record_id=cp.pk, party_id=party_id,
                 channel=channel, fields=[f"contact_points.{cleaned['kind']}"])
    return cp


@transaction.atomic
def update_contact_point(*, party_id: int, contact_point_id: int, data: dict[str, Any],
                         expected_version: int | None = None, actor: object = None,
                         channel: str = "api") -> ContactPoint:
    cp = ContactPoint.objects.filter(party_id=party_id, pk=contact_point_id).first()
    if cp is None:
        raise NotFound(_("Contact point"), contact_point_id)
    merged = {"kind": cp.kind, "value": cp.value, "label": cp.label, "is_primary": cp.is_primary,
              "is_verified": cp.is_verified, **data}
    errors = ErrorCollector()
    cleaned = validation.clean_contact_point(merged, errors, default_country=validation.stored_country(party_id))
    errors.raise_if_any()
    _bump(party_id, expected_version)
    if (cleaned["kind"], cleaned["normalised"]) != (cp.kind, cp.normalised):
        _refuse_blocked(get_party(party_id).kind, {}, [cleaned])
    if cleaned["is_primary"] and not cp.is_primary:
        ContactPoint.objects.filter(party_id=party_id, kind=cleaned["kind"]).update(is_primary=False)
    changed = _apply(cp, cleaned)  # type: ignore[arg-type]
    if changed:
        cp.save(update_fields=[*changed, "updated_at"])
    audit.record(action="change", actor=actor, entity="contact_point", record_id=cp.pk, party_id=party_id,
                 channel=channel, fields=[f"contact_points.{f}" for f in changed])
    return cp


@transaction.atomic
def remove_contact_point(*, party_id: int, contact_point_id: int, expected_version: int | None = None,
                         actor: object = None, channel: str = "api") -> None:
    cp = ContactPoint.objects.filter(party_id=party_id, pk=contact_point_id).first()
    if cp is None:
        raise NotFound(_("Contact point"), contact_point_id)
    _bump(party_id, expected_version)
    cp.delete()
    if cp.is_primary:
        heir = ContactPoint.objects.filter(party_id=party_id, kind=cp.kind).order_by("id").first()
        if heir:
            ContactPoint.objects.filter(pk=heir.pk).update(is_primary=True)
    audit.record(action="change", actor=actor, entity="contact_point", record_id=contact_point_id,
                 party_id=party_id, channel=channel, fields=[f"contact_points.{cp.kind}"], note="removed")


@transaction.atomic
def add_address(*, party_id: int, data: dict[str, Any], expected_version: int | None = None,
                actor: object = None, channel: str = "api", source: SourceRef | None = None) -> Address:
    errors = ErrorCollector()
    cleaned = validation.clean_address(data, errors)
    errors.raise_if_any()
    _bump(party_id, expected_version)
    siblings = Address.objects.filter(party_id=party_id, kind=cleaned["kind"])
    if cleaned["is_primary"]:
        siblings.update(is_primary=False)
    elif not siblings.exists():
        cleaned["is_primary"] = True
    address = Address.objects.create(party_id=party_id, **cleaned)
    observe(get_party(party_id).kind, party_id, {"address": str(address)}, _source(source, channel, actor))
    audit.record(action="change", actor=actor, entity="address", record_id=address.pk, party_id=party_id,
                 channel=channel, fields=["addresses"])
    return address


@transaction.atomic
def update_address(*, party_id: int, address_id: int, data: dict[str, Any], expected_version: int | None = None,
                   actor: object = None, channel: str = "api") -> Address:
    address = Address.objects.filter(party_id=party_id, pk=address_id).first()
    if address is None:
        raise NotFound(_("Address"), address_id)
    merged = {f: getattr(address, f) for f in validation.EDITABLE_ADDRESS_FIELDS} | data
    errors = ErrorCollector()
    cleaned = validation.clean_address(merged, errors)
    errors.raise_if_any()
    _bump(party_id, expected_version)
    if cleaned["is_primary"] and not address.is_primary:
        Address.objects.filter(party_id=party_id, kind=cleaned["kind"]).update(is_primary=False)
    changed = _apply(address, cleaned)  # type: ignore[arg-type]
    if changed:
        address.save(update_fields=[*changed, "updated_at"])
    audit.record(action="change", actor=actor, entity="address", record_id=address.pk, party_id=party_id,
                 channel=channel, fields=[f"addresses.{f}" for f in changed])
    return address


@transaction.atomic
def remove_address(*, party_id: int, address_id: int, expected_version: int | None = None,
                   actor: object = None, channel: str = "api") -> None:
    address = Address.objects.filter(party_id=party_id, pk=address_id).first()
    if address is None:
        raise NotFound(_("Address"), address_id)
    _bump(party_id, expected_version)
    address.delete()
    audit.record(action="change", actor=actor, entity="address", record_id=address_id, party_id=party_id,
                 channel=channel, fields=["addresses"], note="removed")


@transaction.atomic
def add_role(*, person_id: int, company_id: int, data: dict[str, Any], actor: object = None,
             channel: str = "api") -> ContactRole:
    errors = ErrorCollector()
    if not Person.objects.filter(pk=person_id).exists():
        errors.add("person_id", _("Person %(id)s does not exist") % {"id": person_id}, "not_found")
    if not Company.objects.filter(pk=company_id).exists():
        errors.add("company_id", _("Company %(id)s does not exist") % {"id": company_id}, "not_found")
    cleaned = validation.clean_role(data, errors)
    errors.raise_if_any()
    role = ContactRole.objects.create(person_id=person_id, company_id=company_id, **cleaned)
    _bump(person_id, None)
    _bump(company_id, None)
    audit.record(action="change", actor=actor, entity="contact_role", record_id=role.pk, party_id=person_id,
                 channel=channel, fields=["roles"])
    return role


@transaction.atomic
def update_role(*, role_id: int, data: dict[str, Any], actor: object = None, channel: str = "api") -> ContactRole:
    role = ContactRole.objects.filter(pk=role_id).first()
    if role is None:
        raise NotFound(_("Contact role"), role_id)
    merged = {f: getattr(role, f) for f in ("position", "department", "start_date", "end_date",
                                              "is_primary_contact")} | data
    errors = ErrorCollector()
    cleaned = validation.clean_role(merged, errors)
    errors.raise_if_any()
    changed = _apply(role, cleaned)  # type: ignore[arg-type]
    if changed:
        role.save(update_fields=[*changed, "updated_at"])
        _bump(role.person_id, None)
        _bump(role.company_id, None)
    audit.record(action="change", actor=actor, entity="contact_role", record_id=role.pk, party_id=role.person_id,
                 channel=channel, fields=[f"roles.{f}" for f in changed])
    return role


@transaction.atomic
def remove_role(*, role_id: int, actor: object = None, channel: str = "api") -> None:
    role = ContactRole.objects.filter(pk=role_id).first()
    if role is None:
        raise NotFound(_("Contact role"), role_id)
    role.delete()
    _bump(role.person_id, None)
    _bump(role.company_id, None)
    audit.record(action="change", actor=actor, entity="contact_role", record_id=role_id, party_id=role.person_id,
                 channel=channel, fields=["roles"], note="removed")


# --- reading -----------------------------------------------------------------------------------------------


def get_party(party_id: int) -> Party:
    party = Party.objects.filter(pk=party_id).first()
    if party is None:
        raise NotFound(_("Customer"), party_id)
    return party


def get_person(party_id: int) -> Person:
    person = Person.objects.filter(pk=party_id).first()
    if person is None:
        raise NotFound(_("Person"), party_id)
    return person


def get_company(party_id: int) -> Company:
    company = Company.objects.filter(pk=party_id).first()
    if company is None:
        raise NotFound(_("Company"), party_id)
    return company


def group_tree(company: Company) -> dict[str, Any]:
    """The whole corporate group of a company: walk up to the top, then down, level by level."""
    top = company
    for _depth in range(MAX_GROUP_DEPTH):
        if top.parent_id is None:
            break
        top = Company.objects.only("id", "display_name", "parent_id", "customer_number").get(pk=top.parent_id)
    nodes: dict[int, dict[str, Any]] = {
        top.pk: {"id": top.pk, "name": top.display_name, "customer_number": top.customer_number, "children": []}
    }
    level = [top.pk]
    for _depth in range(MAX_GROUP_DEPTH):
        if not level:
            break
        children = list(Company.objects.filter(parent_id__in=level)
                        .values("id", "display_name", "customer_number", "parent_id").order_by("display_name"))
        level = []
        for child in children:
            node = {"id": child["id"], "name": child["display_name"], "customer_number": child["customer_number"],
                    "children": []}
            nodes[child["id"]] = node
            nodes[child["parent_id"]]["children"].append(node)
            level.append(child["id"])
    return nodes[top.pk]


def search(query: str, *, kind: str | None = None, limit: int = 20, offset: int = 0) -> list[Party]:
    """One page of customers found by identifier, name or a name with a typo (see ``parties.search``)."""
    return finding.search(query, kind=kind, offset=offset, limit=limit).items
