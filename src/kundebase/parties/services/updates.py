"""Changing and deleting customers: a few fields (the API, an import's survivorship), or the whole card at once.

Every change claims the customer's next version exactly once, however many rows it touches: the API's
``PATCH``, an import's update and the web form's save of fields, primary contact points and primary address
are each one version, one audit entry and one ``party_saved`` notification.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kundebase.core import audit, identifiers
from kundebase.core.custom_fields import clean_values
from kundebase.core.errors import Conflict, ErrorCollector
from kundebase.core.provenance import SourceRef, observe
from kundebase.parties import validation
from kundebase.parties.models import Address, Company, ContactPoint, Party, Person
from kundebase.parties.names import person_name
from kundebase.parties.services import children, rules
from kundebase.parties.services.reading import get_company, get_party, get_person


@dataclass
class Card:
    """What a customer's edit form shows besides the fields: the primary contact point of each kind (an
    empty value removes it) and the primary address (``None`` removes it)."""

    contacts: Sequence[tuple[str, str]] = ()
    address: dict[str, Any] | None = None
    cleaned_contacts: list[dict[str, Any]] = field(default_factory=list, repr=False)
    cleaned_address: dict[str, Any] | None = field(default=None, repr=False)


@dataclass
class Additions:
    """Contact points and addresses a change adds beside the customer's own (what an import's row brings that
    the customer lacks): each stored as given, the primary only when it is the first of its kind."""

    contact_points: Sequence[dict[str, Any]] = ()
    addresses: Sequence[dict[str, Any]] = ()
    cleaned_contacts: list[dict[str, Any]] = field(default_factory=list, repr=False)
    cleaned_addresses: list[dict[str, Any]] = field(default_factory=list, repr=False)


def _clean_additions(party: Party, additions: Additions, errors: ErrorCollector) -> None:
    """The customer's stored addresses say how the added national phone numbers are read, as for
    :func:`~kundebase.parties.services.children.add_contact_point`."""
    if additions.contact_points:
        country = validation.stored_country(party.pk)
        additions.cleaned_contacts = [
            validation.clean_contact_point(dict(cp), errors, prefix=f"contact_points[{i}].", default_country=country)
            for i, cp in enumerate(additions.contact_points)]
    additions.cleaned_addresses = [validation.clean_address(dict(address), errors, prefix=f"addresses[{i}].")
                                   for i, address in enumerate(additions.addresses)]


def _write_additions(party: Party, additions: Additions, source: SourceRef) -> list[str]:
    """Store the added contact points and addresses, each observed from ``source``; the fields changed."""
    fields: list[str] = []
    if additions.cleaned_contacts:
        rules.refuse_blocked(party.kind, [({}, additions.cleaned_contacts)])
    for cleaned in additions.cleaned_contacts:
        children.store_contact_point(party.pk, cleaned)
        observe(party.kind, party.pk, {cleaned["kind"]: cleaned["value"]}, source)
        fields.append(f"contact_points.{cleaned['kind']}")
    for cleaned in additions.cleaned_addresses:
        stored = children.store_address(party.pk, cleaned)
        observe(party.kind, party.pk, {"address": str(stored)}, source)
        fields.append("addresses")
    return fields


def _number_taken(cleaned: dict[str, Any], party_id: int, errors: ErrorCollector) -> None:
    number = cleaned.get("customer_number")
    if number and Party.objects.filter(customer_number=number).exclude(pk=party_id).exists():
        errors.add("customer_number", _("Customer number %(n)s is already used") % {"n": number}, "duplicate")


def _clean_person(person: Person, changes: dict[str, Any], errors: ErrorCollector) -> dict[str, Any]:
    cleaned = validation.clean_person(changes, errors, partial=True)
    if "custom_fields" in changes:
        cleaned["custom_fields"] = clean_values("person", changes.get("custom_fields"), errors, partial=True,
                                                current=person.custom_fields, context=changes)
    if "customer_number" in cleaned and cleaned["customer_number"] != person.customer_number:
        _number_taken(cleaned, person.pk, errors)
    return cleaned


def _clean_company(company: Company, changes: dict[str, Any], errors: ErrorCollector) -> dict[str, Any]:
    cleaned = validation.clean_company({**changes, "_current_org_country": company.org_country}, errors,
                                       partial=True)
    if "custom_fields" in changes:
        cleaned["custom_fields"] = clean_values("company", changes.get("custom_fields"), errors, partial=True,
                                                current=company.custom_fields, context=changes)
    if "parent_id" in cleaned:
        rules.check_parent(company.pk, cleaned["parent_id"], errors)
    _number_taken(cleaned, company.pk, errors)
    if "org_country" in cleaned and "org_number" not in cleaned and company.org_number and cleaned["org_country"]:
        try:
            identifiers.org_number(company.org_number, cleaned["org_country"])
        except ValueError as exc:
            errors.add("org_number", str(exc), "invalid_org_number")
    return cleaned


def _clean_card(party: Party, cleaned: dict[str, Any], card: Card, errors: ErrorCollector) -> None:
    """The card's address says how its national phone numbers are read (it is stored before them)."""
    if card.address is not None:
        card.cleaned_address = validation.clean_address(card.address, errors, prefix="address.")
        country = validation.record_country([card.address])
    else:
        country = validation.record_country((), cleaned.get("org_country"), validation.stored_country(party.pk))
    card.cleaned_contacts = [
        validation.clean_contact_point({"kind": kind, "value": value}, errors, prefix=f"contact_points[{i}].",
                                       default_country=country) if value else {"kind": kind}
        for i, (kind, value) in enumerate(card.contacts)]


