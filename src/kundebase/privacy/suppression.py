"""Erased people stay erased: keyed hashes of their identifiers refuse a later import or API create.

``identity_blocked`` is registered into ``core.hooks.identity_blocked``; the parties services call it before
they create a customer, from every channel (API, forms, imports, events).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from kundebase.privacy import hashing
from kundebase.privacy.models import Suppression


def identity_hashes(*, fields: dict[str, Any], contact_points: Iterable[dict[str, Any]]) -> list[tuple[str, str]]:
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


def identity_blocked(*, kind: str, fields: dict[str, Any], contact_points: list[dict[str, Any]]) -> str | None:
    """A reason when the record matches an erased person (hook ``core.hooks.identity_blocked``)."""
    if kind != "person":
        hashes = identity_hashes(fields={}, contact_points=contact_points)
    else:
        hashes = identity_hashes(fields=fields, contact_points=contact_points)
    if not hashes:
        return None
    hit = Suppression.objects.filter(key_hash__in=[h for _k, h in hashes]).values_list("kind", flat=True).first()
    if hit is None:
        return None
    return _("This person asked to be erased and must not be registered again (matched by %(what)s)") % {
        "what": {"email": _("e-mail"), "phone": _("phone"), "name_birth": _("name and birth date")}.get(hit, hit)}


def is_suppressed(*, fields: dict[str, Any] | None = None, contact_points: list[dict[str, Any]] | None = None) -> bool:
    """For importers that check a row before building it (the services check again on create)."""
    return identity_blocked(kind="person", fields=fields or {}, contact_points=contact_points or []) is not None
