"""Erased people stay erased: keyed hashes of their identifiers refuse a later import or API create.

``identity_blocked`` is registered into ``core.hooks.identity_blocked``; the parties services call it before
they create a customer, from every channel (API, forms, imports, events).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.translation import gettext as _

from kundebase.privacy import hashing
from kundebase.privacy.models import Suppression


def identity_hashes(*, fields: dict[str, Any], contact_points: Iterable[Mapping[str, Any]]) -> list[tuple[str, str]]:
    """``[(kind, hash)]`` for a person's e-mails, phones and name + birth date."""
    out: list[tuple[str, str]] = []
    for cp in contact_points:
        value = cp.get("normalised") or cp.get("value") or ""
        kind = cp.get("kind", "")
        digest = hashing.email_hash(value) if kind == "email" else (
            hashing.phone_hash(value) if kind in ("phone", "mobile", "fax") else None)
        if digest:
            out.append(("email" if kind == "email" else "phone", digest))
    by_birth = hashing.name_birth_hash(fields.get("given_name", ""), fields.get("family_name", ""),
                                       fields.get("birth_date"))
    if by_birth:
        out.append(("name_birth", by_birth))
    return out


def suppress(hashes: Iterable[tuple[str, str]], reason: str) -> int:
    """Store the hashes (idempotent); returns how many were new."""
    new = 0
    for kind, digest in hashes:
        _obj, created = Suppression.objects.get_or_create(key_hash=digest, defaults={"kind": kind,
                                                                                      "reason": reason[:200]})
        new += created
    return new


def identities_blocked(*, kind: str, records: list[tuple[dict[str, Any], list[dict[str, Any]]]]
                       ) -> list[str | None]:
    """Per record ``(fields, contact points)``, a reason when it matches an erased person, else ``None``
    (hook ``core.hooks.identity_blocked``).  One query for a whole import chunk.  With no suppression stored
    (no one erased yet) nothing can match, and hashing every identifier of a large import would be wasted."""
    if not Suppression.objects.exists():
        return [None] * len(records)
    hashes = [identity_hashes(fields=fields if kind == "person" else {}, contact_points=contact_points)
              for fields, contact_points in records]
    wanted = sorted({digest for found in hashes for _k, digest in found})
    hits: dict[str, str] = {}
    for start in range(0, len(wanted), 5000):
        hits.update(Suppression.objects.filter(key_hash__in=wanted[start:start + 5000])
                    .values_list("key_hash", "kind"))
    what = {"email": _("e-mail"), "phone": _("phone"), "name_birth": _("name and birth date")}
    reasons: list[str | None] = []
    for found in hashes:
        hit = next((hits[digest] for _k, digest in found if digest in hits), None)
        reasons.append(None if hit is None else _(
            "This person asked to be erased and must not be registered again (matched by %(what)s)")
            % {"what": what.get(hit, hit)})
    return reasons


def identity_blocked(*, kind: str, fields: dict[str, Any], contact_points: list[dict[str, Any]]) -> str | None:
    """:func:`identities_blocked` for one record."""
    return identities_blocked(kind=kind, records=[(fields, contact_points)])[0]


def is_suppressed(*, fields: dict[str, Any] | None = None, contact_points: list[dict[str, Any]] | None = None) -> bool:
    """For importers that check a row before building it (the services check again on create)."""
    return identity_blocked(kind="person", fields=fields or {}, contact_points=contact_points or []) is not None
