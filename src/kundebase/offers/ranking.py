"""Next-best offer: the eligible offers for one customer on one channel, ranked by expected value.

expected value = propensity × margin, where the propensity is the acceptance rate of the offer among customers
of the same RFM segment, smoothed towards the offer's overall rate with a Beta prior (empirical Bayes):

    overall   = (accepted + BASE_ALPHA) / (shown + BASE_ALPHA + BASE_BETA)
    prior     = Beta(PRIOR_STRENGTH × overall, PRIOR_STRENGTH × (1 − overall))
    propensity = (accepted in segment + prior α) / (shown in segment + prior α + prior β)

so a new offer starts at the base rate, a segment with few showings borrows from the offer's overall rate, and
the figures behind every score are returned with it.  Offers are never returned when the customer has no
consent for the channel (privacy's one rule, purpose direct marketing; the web channel needs consent to
profiling), has already accepted (redeemed) the offer, was shown it ``cap_per_customer`` times, or when the
offer has reached ``cap_total`` acceptances.

What one answer costs (a warm customer): the customer and their profile row in one query
(:func:`profiles.find` — consent, RFM segment and eligibility come from the row, which the writes keep current),
whether the offer definitions changed, this customer's own showings and acceptances with the acceptances of
the offers that have a total cap (one query), and one ``INSERT`` of the showings; their timeline entry and the
profile's mark are written by the background round (:func:`put_shown_on_timeline`).  The acceptance figures of
every offer per segment, the part that grows with traffic, are read once per :data:`STATS_SECONDS` per server
process (and again at once in the process that records an acceptance); the caps never rely on them.  From those
figures each segment's ranking is worked out once (every customer of a segment shares its propensities), so an
answer walks a ready list and only checks what is the customer's own: consent, redemptions, caps, eligibility.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from kundebase.core.errors import Conflict, ValidationFailed
from kundebase.offers import freshness, profiles
from kundebase.offers.models import Offer, OfferEvent, Profile
from kundebase.offers.services import get_offer, margin_of

BASE_ALPHA, BASE_BETA = 1.0, 9.0
"""The prior of an offer nobody has seen yet: a 10 % acceptance rate, worth ten showings."""
PRIOR_STRENGTH = 10.0
"""How many showings the offer's overall rate weighs in a segment's rate."""
CONSENT_CHANNEL = {"web": "profiling", "email": "email", "sms": "sms", "phone": "phone", "post": "post"}
"""The consent channel each offer channel needs: a personalised offer on the web is profiling."""
TIMELINE_CHANNEL = {"web": "web", "email": "email", "sms": "sms", "phone": "phone", "post": "post"}
ACCEPT_EVENT = "Offer Accepted"
WATERMARK = "offers.tracked_events"
MAX_LIMIT = 20
STATS_SECONDS = 10.0
"""How long a server process ranks with the acceptance figures it read: showings and acceptances recorded by
other processes move the propensities after at most this long (caps and redemptions are read every time)."""
CONSENT_SECONDS = 300.0
"""The consent decision on the profile row is taken again when it is older than this, so a consent that runs
out (its ``valid_until``) or an exemption that ends stops the offers within five minutes; a withdrawal or any
other write is seen at once (it marks the row)."""
TIMELINE_BATCH = 500
"""Showings put on the timeline per transaction by the background round."""


def _smoothed(accepted: int, shown: int, seg_accepted: int, seg_shown: int) -> tuple[float, float, float]:
    """``(rate, prior alpha, prior beta)``: the segment's acceptance rate, smoothed towards the offer's own."""
    overall = (accepted + BASE_ALPHA) / (shown + BASE_ALPHA + BASE_BETA)
    alpha, beta = PRIOR_STRENGTH * overall, PRIOR_STRENGTH * (1 - overall)
    return (seg_accepted + alpha) / (seg_shown + alpha + beta), alpha, beta


def propensity(accepted: int, shown: int, seg_accepted: int, seg_shown: int) -> dict[str, float]:
    """The smoothed acceptance rate and the figures it comes from."""
    rate, alpha, beta = _smoothed(accepted, shown, seg_accepted, seg_shown)
    return {"shown": shown, "accepted": accepted, "segment_shown": seg_shown, "segment_accepted": seg_accepted,
            "prior_alpha": round(alpha, 4), "prior_beta": round(beta, 4), "propensity": round(rate, 6)}


# --- what a server process keeps: the offer definitions and the acceptance figures ----------------------------

@dataclass(frozen=True)
class _Entry:
    """An active offer with what every answer reads of it, worked out once per version of the definitions:
    its margin, its eligibility rule's fingerprint and the sources that rule reads."""

    offer: Offer
    pk: int
    margin: Decimal
    rule_key: str
    sources: int


