"""Opt-out registers (Reservasjonsregisteret, Robinsonlisten, the internal list) and the marketing questions.

Register files are stored as keyed hashes only.  ``marketing_allowed`` (one customer) and
``marketing_allowed_ids`` (many) ask the one marketing rule in :mod:`kundebase.privacy.decision`, which
docs/privacy.md explains with the law behind it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kundebase.core import audit
from kundebase.core.errors import NotFound, ValidationFailed
from kundebase.privacy import hashing
from kundebase.privacy.models import Channel, OptOutEntry, RegisterMatch

MAX_LINES = 5_000_000
REGISTER_CHANNELS_FOR: dict[str, tuple[str, ...]] = {
    # register → channels a name+address line blocks; a phone line always blocks phone.
    OptOutEntry.Register.NO_RESERVASJON: (Channel.POST,),
    OptOutEntry.Register.DK_ROBINSON: (Channel.POST, Channel.PHONE),
    OptOutEntry.Register.INTERNAL: (Channel.POST,),
}
REGISTER_COUNTRY: dict[str, str] = {OptOutEntry.Register.NO_RESERVASJON: "NO", OptOutEntry.Register.DK_ROBINSON: "DK"}


@dataclass
class ImportResult:
    register: str
    imported: int = 0
    skipped: list[str] = field(default_factory=list)
    matched_customers: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"register_name": self.register, "imported": self.imported, "skipped": self.skipped[:100],
                "skipped_count": len(self.skipped), "matched_customers": self.matched_customers}


def _decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationFailed.one("file", _("The file is neither UTF-8 nor Windows-1252 text"), "encoding")


def _parse_line(register: str, line: str) -> list[tuple[str, str]]:
    """``[(channel, key_hash)]`` for one line, or ``ValueError`` with the reason."""
    country = REGISTER_COUNTRY.get(register, settings.KUNDEBASE_DEFAULT_COUNTRY)
    parts = [p.strip() for p in (line.split(";") if ";" in line else line.split("\t"))]
    if len(parts) == 1:
        value = parts[0]
        if "@" in value:
            if register != OptOutEntry.Register.INTERNAL:
                raise ValueError(_("national registers hold no e-mail addresses"))
            digest = hashing.email_hash(value)
            if not digest:
                raise ValueError(_("not a valid e-mail address"))
            return [(Channel.EMAIL, digest)]
        digest = hashing.phone_hash(value, country)
        if not digest:
            raise ValueError(_("not a valid phone number"))
        return [(Channel.PHONE, digest)]
    if len(parts) < 3:
        raise ValueError(_("expected name;street;postcode[;city] or one phone number"))
    digest = hashing.name_address_hash(parts[0], parts[1], parts[2])
    if not digest:
        raise ValueError(_("name and street or postcode are required"))
    return [(channel, digest) for channel in REGISTER_CHANNELS_FOR[register]]


@transaction.atomic
def import_register(*, register: str, content: bytes, batch: str = "", replace: bool = True,
                    actor: object = None, channel: str = "cli") -> ImportResult:
    """Load a register file as keyed hashes (one transaction; with ``replace`` the file supersedes the last one).

    Lines that cannot be read are reported with their number and skipped; a file with no usable line is
    refused and changes nothing."""
    if register not in OptOutEntry.Register.values:
        choices = ", ".join(OptOutEntry.Register.values)
        raise ValidationFailed.one("register", _("Must be one of %(c)s") % {"c": choices}, "invalid_choice")
    if not content:
        raise ValidationFailed.one("file", _("The file is empty"), "required")
    text = _decode(content)
    if "\x00" in text:
        raise ValidationFailed.one("file", _("The file contains NUL bytes; it is not a text file"), "encoding")
    result = ImportResult(register=register)
    rows: dict[tuple[str, str], None] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if number > MAX_LINES:
            raise ValidationFailed.one("file", _("At most %(n)d lines") % {"n": MAX_LINES}, "too_long")
        stripped = line.strip()
        if not stripped or stripped.startswith("#") or (number == 1 and stripped.lower().startswith(
                ("name", "navn", "telefon", "phone", "nummer"))):
            continue
        try:
            for entry in _parse_line(register, stripped):
                rows[entry] = None
        except ValueError as exc:
            result.skipped.append(_("line %(n)d: %(why)s") % {"n": number, "why": exc})
    if not rows:
        raise ValidationFailed.one("file", _("No usable line in the file (%(n)d skipped)") % {"n": len(result.skipped)},
                                   "empty")
    if replace:
        OptOutEntry.objects.filter(register=register).delete()
    label = (batch or timezone.now().strftime("%Y-%m-%dT%H:%M"))[:100]
    OptOutEntry.objects.bulk_create([OptOutEntry(register=register, channel=ch, key_hash=h, batch=label)
                                     for ch, h in rows], batch_size=5000, ignore_conflicts=True)
    result.imported = len(rows)
    result.matched_customers = refresh_matches(register=register)
    audit.record(action="change", actor=actor, entity="opt_out_register", channel=channel,
                 note=f"{register}: {result.imported} entries, {len(result.skipped)} lines skipped")
    return result


def _party_hashes(party_ids: Iterable[int] | None = None) -> dict[int, set[tuple[str, str]]]:
    """``{party_id: {(identifier_channel, hash)}}`` from contact points and addresses."""
    from kundebase.parties.models import Address, ContactPoint, Party

    out: dict[int, set[tuple[str, str]]] = {}
    cps = ContactPoint.objects.filter(kind__in=("email", "phone", "mobile"))
    addrs = Address.objects.all()
    names = Party.objects.all()
    if party_ids is not None:
        ids = list(party_ids)
        cps, addrs, names = cps.filter(party_id__in=ids), addrs.filter(party_id__in=ids), names.filter(pk__in=ids)
    for pid, kind, value in cps.values_list("party_id", "kind", "normalised").iterator(chunk_size=5000):
        digest = hashing.email_hash(value) if kind == "email" else hashing.phone_hash(value)
        if digest:
            out.setdefault(pid, set()).add((Channel.EMAIL if kind == "email" else Channel.PHONE, digest))
    display = dict(names.values_list("pk", "display_name").iterator(chunk_size=5000))
    for pid, street, postcode in addrs.values_list("party_id", "street", "postcode").iterator(chunk_size=5000):
        digest = hashing.name_address_hash(display.get(pid, ""), street, postcode)
        if digest:
            out.setdefault(pid, set()).add((Channel.POST, digest))
    return out


def _hits(hashes: dict[int, set[tuple[str, str]]], register: str | None = None) -> set[tuple[int, str, str]]:
    """``{(party_id, register, channel)}`` register entries hit by the given hashes."""
    by_hash: dict[str, list[int]] = {}
    for pid, items in hashes.items():
        for _kind, digest in items:
            by_hash.setdefault(digest, []).append(pid)
    found: set[tuple[int, str, str]] = set()
    keys = list(by_hash)
    for start in range(0, len(keys), 2000):
        entries = OptOutEntry.objects.filter(key_hash__in=keys[start:start + 2000])
        if register:
            entries = entries.filter(register=register)
        for reg, ch, digest in entries.values_list("register", "channel", "key_hash"):
            for pid in by_hash[digest]:
                found.add((pid, reg, ch))
    return found


def refresh_matches(*, register: str | None = None, party_ids: Iterable[int] | None = None) -> int:
    """Rebuild ``RegisterMatch`` for one register or some customers; returns the number of customers hit."""
    ids = list(party_ids) if party_ids is not None else None
    hashes = _party_hashes(ids)
    hits = _hits(hashes, register)
    old = RegisterMatch.objects.all()
    if register:
        old = old.filter(register=register)
    if ids is not None:
        old = old.filter(party_id__in=ids)
    old.delete()
    RegisterMatch.objects.bulk_create([RegisterMatch(party_id=p, register=r, channel=c) for p, r, c in hits],
                                      batch_size=5000, ignore_conflicts=True)
    return len({p for p, _r, _c in hits})


def refresh_on_save(*, party_ids: list[int], created: bool) -> None:
    """Hook ``core.hooks.party_saved``: keep the SQL-side register matches current."""
    if OptOutEntry.objects.exists():
        refresh_matches(party_ids=party_ids)


def _check_channel(channel: str) -> None:
    if channel not in Channel.values:
        raise ValidationFailed.one("channel", _("Must be one of %(c)s") % {"c": ", ".join(Channel.values)},
                                   "invalid_choice")


def marketing_allowed(party_id: int, channel: str, purpose: str) -> tuple[bool, str]:
    """May we market to this customer through this channel for this purpose now?  ``(allowed, reason)``.

    The rule is :func:`kundebase.privacy.decision.decide`, the same one every target list and campaign asks."""
    from kundebase.privacy import decision

    _check_channel(channel)
    found = decision.decide_many([party_id], channel=channel, purpose=purpose)
    if party_id not in found:
        raise NotFound(_("Customer"), party_id)
    return found[party_id]


def marketing_allowed_ids(channel: str, purpose: str, party_ids: Iterable[int] | None = None) -> list[int]:
    """The same decision for many customers at once: the ids of those who may be contacted (active customers
    only, or those of ``party_ids``), decided chunk by chunk by the same rule."""
    from kundebase.privacy import decision
    from kundebase.privacy.retention import active_customers

    _check_channel(channel)
    ids = list(party_ids) if party_ids is not None else list(
        active_customers().order_by("pk").values_list("pk", flat=True))
    decided = decision.decide_many(ids, channel=channel, purpose=purpose)
    return [pid for pid in ids if decided.get(pid, (False, ""))[0]]