def _write_fields(party: Person | Company, cleaned: dict[str, Any]) -> list[str]:
    party.refresh_from_db()
    changed = rules.apply(party, cleaned)
    if isinstance(party, Person) and {"given_name", "family_name", "preferred_language"} & set(changed):
        party.display_name = person_name(party.given_name, party.family_name, party.preferred_language)
        party.search_name = identifiers.fold(party.display_name)
        changed += ["display_name", "search_name"]
    if isinstance(party, Company):
        if "legal_name" in changed:
            party.display_name = party.legal_name
            party.search_name = identifiers.fold(party.legal_name)
            changed += ["display_name", "search_name"]
        if "org_number" in changed:
            party.org_number_key = identifiers.org_number_key(party.org_number)
            changed.append("org_number_key")
    if changed:
        party.save(update_fields=[*changed, "updated_at"])
    return changed


def _primary(model: type[ContactPoint] | type[Address], party_id: int, **filters: Any) -> Any:
    return model.objects.filter(party_id=party_id, **filters).order_by("-is_primary", "id").first()


def _write_card(party: Party, card: Card) -> tuple[list[str], dict[str, Any]]:
    """Bring the primary address and contact points to what the card shows; (fields changed, new values)."""
    fields: list[str] = []
    seen: dict[str, Any] = {}
    current_address = _primary(Address, party.pk)
    if card.cleaned_address is None and current_address:
        current_address.delete()
        fields.append("addresses")
    elif card.cleaned_address is not None and current_address:
        given = {k: v for k, v in card.cleaned_address.items() if k in (card.address or {})}
        given = {f: getattr(current_address, f) for f in validation.EDITABLE_ADDRESS_FIELDS} | {
            k: v for k, v in given.items() if k not in ("kind", "is_primary")}
        if children.change_address(party.pk, current_address, given):
            fields.append("addresses")
            seen["address"] = str(current_address)
    elif card.cleaned_address is not None:
        stored = children.store_address(party.pk, {**card.cleaned_address, "is_primary": True})
        fields.append("addresses")
        seen["address"] = str(stored)
    for cleaned in card.cleaned_contacts:
        kind = cleaned["kind"]
        current = _primary(ContactPoint, party.pk, kind=kind)
        if current and "value" not in cleaned:
            children.drop_contact_point(party.pk, current)
        elif current and "value" in cleaned:
            values = {"kind": kind, "value": cleaned["value"], "normalised": cleaned["normalised"],
                      "label": current.label, "is_primary": current.is_primary, "is_verified": current.is_verified}
            if not children.change_contact_point(party.pk, current, values):
                continue
            seen[kind] = cleaned["value"]
        elif "value" in cleaned:
            rules.refuse_blocked(party.kind, [({}, [cleaned])])
            children.store_contact_point(party.pk, {**cleaned, "is_primary": True})
            seen[kind] = cleaned["value"]
        else:
            continue
        fields.append(f"contact_points.{kind}")
    return fields, seen