_Ranked = tuple[float, int, int, _Entry, tuple[int, int, int, int]]
"""(expected value, priority, offer id, the offer, the counts behind its propensity)."""


@dataclass
class _Book:
    version: tuple[Any, ...] = ()
    stats_at: float = float("-inf")
    total: dict[int, dict[str, int]] = field(default_factory=dict)
    by_segment: dict[tuple[int, str], dict[str, int]] = field(default_factory=dict)
    entries: dict[str, list[_Entry]] = field(default_factory=dict)
    ranked: dict[tuple[str, str], list[_Ranked]] = field(default_factory=dict)

    def channel(self, channel: str) -> list[_Entry]:
        """The channel's offers in the definitions' order (priority, name)."""
        return self.entries.get(channel, [])

    def ranking(self, channel: str, segment: str) -> list[_Ranked]:
        """The channel's offers for a customer of ``segment``, best expected value first, with the value and the
        counts behind it.  Worked out once per segment while these figures hold (every customer of a segment
        shares the propensities), so an answer only walks the list and skips what the customer may not have."""
        key = (channel, segment)
        found = self.ranked.get(key)
        if found is None:
            found = []
            for entry in self.channel(channel):
                total = self.total.get(entry.pk) or {}
                seg = self.by_segment.get((entry.pk, segment)) or {}
                counts = (total.get(OfferEvent.Kind.ACCEPTED, 0), total.get(OfferEvent.Kind.SHOWN, 0),
                          seg.get(OfferEvent.Kind.ACCEPTED, 0), seg.get(OfferEvent.Kind.SHOWN, 0))
                value = round(float(Decimal(str(round(_smoothed(*counts)[0], 6))) * entry.margin), 4)
                found.append((value, entry.offer.priority, entry.pk, entry, counts))
            found.sort(key=lambda t: (-t[0], -t[1], t[2]))
            self.ranked[key] = found  # a race computes the same list twice: harmless
        return found


def _entries(offers: list[Offer]) -> dict[str, list[_Entry]]:
    out: dict[str, list[_Entry]] = defaultdict(list)
    for offer in offers:
        rule = offer.eligibility
        out[offer.channel].append(_Entry(offer=offer, pk=offer.pk, margin=margin_of(offer),
                                         rule_key=profiles.rule_key(rule) if rule else "",
                                         sources=freshness.rule_sources(rule) if rule else 0))
    return dict(out)


_book = _Book()
_lock = threading.Lock()


def forget() -> None:
    """Read the offer definitions and the acceptance figures again on the next answer."""
    global _book
    _book = _Book()


def _forget_stats() -> None:
    _book.stats_at = float("-inf")


def _offers_version() -> tuple[Any, ...]:
    """Changes whenever an offer is created, changed or deleted (one small aggregate).

    Asked on every answer, so a fixed statement rather than a queryset: building the aggregate's query cost
    more than running it.  The values are only compared with the last ones, never shown."""
    with connection.cursor() as cursor:
        cursor.execute(_VERSION_SQL)
        return tuple(cursor.fetchone())


