"""The marketing decision: may we contact this customer, for this purpose, on this channel, in their country?

One rule answers it everywhere — the ``/privacy/marketing-allowed`` endpoint, target-list exports (letters,
call lists, mailing houses, e-mail and SMS lists), campaign audiences and triggers — so a list can never hold
someone the endpoint says ``no``.  :func:`gather` reads what the rule needs for many customers in a fixed
number of queries; :func:`decide` is the rule itself, a pure function of those facts.

The rule (docs/privacy.md explains the law behind it):

* erased, merged and restricted customers are never marketed to;
* an objection in the consent ledger (denied/withdrawn) for the purpose and channel wins;
* an erased person's identifier (suppression list) or the internal suppression register blocks every channel;
* e-mail, SMS and profiling need a granted consent;
* a granted consent allows phone and post, even against a national register;
* telephone marketing to consumers needs prior consent where the country's policy says so
  (``CountryPolicy.phone_requires_consent``: Denmark, Germany, Hungary …);
* phone and post are otherwise allowed unless a national opt-out register (Reservasjonsregisteret,
  Robinsonlisten) holds the person — except for an existing customer where the country grants the exemption,
  for direct marketing of own products.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace

from django.conf import settings
from django.db.models import Max, Q
from django.utils import timezone

from kundebase.privacy import purposes
from kundebase.privacy.models import Channel, ConsentEvent, ConsentStatus, CountryPolicy, OptOutEntry, Suppression

CONSENT_CHANNELS = (Channel.EMAIL, Channel.SMS, Channel.PROFILING)
REGISTER_CHANNELS = (Channel.PHONE, Channel.POST)
EXEMPT_PURPOSES = (purposes.DIRECT_MARKETING,)
"""Purposes that market our own products, for which the existing-customer exemption may apply."""
CHUNK = 2000


@dataclass(frozen=True)
class Facts:
    """What the rule needs to know about one customer."""

    kind: str
    country: str
    erased: bool = False
    merged: bool = False
    restricted: bool = False
    consent: str | None = None
    suppressed: bool = False
    internal_register: bool = False
    registers: frozenset[tuple[str, str]] = frozenset()
    """``{(register, channel)}`` national register entries that hit the customer's identifiers."""
    last_order_at: dt.datetime | None = None


def policies() -> dict[str, CountryPolicy]:
    """Every country's policy by country code, ``*`` included (read once per batch of decisions)."""
    return {p.country: p for p in CountryPolicy.objects.all()}


def policy_in(table: dict[str, CountryPolicy], country: str) -> CountryPolicy:
    return table.get(country.upper()) or table.get("*") or CountryPolicy(country="*", bookkeeping_years=10)


def decide(facts: Facts, *, channel: str, purpose: str, policy: CountryPolicy,
           now: dt.datetime | None = None) -> tuple[bool, str]:
    """``(allowed, reason)`` for one customer; the single marketing rule of the product."""
    if facts.erased:
        return False, "erased"
    if facts.merged:
        return False, "merged"
    if facts.restricted:
        return False, "restricted"
    status = facts.consent
    if status in (ConsentStatus.WITHDRAWN, ConsentStatus.DENIED):
        return False, f"consent_{status}"
    if facts.suppressed:
        return False, "suppressed"
    if facts.internal_register:
        return False, "internal_suppression"
    if channel in CONSENT_CHANNELS:
        return (True, "consent") if status == ConsentStatus.GRANTED else (False, "no_consent")
    if status == ConsentStatus.GRANTED:
        return True, "consent"
    if channel == Channel.PHONE and policy.phone_requires_consent and facts.kind == "person":
        return False, "no_consent"
    registers = sorted({reg for reg, ch in facts.registers if ch == channel})
    if not registers:
        return True, "not_on_register"
    if purpose in EXEMPT_PURPOSES and policy.customer_exemption and facts.last_order_at is not None:
        since = (now or timezone.now()) - dt.timedelta(days=30 * policy.customer_exemption_months)
        if facts.last_order_at >= since:
            return True, "existing_customer_exemption"
    return False, f"register:{registers[0]}"


def _ledger(ids: list[int], purpose: str, channels: list[str], now: dt.datetime) -> dict[tuple[int, str], str]:
    """The current ledger status per customer and channel: the latest entry whose validity covers now."""
    state: dict[tuple[int, str], str] = {}
    rows = (ConsentEvent.objects.filter(party_id__in=ids, purpose__key=purpose, channel__in=channels,
                                        captured_at__lte=now)
            .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=now))
            .filter(Q(valid_until__isnull=True) | Q(valid_until__gt=now))
            .order_by("captured_at", "id").values_list("party_id", "channel", "status"))
    for pid, channel, status in rows:
        state[(pid, channel)] = status
    return state