def _update(kind: str, party_id: int, changes: dict[str, Any], *, expected_version: int | None, actor: object,
            channel: str, source: SourceRef | None, card: Card | None = None, notify: bool = True,
            additions: Additions | None = None) -> Any:
    party: Person | Company = get_person(party_id) if kind == Party.Kind.PERSON else get_company(party_id)
    errors = ErrorCollector()
    cleaned = (_clean_person(party, changes, errors) if isinstance(party, Person)
               else _clean_company(party, changes, errors))
    cleaned = {k: v for k, v in cleaned.items() if not (k == "customer_number" and not v)}
    if card is not None:
        _clean_card(party, cleaned, card, errors)
    if additions is not None:
        _clean_additions(party, additions, errors)
    errors.raise_if_any()
    rules.bump(party_id, expected_version)
    changed = _write_fields(party, cleaned)
    observed = {k: cleaned[k] for k in changed if k in cleaned and k != "custom_fields"}
    if card is not None:
        card_fields, card_values = _write_card(party, card)
        changed += card_fields
        observed.update(card_values)
    observe(kind, party.pk, observed, rules.source_for(source, channel, actor))
    if additions is not None:
        changed += _write_additions(party, additions, rules.source_for(source, channel, actor))
    audit.record(action="change", actor=actor, entity=kind, record_id=party.pk, party_id=party.pk,
                 channel=channel, fields=changed)
    if notify:
        rules.saved([party.pk], False)
    return party


@transaction.atomic
def update_person(*, party_id: int, changes: dict[str, Any], expected_version: int | None = None,
                  actor: object = None, channel: str = "api", source: SourceRef | None = None,
                  card: Card | None = None, additions: Additions | None = None) -> Person:
    """Change a person's fields (and, with ``card``, their primary contact points and address; with
    ``additions``, add contact points and addresses) as one version."""
    person: Person = _update(Party.Kind.PERSON, party_id, changes, expected_version=expected_version, actor=actor,
                             channel=channel, source=source, card=card, additions=additions)
    return person


@transaction.atomic
def update_company(*, party_id: int, changes: dict[str, Any], expected_version: int | None = None,
                   actor: object = None, channel: str = "api", source: SourceRef | None = None,
                   card: Card | None = None, additions: Additions | None = None) -> Company:
    """Change a company's fields (and, with ``card``, its primary contact points and address; with
    ``additions``, add contact points and addresses) as one version."""
    company: Company = _update(Party.Kind.COMPANY, party_id, changes, expected_version=expected_version,
                               actor=actor, channel=channel, source=source, card=card, additions=additions)
    return company


@transaction.atomic
def update_persons(changes: Sequence[tuple[int, dict[str, Any]]], *, actor: object = None, channel: str = "api",
                   source: SourceRef | None = None) -> list[int]:
    """Change many persons (``(party_id, changes)`` each) in one transaction: one version and one audit entry
    each, one ``party_saved`` notification for all.  All or nothing."""
    ids = [_update(Party.Kind.PERSON, pid, values, expected_version=None, actor=actor, channel=channel,
                   source=source, notify=False).pk for pid, values in changes]
    rules.saved(ids, False)
    return ids


@transaction.atomic
def delete_party(*, party_id: int, expected_version: int | None = None, actor: object = None,
                 channel: str = "api") -> None:
    """Delete a customer who has no orders; with orders, bookkeeping law needs erasure (anonymisation)."""
    party = get_party(party_id)
    if party.orders.exists():
        raise Conflict(_("Customer %(n)s has orders, which bookkeeping law requires us to keep; "
                         "use erasure, which anonymises them") % {"n": party.customer_number}, code="has_orders")
    rules.bump(party_id, expected_version)
    Company.objects.filter(parent_id=party_id).update(parent=None)
    kind = party.kind
    party.delete()
    audit.record(action="delete", actor=actor, entity=kind, record_id=party_id, party_id=party_id, channel=channel)
