"""The steps other apps take in a customer's life, written here so the customer rows have one writer.

Merging (matching), erasure and restriction (privacy) and a first order (orders) each change customer rows
as part of their own transaction; they decide, and call these functions to write.  The callers keep their
audit entries, which name their own action (``merge``, ``erase``, ``restrict``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import F
from django.utils import timezone

from kundebase.core import identifiers
from kundebase.parties.models import Address, Company, ContactPoint, ContactRole, Party, PartyStatus, Person
from kundebase.parties.names import person_name


def activate(party_id: int) -> None:
    """A prospect who orders becomes an active customer (the version stays: the customer did not edit)."""
    activate_many([party_id])


def activate_many(party_ids: Iterable[int]) -> None:
    """:func:`activate` for the buyers of a whole batch of orders, in one statement."""
    Party.objects.filter(pk__in=list(party_ids), status=PartyStatus.PROSPECT).update(status=PartyStatus.ACTIVE)


# --- merge -------------------------------------------------------------------------------------------------


def repoint(model: Any, attname: str, from_id: int, to_id: int, pks: Iterable[Any] | None = None) -> int:
    """Rows of any app that point at one customer now point at another: a merge moves the merged customer's
    contact points, addresses, orders, timeline … to the survivor; an unmerge takes back the ones that were the
    restored customer's (``pks``).  Returns how many rows moved."""
    rows = model._default_manager.filter(**{attname: from_id})
    if pks is not None:
        rows = rows.filter(pk__in=list(pks))
    return int(rows.update(**{attname: to_id}))


def restore(objects: Iterable[Any]) -> None:
    """Rows written back exactly as a merge's snapshot holds them (deserialised objects): an unmerge."""
    for obj in objects:
        obj.save()


def demote_primaries(contact_point_ids: Iterable[int], address_ids: Iterable[int]) -> None:
    """Rows moved to a surviving customer are not primary: the survivor's own stay the primary ones."""
    ContactPoint.objects.filter(pk__in=list(contact_point_ids), is_primary=True).update(is_primary=False)
    Address.objects.filter(pk__in=list(address_ids), is_primary=True).update(is_primary=False)


def apply_values(party_id: int, values: dict[str, Any]) -> None:
    """Store the values survivorship chose for a customer, with the name shown and searched derived anew."""
    if not values:
        return
    kind = Party.objects.values_list("kind", flat=True).get(pk=party_id)
    party: Person | Company = (Person if kind == Party.Kind.PERSON else Company).objects.get(pk=party_id)
    for key, value in values.items():
        setattr(party, key, value)
    if isinstance(party, Person):
        party.display_name = person_name(party.given_name, party.family_name, party.preferred_language)
    else:
        party.display_name = party.legal_name
    party.search_name = identifiers.fold(party.display_name)
    party.save()


def mark_merged(*, survivor_id: int, merged_id: int) -> None:
    """Both customers get a new version; the merged one points at its survivor."""
    now = timezone.now()
    Party.objects.filter(pk=survivor_id).update(version=F("version") + 1, updated_at=now)
    Party.objects.filter(pk=merged_id).update(merged_into_id=survivor_id, version=F("version") + 1, updated_at=now)


def advance_versions(versions: dict[int, int]) -> None:
    """After rows were restored as they were (an unmerge), each customer's version moves past the one it had,
    so an ETag from before cannot overwrite the restored record."""
    for pid, version in versions.items():
        Party.objects.filter(pk=pid).update(version=version + 1)


# --- erasure and restriction -------------------------------------------------------------------------------


def remove_identity_rows(party_id: int) -> dict[str, int]:
    """Delete a person's contact points, addresses and roles; the counts per kind."""
    return {"contact_points": ContactPoint.objects.filter(party_id=party_id).delete()[0],
            "addresses": Address.objects.filter(party_id=party_id).delete()[0],
            "roles": ContactRole.objects.filter(person_id=party_id).delete()[0]}


def store_tombstone(person: Person, now: Any) -> None:
    """Save a person whose identifying fields the caller emptied as an erased, inactive tombstone."""
    person.erased_at = now
    person.status = PartyStatus.INACTIVE
    person.save()
    Person.objects.filter(pk=person.pk).update(version=F("version") + 1)


def set_restricted(party_id: int, restricted: bool) -> None:
    """Freeze (or unfreeze) a customer: the services refuse changes while ``restricted_at`` is set."""
    Party.objects.filter(pk=party_id).update(restricted_at=timezone.now() if restricted else None,
                                             version=F("version") + 1)