def _consents(ids: list[int], purpose: str, channel: str, now: dt.datetime) -> dict[int, str]:
    return {pid: status for (pid, _ch), status in _ledger(ids, purpose, [channel], now).items()}


def decide_channels(party_id: int, *, channels: Iterable[str], purpose: str) -> dict[str, tuple[bool, str]]:
    """``{channel: (allowed, reason)}`` for one customer on several channels, the facts read once.

    Only the ledger status differs between channels; everything else the rule needs (the customer, country,
    suppressions, registers, last order) is the same, so a profile's consent for five channels costs the
    queries of one decision.
    """
    wanted = list(dict.fromkeys(channels))
    now = timezone.now()
    ledger = _ledger([party_id], purpose, wanted, now) if wanted else {}
    facts = gather([party_id], channel=wanted[0], purpose=purpose, now=now, consents={}).get(party_id) \
        if wanted else None
    if facts is None:
        return {channel: (False, "unknown") for channel in wanted}
    policy = policy_in(policies(), facts.country)
    return {channel: decide(replace(facts, consent=ledger.get((party_id, channel))), channel=channel,
                            purpose=purpose, policy=policy, now=now) for channel in wanted}


def _countries(ids: list[int]) -> dict[int, str]:
    """The primary address's country, else a company's registration country, else the installation's."""
    from kundebase.parties.models import Address, Company

    out: dict[int, str] = {}
    for pid, country in (Address.objects.filter(party_id__in=ids).exclude(country="")
                         .order_by("party_id", "-is_primary", "id").values_list("party_id", "country")):
        out.setdefault(pid, country)
    for pid, country in Company.objects.filter(pk__in=ids).exclude(org_country="").values_list("pk", "org_country"):
        out.setdefault(pid, country)
    return out


def gather(party_ids: Iterable[int], *, channel: str, purpose: str, now: dt.datetime | None = None,
           consents: dict[int, str] | None = None) -> dict[int, Facts]:
    """:class:`Facts` for the given customers (missing ids are left out), in a handful of queries; ``consents``
    (the ledger status per customer) when the caller has read the ledger already."""
    from kundebase.orders.models import Order
    from kundebase.parties.models import Party
    from kundebase.privacy.registers import _hits, _party_hashes

    ids = list(dict.fromkeys(party_ids))
    if not ids:
        return {}
    now = now or timezone.now()
    parties = {row[0]: row for row in Party.objects.filter(pk__in=ids).values_list(
        "pk", "kind", "erased_at", "merged_into_id", "restricted_at")}
    if consents is None:
        consents = _consents(ids, purpose, channel, now)
    countries = _countries(ids)
    last_orders = dict(Order.objects.filter(party_id__in=ids).values("party_id").annotate(last=Max("ordered_at"))
                       .values_list("party_id", "last"))
    hashes = _party_hashes(ids)
    wanted = sorted({digest for found in hashes.values() for _k, digest in found})
    suppressed_keys = set(Suppression.objects.filter(key_hash__in=wanted).values_list("key_hash", flat=True)) \
        if wanted else set()
    hits: dict[int, set[tuple[str, str]]] = {}
    for pid, register, ch in _hits(hashes):
        hits.setdefault(pid, set()).add((register, ch))
    facts: dict[int, Facts] = {}
    for pid, (_pk, kind, erased_at, merged_into, restricted_at) in parties.items():
        found = hits.get(pid, set())
        facts[pid] = Facts(
            kind=kind, country=countries.get(pid) or settings.KUNDEBASE_DEFAULT_COUNTRY,
            erased=erased_at is not None, merged=merged_into is not None, restricted=restricted_at is not None,
            consent=consents.get(pid),
            suppressed=any(digest in suppressed_keys for _k, digest in hashes.get(pid, ())),
            internal_register=any(reg == OptOutEntry.Register.INTERNAL for reg, _c in found),
            registers=frozenset((reg, ch) for reg, ch in found if reg != OptOutEntry.Register.INTERNAL),
            last_order_at=last_orders.get(pid))
    return facts


def decide_many(party_ids: Iterable[int], *, channel: str, purpose: str) -> dict[int, tuple[bool, str]]:
    """``{party_id: (allowed, reason)}``, chunk by chunk, for exports, campaigns and the bulk id list."""
    now = timezone.now()
    table = policies()
    out: dict[int, tuple[bool, str]] = {}
    ids = list(party_ids)
    for start in range(0, len(ids), CHUNK):
        for pid, facts in gather(ids[start:start + CHUNK], channel=channel, purpose=purpose, now=now).items():
            out[pid] = decide(facts, channel=channel, purpose=purpose, policy=policy_in(table, facts.country),
                              now=now)
    return out