_VERSION_SQL = f"SELECT COUNT(*), MAX(updated_at), MAX(id) FROM {Offer._meta.db_table}"


def _current_book() -> _Book:
    """The offer definitions as they are now (checked every answer), with acceptance figures at most
    :data:`STATS_SECONDS` old."""
    global _book
    version = _offers_version()
    book = _book
    if book.version == version and time.monotonic() - book.stats_at <= STATS_SECONDS:
        return book
    with _lock:  # one thread of the process reads them; the others wait and use what it read
        book = _book
        if book.version != version:
            book = _Book(version=version,
                         entries=_entries(list(Offer.objects.select_related("product").filter(active=True))))
        if time.monotonic() - book.stats_at > STATS_SECONDS:
            stamp = time.monotonic()
            total: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
            by_segment: dict[tuple[int, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
            for row in OfferEvent.objects.values("offer_id", "kind", "segment").annotate(n=Count("*")).order_by():
                total[row["offer_id"]][row["kind"]] += row["n"]
                by_segment[(row["offer_id"], row["segment"])][row["kind"]] += row["n"]
            book = _Book(version=version, stats_at=stamp, total=total, by_segment=by_segment,
                         entries=book.entries)
        _book = book
        return book


def _candidates(book: _Book, channel: str) -> list[_Entry]:
    now = timezone.now()
    return [e for e in book.channel(channel) if (e.offer.valid_from is None or e.offer.valid_from <= now)
            and (e.offer.valid_until is None or e.offer.valid_until > now)]


def _caps(party_id: int, capped: list[int]) -> tuple[dict[int, dict[str, int]], dict[int, int]]:
    """This customer's showings and acceptances per offer, and the acceptances so far of the offers with a total
    cap (at most the cap each) — in one indexed query, read every answer: the caps never wait for the figures."""
    mine: dict[int, dict[str, int]] = defaultdict(dict)
    accepted: dict[int, int] = {}
    # A fixed statement (read on every answer; a queryset's building cost more than the indexed read itself).
    where = "party_id = %s"
    params: list[Any] = [party_id, party_id]
    if capped:
        where += f" OR (kind = %s AND offer_id IN ({', '.join(['%s'] * len(capped))}))"
        params += [OfferEvent.Kind.ACCEPTED.value, *capped]
    with connection.cursor() as cursor:
        cursor.execute(_CAPS_SQL.format(where=where), params)
        for offer_id, kind, own, n in cursor.fetchall():
            if own:
                mine[offer_id][kind] = own
            if kind == OfferEvent.Kind.ACCEPTED:
                accepted[offer_id] = n
    return mine, accepted


_CAPS_SQL = ("SELECT offer_id, kind, SUM(CASE WHEN party_id = %s THEN 1 ELSE 0 END), COUNT(*) "
             f"FROM {OfferEvent._meta.db_table} WHERE {{where}} GROUP BY offer_id, kind")


def _segment_of(data: dict[str, Any]) -> str:
    """The RFM segment a profile row holds (empty when unknown): what acceptances are counted under."""
    return str((data.get("key_figures") or {}).get("rfm_segment") or "")


def needed_parts(offers: list[_Entry]) -> int:
    """The sources the profile row must be current in for an offers answer: consent (the customer record,
    consent, orders), the RFM segment (orders), and for offers with an eligibility rule the rules' definitions
    and what the rules read."""
    needed = freshness.IDENTITY | freshness.CONSENT | freshness.ORDERS
    for entry in offers:
        if entry.rule_key:
            needed |= freshness.OFFER_RULES | entry.sources
    return needed


def _profile_for(ref: str | int, *, user: Any, channel_offers: list[_Entry]) -> Profile:
    needed = needed_parts(channel_offers)
    profile = profiles.find(ref, user=user, needed=needed) if isinstance(ref, str) else \
        profiles.current(ref, needed=needed)
    again = freshness.CONSENT if profiles.consent_age(profile) > CONSENT_SECONDS else 0
    if needed & freshness.OFFER_RULES and "_offer_rules" not in (profile.data or {}):
        again |= freshness.OFFER_RULES  # a row built before the profile kept the rules' answers
    if again:
        freshness.mark([profile.party_id], again)
        profile = profiles.current(profile.party_id, needed=needed)
    return profile


def next_best(ref: str | int, *, channel: str, limit: int = 3, actor: object = None, record: bool = True,
              user: Any = None) -> dict[str, Any]:
    """The ranked offers for the customer (an id as the profile API takes it, or a party id), the ones left
    out and why; the shown ones are recorded."""
    if channel not in CONSENT_CHANNEL:
        raise ValidationFailed.one("channel", _("Choose one of %(values)s") % {"values": ", ".join(CONSENT_CHANNEL)})
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationFailed.one("limit", _("Ask for 1 to %(n)s offers") % {"n": MAX_LIMIT})
    book = _current_book()
    offers = _candidates(book, channel)
    profile = _profile_for(ref, user=user if user is not None else actor, channel_offers=offers)
    party_id = profile.party_id
    data = profile.data or {}
    segment = _segment_of(data)
    decided = (data.get("consent") or {}).get(CONSENT_CHANNEL[channel]) or {}
    allowed, reason = bool(decided.get("allowed")), str(decided.get("reason") or "unknown")
    excluded: list[dict[str, Any]] = []
    mine, accepted = _caps(party_id, [e.pk for e in offers if e.offer.cap_total is not None]) \
        if allowed and offers else ({}, {})
    rules = data.get("_offer_rules") or {}
    left_out: set[int] = set()
    for entry in offers:
        why = ""
        offer = entry.offer
        own = mine.get(entry.pk) or {}
        if not allowed:
            why = f"no_consent:{reason}"
        elif own.get(OfferEvent.Kind.ACCEPTED):
            why = "redeemed"
        elif offer.cap_per_customer is not None and own.get(OfferEvent.Kind.SHOWN, 0) >= offer.cap_per_customer:
            why = "customer_cap"
        elif offer.cap_total is not None and accepted.get(entry.pk, 0) >= offer.cap_total:
            why = "total_cap"
        elif entry.rule_key and not _eligible(entry, party_id, rules):
            why = "not_eligible"
        if why:
            excluded.append({"offer_id": entry.pk, "reason": why})
            left_out.add(entry.pk)
    # The segment's ranking is shared by every customer in it; only the offers answered get their explanation
    # built (of a hundred eligible offers, building every one's took a third of the answer).
    chosen: list[dict[str, Any]] = []
    if len(left_out) < len(offers):
        valid = {e.pk for e in offers}
        for value, _priority, pk, entry, counts in book.ranking(channel, segment):
            if pk in valid and pk not in left_out:
                chosen.append({"offer": entry.offer, "expected_value": value, "explanation": {
                    **propensity(*counts), "segment": segment, "margin": float(entry.margin)}})
                if len(chosen) == limit:
                    break
    if record and chosen:
        _record_shown(party_id, [r["offer"] for r in chosen], segment, actor)
    return {"party_id": party_id, "channel": channel, "segment": segment, "offers": chosen, "excluded": excluded}


def _eligible(entry: _Entry, party_id: int, rules: dict[str, Any]) -> bool:
    """From the profile row when it holds this rule's answer; else asked of the database (an offer newer than
    the row's last build)."""
    known = rules.get(str(entry.pk))
    if known and known[0] == entry.rule_key:
        return bool(known[1])
    try:
        return profiles.member_of(entry.offer.eligibility, party_id)
    except ValidationFailed:  # a rule that stopped compiling (an attribute removed) makes nobody eligible
        return False


def _record_shown(party_id: int, offers: list[Offer], segment: str, actor: object) -> None:
    """The showings, in one statement; their timeline entry, and the profile's mark for it and for the offer
    counters, are written by the background round."""
    from django.contrib.auth.models import AbstractBaseUser

    from kundebase.core.bulk import insert_rows
    from kundebase.offers import tasks

    now = timezone.now()
    by = actor.pk if isinstance(actor, AbstractBaseUser) and actor.pk else None
    # Every column given, so a plain insert (no model instance per showing: that cost more than the insert).
    insert_rows(OfferEvent, [{"offer_id": o.pk, "party_id": party_id, "kind": OfferEvent.Kind.SHOWN.value,
                              "segment": segment, "occurred_at": now, "event_id": None, "on_timeline": False,
                              "shown_by_id": by} for o in offers])
    tasks.timeline_soon()


def put_shown_on_timeline(limit: int = TIMELINE_BATCH) -> int:
    """Write the timeline entries of up to ``limit`` waiting showings — one "Offers shown: …" entry per answer,
    in bulk, with one audit entry per caller — and mark the rows done; returns how many rows it took.

    Workers may run side by side: on PostgreSQL each takes rows the others have not locked (``SKIP LOCKED``);
    on SQLite the first statement takes the database's write lock, so one round runs at a time.
    """
    from django.contrib.auth import get_user_model

    from kundebase.core import audit, dialect
    from kundebase.core.errors import DomainError
    from kundebase.interactions.models import Interaction
    from kundebase.interactions.services import build_interaction
    from kundebase.parties.models import Party

    with transaction.atomic():
        waiting = OfferEvent.objects.filter(on_timeline=False).order_by("id")
        if dialect.for_connection(connection).skip_locked:
            waiting = waiting.select_for_update(skip_locked=True, of=("self",))
        else:
            OfferEvent.objects.filter(pk=0).update(on_timeline=True)  # SQLite: the write lock, before reading
        rows = list(waiting.values_list("id", "party_id", "occurred_at", "shown_by_id", "offer__name",
                                        "offer__channel")[:limit])
        if not rows:
            return 0
        answers: dict[tuple[int, Any, int | None, str], list[str]] = defaultdict(list)
        for _id, party_id, occurred_at, shown_by, name, channel in rows:
            answers[(party_id, occurred_at, shown_by, channel)].append(name)
        live = set(Party.objects.filter(pk__in={key[0] for key in answers}, erased_at__isnull=True)
                   .values_list("pk", flat=True))
        users = get_user_model().objects.in_bulk({key[2] for key in answers if key[2]})
        made: dict[int | None, list[Interaction]] = defaultdict(list)
        fields: set[str] = set()
        for (party_id, occurred_at, caller_id, channel), names in answers.items():
            if party_id not in live:
                continue  # erased since: nobody to put it on
            try:
                caller = users.get(caller_id) if caller_id else None
                interaction, used = build_interaction(party_id=party_id, actor=caller, data={
                    "kind": "campaign", "direction": "out", "channel": TIMELINE_CHANNEL.get(channel, channel),
                    "occurred_at": occurred_at, "source": "offers",
                    "subject": (_("Offers shown: %(names)s") % {"names": ", ".join(names)})[:300]})
            except DomainError:
                continue  # a timeline rule refuses it: the showing still counts for caps and rates
            made[caller_id].append(interaction)
            fields.update(used)
        for by_id, interactions in made.items():
            Interaction.objects.bulk_create(interactions)
            audit.record_batch(action="create", actor=users.get(by_id) if by_id else None, entity="interaction",
                               channel="api", fields=fields,
                               records=[("interaction", i.pk, i.party_id) for i in interactions],
                               note=f"{len(interactions)} offers shown")
        OfferEvent.objects.filter(pk__in=[row[0] for row in rows]).update(on_timeline=True)
        freshness.mark_each({**dict.fromkeys((key[0] for key in answers), freshness.OFFERS),
                             **dict.fromkeys((i.party_id for group in made.values() for i in group),
                                             freshness.OFFERS | freshness.INTERACTIONS)})
    return len(rows)


@transaction.atomic
def accept(party_id: int, offer_id: int, *, actor: object = None, event_id: int | None = None,
           timeline: bool = True) -> OfferEvent:
    """Record that the customer accepted (redeemed) the offer; refused when already redeemed or capped."""
    from kundebase.interactions.services import log_interaction

    offer = get_offer(offer_id)
    if OfferEvent.objects.filter(offer=offer, party_id=party_id, kind=OfferEvent.Kind.ACCEPTED).exists():
        raise Conflict(_("The customer has already accepted this offer"), code="already_redeemed")
    if offer.cap_total is not None and \
            OfferEvent.objects.filter(offer=offer, kind=OfferEvent.Kind.ACCEPTED).count() >= offer.cap_total:
        raise Conflict(_("The offer has reached its cap of acceptances"), code="capped")
    _forget_stats()  # this process ranks with the new acceptance at once
    event = OfferEvent.objects.create(offer=offer, party_id=party_id, kind=OfferEvent.Kind.ACCEPTED,
                                      segment=_segment_of(profiles.current(party_id).data or {}),
                                      event_id=event_id)
    freshness.mark([party_id], freshness.OFFERS)
    if timeline:
        log_interaction(party_id=party_id, actor=actor, channel="api", data={
            "kind": "campaign", "direction": "in", "channel": TIMELINE_CHANNEL[offer.channel],
            "subject": (_("Offer accepted: %(name)s") % {"name": offer.name})[:300], "source": "offers"})
    return event


def sync_tracked() -> int:
    """Count ``track "Offer Accepted"`` events from the event API as acceptances (once each).

    The event API has already put the event on the timeline; here it feeds the ranking.  Runs after every round
    of event processing (the ``events_processed`` hook), not in the offers answer.  Only events below the oldest
    one still waiting are read, so one processed out of order is not skipped (the round that processes it reads
    it); the position is kept in a core ``Sequence`` row.
    """
    from kundebase.core.models import Sequence
    from kundebase.ingest.models import Event

    mark, _created = Sequence.objects.get_or_create(name=WATERMARK, defaults={"next_value": 1})
    waiting = Event.objects.filter(processed_at__isnull=True).order_by("id").values_list("id", flat=True).first()
    upper = waiting if waiting is not None else (Event.objects.aggregate(m=Max("id"))["m"] or 0) + 1
    if upper <= mark.next_value:
        return 0
    found = 0
    rows = (Event.objects.filter(pk__gte=mark.next_value, pk__lt=upper, type="track", party_id__isnull=False,
                                 error="", payload__event=ACCEPT_EVENT).order_by("id")
            .values_list("id", "party_id", "payload"))
    for event_id, party_id, payload in rows:
        if party_id is None:
            continue
        props = payload.get("properties") if isinstance(payload, dict) else None
        ref = str((props or {}).get("offer_id") or (props or {}).get("offerId") or "")
        if not ref.isdigit() or len(ref) > 18 or not Offer.objects.filter(pk=int(ref)).exists():
            continue
        try:
            with transaction.atomic():
                accept(party_id, int(ref), event_id=event_id, timeline=False)
                found += 1
        except (Conflict, IntegrityError):
            continue  # already redeemed, capped, or counted by a concurrent call
    Sequence.objects.filter(name=WATERMARK, next_value__lt=upper).update(next_value=upper)
    return found


def acceptance_rates() -> dict[int, dict[str, Any]]:
    """Per offer: shown, accepted and the acceptance rate (for the offers page and list)."""
    out: dict[int, dict[str, Any]] = defaultdict(lambda: {"shown": 0, "accepted": 0, "rate": None})
    for row in OfferEvent.objects.values("offer_id", "kind").annotate(n=Count("id")):
        out[row["offer_id"]][row["kind"]] = row["n"]
    for figures in out.values():
        figures["rate"] = round(figures["accepted"] / figures["shown"], 4) if figures["shown"] else None
    return out
