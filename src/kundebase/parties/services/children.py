"""A customer's contact points, addresses and roles at companies: adding, changing and removing them.

Each public service validates, claims the customer's next version (refusing a stale ETag, a restricted or an
erased customer), writes, observes, audits and tells ``party_saved``: a new phone, e-mail or address is a new
blocking key of the customer, and a changed one must no longer find the customer under its old key.  The row
steps themselves (``store_*``, ``change_*``, ``drop_*``) are shared with the edit of a whole customer card,
which claims the version once for all of them.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kundebase.core import audit
from kundebase.core.errors import ErrorCollector, NotFound
from kundebase.core.provenance import SourceRef, observe
from kundebase.parties import validation
from kundebase.parties.models import Address, Company, ContactPoint, ContactRole, Person
from kundebase.parties.services import rules
from kundebase.parties.services.reading import get_party


def store_contact_point(party_id: int, cleaned: dict[str, Any]) -> ContactPoint:
    """Add a cleaned contact point; the first of its kind, or one flagged primary, becomes the primary."""
    siblings = ContactPoint.objects.filter(party_id=party_id, kind=cleaned["kind"])
    if cleaned["is_primary"]:
        siblings.update(is_primary=False)
    elif not siblings.exists():
        cleaned["is_primary"] = True
    return ContactPoint.objects.create(party_id=party_id, **cleaned)


def change_contact_point(party_id: int, cp: ContactPoint, cleaned: dict[str, Any]) -> list[str]:
    """Apply cleaned values to a contact point (screened when its identity changes); the fields changed."""
    if (cleaned["kind"], cleaned["normalised"]) != (cp.kind, cp.normalised):
        rules.refuse_blocked(get_party(party_id).kind, [({}, [cleaned])])
    if cleaned["is_primary"] and not cp.is_primary:
        ContactPoint.objects.filter(party_id=party_id, kind=cleaned["kind"]).update(is_primary=False)
    changed = rules.apply(cp, cleaned)  # type: ignore[arg-type]
    if changed:
        cp.save(update_fields=[*changed, "updated_at"])
    return changed


def drop_contact_point(party_id: int, cp: ContactPoint) -> None:
    """Remove a contact point; the oldest remaining one of its kind inherits the primary flag."""
    cp.delete()
    if cp.is_primary:
        heir = ContactPoint.objects.filter(party_id=party_id, kind=cp.kind).order_by("id").first()
        if heir:
            ContactPoint.objects.filter(pk=heir.pk).update(is_primary=True)


def store_address(party_id: int, cleaned: dict[str, Any]) -> Address:
    siblings = Address.objects.filter(party_id=party_id, kind=cleaned["kind"])
    if cleaned["is_primary"]:
        siblings.update(is_primary=False)
    elif not siblings.exists():
        cleaned["is_primary"] = True
    return Address.objects.create(party_id=party_id, **cleaned)


def change_address(party_id: int, address: Address, cleaned: dict[str, Any]) -> list[str]:
    if cleaned["is_primary"] and not address.is_primary:
        Address.objects.filter(party_id=party_id, kind=cleaned["kind"]).update(is_primary=False)
    changed = rules.apply(address, cleaned)  # type: ignore[arg-type]
    if changed:
        address.save(update_fields=[*changed, "updated_at"])
    return changed


def contact_point_of(party_id: int, contact_point_id: int) -> ContactPoint:
    cp = ContactPoint.objects.filter(party_id=party_id, pk=contact_point_id).first()
    if cp is None:
        raise NotFound(_("Contact point"), contact_point_id)
    return cp


def address_of(party_id: int, address_id: int) -> Address:
    address = Address.objects.filter(party_id=party_id, pk=address_id).first()
    if address is None:
        raise NotFound(_("Address"), address_id)
    return address


@transaction.atomic
def add_contact_point(*, party_id: int, data: dict[str, Any], expected_version: int | None = None,
                      actor: object = None, channel: str = "api", source: SourceRef | None = None) -> ContactPoint:
    errors = ErrorCollector()
    cleaned = validation.clean_contact_point(data, errors, default_country=validation.stored_country(party_id))
    errors.raise_if_any()
    rules.bump(party_id, expected_version)
    kind = get_party(party_id).kind
    rules.refuse_blocked(kind, [({}, [cleaned])])
    cp = store_contact_point(party_id, cleaned)
    observe(kind, party_id, {cleaned["kind"]: cleaned["value"]}, rules.source_for(source, channel, actor))
    audit.record(action="change", actor=actor, entity="contact_point", record_id=cp.pk, party_id=party_id,
                 channel=channel, fields=[f"contact_points.{cleaned['kind']}"])
    rules.saved([party_id], False)
    return cp


@transaction.atomic
def update_contact_point(*, party_id: int, contact_point_id: int, data: dict[str, Any],
                         expected_version: int | None = None, actor: object = None,
                         channel: str = "api") -> ContactPoint:
    cp = contact_point_of(party_id, contact_point_id)
    merged = {"kind": cp.kind, "value": cp.value, "label": cp.label, "is_primary": cp.is_primary,
              "is_verified": cp.is_verified, **data}
    errors = ErrorCollector()
    cleaned = validation.clean_contact_point(merged, errors, default_country=validation.stored_country(party_id))
    errors.raise_if_any()
    rules.bump(party_id, expected_version)
    changed = change_contact_point(party_id, cp, cleaned)
    audit.record(action="change", actor=actor, entity="contact_point", record_id=cp.pk, party_id=party_id,
                 channel=channel, fields=[f"contact_points.{f}" for f in changed])
    rules.saved([party_id], False)
    return cp


@transaction.atomic
def remove_contact_point(*, party_id: int, contact_point_id: int, expected_version: int | None = None,
                         actor: object = None, channel: str = "api") -> None:
    cp = contact_point_of(party_id, contact_point_id)
    rules.bump(party_id, expected_version)
    drop_contact_point(party_id, cp)
    audit.record(action="change", actor=actor, entity="contact_point", record_id=contact_point_id,
                 party_id=party_id, channel=channel, fields=[f"contact_points.{cp.kind}"], note="removed")
    rules.saved([party_id], False)


@transaction.atomic
def add_address(*, party_id: int, data: dict[str, Any], expected_version: int | None = None,
                actor: object = None, channel: str = "api", source: SourceRef | None = None) -> Address:
    errors = ErrorCollector()
    cleaned = validation.clean_address(data, errors)
    errors.raise_if_any()
    rules.bump(party_id, expected_version)
    address = store_address(party_id, cleaned)
    observe(get_party(party_id).kind, party_id, {"address": str(address)}, rules.source_for(source, channel, actor))
    audit.record(action="change", actor=actor, entity="address", record_id=address.pk, party_id=party_id,
                 channel=channel, fields=["addresses"])
    rules.saved([party_id], False)
    return address


@transaction.atomic
def update_address(*, party_id: int, address_id: int, data: dict[str, Any], expected_version: int | None = None,
                   actor: object = None, channel: str = "api") -> Address:
    address = address_of(party_id, address_id)
    merged = {f: getattr(address, f) for f in validation.EDITABLE_ADDRESS_FIELDS} | data
    errors = ErrorCollector()
    cleaned = validation.clean_address(merged, errors)
    errors.raise_if_any()
    rules.bump(party_id, expected_version)
    changed = change_address(party_id, address, cleaned)
    audit.record(action="change", actor=actor, entity="address", record_id=address.pk, party_id=party_id,
                 channel=channel, fields=[f"addresses.{f}" for f in changed])
    rules.saved([party_id], False)
    return address


@transaction.atomic
def remove_address(*, party_id: int, address_id: int, expected_version: int | None = None,
                   actor: object = None, channel: str = "api") -> None:
    address = address_of(party_id, address_id)
    rules.bump(party_id, expected_version)
    address.delete()
    audit.record(action="change", actor=actor, entity="address", record_id=address_id, party_id=party_id,
                 channel=channel, fields=["addresses"], note="removed")
    rules.saved([party_id], False)


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
    rules.bump(person_id, None)
    rules.bump(company_id, None)
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
    changed = rules.apply(role, cleaned)  # type: ignore[arg-type]
    if changed:
        role.save(update_fields=[*changed, "updated_at"])
        rules.bump(role.person_id, None)
        rules.bump(role.company_id, None)
    audit.record(action="change", actor=actor, entity="contact_role", record_id=role.pk, party_id=role.person_id,
                 channel=channel, fields=[f"roles.{f}" for f in changed])
    return role


@transaction.atomic
def remove_role(*, role_id: int, actor: object = None, channel: str = "api") -> None:
    role = ContactRole.objects.filter(pk=role_id).first()
    if role is None:
        raise NotFound(_("Contact role"), role_id)
    role.delete()
    rules.bump(role.person_id, None)
    rules.bump(role.company_id, None)
    audit.record(action="change", actor=actor, entity="contact_role", record_id=role_id, party_id=role.person_id,
                 channel=channel, fields=["roles"], note="removed")

