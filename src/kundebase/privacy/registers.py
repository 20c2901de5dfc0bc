"""Opt-out registers and the marketing decision.

Rules (docs/privacy.md explains the law behind them):

* e-mail, SMS and profiling need a granted consent in the ledger (no consent → no marketing);
* phone and addressed post are allowed unless the person objected (ledger: denied/withdrawn), is on the
  internal suppression list, or is on a national opt-out register (Reservasjonsregisteret, Robinsonlisten);
  a granted consent overrides a national register;
* a national register does not apply to an existing customer relationship where the country's law says so
  (Norway, markedsføringsloven § 12; Denmark, markedsføringsloven § 10) — for the ``direct_marketing``
  purpose (own, similar products), when the customer ordered within ``customer_exemption_months``; this is
  the ``CountryPolicy.customer_exemption`` setting per country;
* erased, merged and restricted customers are never marketed to.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from kundebase.core.errors import NotFound, ValidationFailed
from kundebase.privacy import audit, hashing, purposes
from kundebase.privacy.models import Channel, ConsentEvent, ConsentStatus, CountryPolicy, OptOutEntry, RegisterMatch

CONSENT_CHANNELS = (Channel.EMAIL, Channel.SMS, Channel.PROFILING)
REGISTER_CHANNELS = (Channel.PHONE, Channel.POST)
EXEMPT_PURPOSES = (purposes.DIRECT_MARKETING,)
MAX_LINES = 5_000_000
REGISTER_CHANNELS_FOR = {
    # register → channels a name+address line blocks; a phone line always blocks phone.
    OptOutEntry.Register.NO_RESERVASJON: (Channel.POST,),
    OptOutEntry.Register.DK_ROBINSON: (Channel.POST, Channel.PHONE),
    OptOutEntry.Register.INTERNAL: (Channel.POST,),
}
REGISTER_COUNTRY = {OptOutEntry.Register.NO_RESERVASJON: "NO", OptOutEntry.Register.DK_ROBINSON: "DK"}


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


def party_country(party: Any) -> str:
    address = party.addresses.order_by("-is_primary", "id").values_list("country", flat=True).first()
    company_country = getattr(getattr(party, "company", None), "org_country", "") if party.kind == "company" else ""
    return address or company_country or settings.KUNDEBASE_DEFAULT_COUNTRY


def policy_for(country: str) -> CountryPolicy:
    return (CountryPolicy.objects.filter(country=country.upper()).first()
            or CountryPolicy.objects.filter(country="*").first()
            or CountryPolicy(country="*", bookkeeping_years=10))


def _latest_status(party_id: int, purpose: str, channel: str) -> str | None:
    from kundebase.privacy.consent import current_state

    return current_state(party_id).get((purpose, channel))


def _is_existing_customer(party: Any, policy: CountryPolicy) -> bool:
    since = timezone.now() - dt.timedelta(days=30 * policy.customer_exemption_months)
    return party.orders.filter(ordered_at__gte=since).exists()


def marketing_allowed(party_id: int, channel: str, purpose: str) -> tuple[bool, str]:
    """May we market to this customer through this channel for this purpose now?  ``(allowed, reason)``."""
    from kundebase.parties.models import Party

    if channel not in Channel.values:
        raise ValidationFailed.one("channel", _("Must be one of %(c)s") % {"c": ", ".join(Channel.values)},
                                   "invalid_choice")
    party = Party.objects.filter(pk=party_id).first()
    if party is None:
        raise NotFound(_("Customer"), party_id)
    if party.erased_at:
        return False, "erased"
    if party.merged_into_id:
        return False, "merged"
    if party.restricted_at:
        return False, "restricted"
    status = _latest_status(party_id, purpose, channel)
    if status in (ConsentStatus.WITHDRAWN, ConsentStatus.DENIED):
        return False, f"consent_{status}"
    hits = _hits(_party_hashes([party_id]))
    if any(reg == OptOutEntry.Register.INTERNAL for _p, reg, _c in hits):
        return False, "internal_suppression"
    if channel in CONSENT_CHANNELS:
        return (True, "consent") if status == ConsentStatus.GRANTED else (False, "no_consent")
    if status == ConsentStatus.GRANTED:
        return True, "consent"
    policy = policy_for(party_country(party))
    if channel == Channel.PHONE and policy.phone_requires_consent and party.kind == "person":
        return False, "no_consent"
    registers = sorted({reg for _p, reg, ch in hits if ch == channel})
    if not registers:
        return True, "not_on_register"
    if purpose in EXEMPT_PURPOSES and policy.customer_exemption and _is_existing_customer(party, policy):
        return True, "existing_customer_exemption"
    return False, f"register:{registers[0]}"


def marketing_allowed_ids(channel: str, purpose: str, party_ids: Iterable[int] | None = None) -> Any:
    """The same decision for many customers at once, as a queryset of party ids (usable as a SQL subquery).

    Register hits come from ``RegisterMatch`` (kept current by imports and saves)."""
    from kundebase.privacy.retention import active_customers

    if channel not in Channel.values:
        raise ValidationFailed.one("channel", _("Must be one of %(c)s") % {"c": ", ".join(Channel.values)},
                                   "invalid_choice")
    now = timezone.now()
    latest = (ConsentEvent.objects.filter(party_id=OuterRef("pk"), purpose__key=purpose, channel=channel,
                                          captured_at__lte=now)
              .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=now))
              .filter(Q(valid_until__isnull=True) | Q(valid_until__gt=now))
              .order_by("-captured_at", "-id").values("status")[:1])
    qs = active_customers().annotate(consent_status=Subquery(latest))
    if party_ids is not None:
        qs = qs.filter(pk__in=list(party_ids))
    qs = qs.exclude(pk__in=RegisterMatch.objects.filter(register=OptOutEntry.Register.INTERNAL).values("party_id"))
    granted = Q(consent_status=ConsentStatus.GRANTED)
    if channel in CONSENT_CHANNELS:
        return qs.filter(granted).values_list("pk", flat=True)
    # A NULL status (no entry) must survive the filter, which a plain exclude() on an annotation would drop.
    qs = qs.filter(Q(consent_status__isnull=True) | Q(consent_status=ConsentStatus.GRANTED))
    on_register = RegisterMatch.objects.filter(channel=channel).exclude(
        register=OptOutEntry.Register.INTERNAL).values("party_id")
    allowed = ~Q(pk__in=on_register) | granted
    if purpose in EXEMPT_PURPOSES:
        allowed |= _exempt_q(now)
    if channel == Channel.PHONE:
        allowed &= granted | ~Q(kind="person") | ~Q(pk__in=_consent_country_parties())
    return qs.filter(allowed).values_list("pk", flat=True)


def _consent_country_parties() -> Any:
    """Party ids located in a country where telephone marketing to consumers needs prior consent.

    The location is the primary address's country, or the installation's default country without an address
    (the same rule as ``party_country`` for persons)."""
    from django.db.models import Value
    from django.db.models.functions import Coalesce

    from kundebase.parties.models import Address, Party

    policies = {p.country: p.phone_requires_consent for p in CountryPolicy.objects.all()}
    primary = Address.objects.filter(party_id=OuterRef("pk")).order_by("-is_primary", "id").values("country")[:1]
    located = Party.objects.annotate(
        country=Coalesce(Subquery(primary), Value(settings.KUNDEBASE_DEFAULT_COUNTRY)))
    if policies.get("*", True):
        lenient = [c for c, needs in policies.items() if not needs and c != "*"]
        return located.exclude(country__in=lenient).values("pk")
    strict = [c for c, needs in policies.items() if needs and c != "*"]
    return located.filter(country__in=strict).values("pk")


def _exempt_q(now: dt.datetime) -> Q:
    """Customers whose country grants the existing-customer exemption and who ordered recently enough."""
    from kundebase.orders.models import Order
    from kundebase.parties.models import Address

    policies = list(CountryPolicy.objects.all())
    explicit = [p.country for p in policies if p.country != "*"]
    q = Q(pk__in=[])
    for policy in policies:
        if not policy.customer_exemption:
            continue
        since = now - dt.timedelta(days=30 * policy.customer_exemption_months)
        recent = Order.objects.filter(ordered_at__gte=since).values("party_id")
        primary = Address.objects.filter(is_primary=True)
        located = (primary.exclude(country__in=explicit) if policy.country == "*"
                   else primary.filter(country=policy.country)).values("party_id")
        q |= Q(pk__in=recent) & Q(pk__in=located)
    return q
