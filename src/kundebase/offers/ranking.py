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
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kundebase.core.errors import Conflict, ValidationFailed
from kundebase.offers import profiles
from kundebase.offers.models import Offer, OfferEvent
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


def _consent(party_id: int, channel: str) -> tuple[bool, str]:
    from kundebase.privacy import decision, purposes

    return decision.decide_many([party_id], channel=CONSENT_CHANNEL[channel],
                                purpose=purposes.DIRECT_MARKETING).get(party_id, (False, "unknown"))


def propensity(accepted: int, shown: int, seg_accepted: int, seg_shown: int) -> dict[str, float]:
    """The smoothed acceptance rate and the figures it comes from."""
    overall = (accepted + BASE_ALPHA) / (shown + BASE_ALPHA + BASE_BETA)
    alpha, beta = PRIOR_STRENGTH * overall, PRIOR_STRENGTH * (1 - overall)
    rate = (seg_accepted + alpha) / (seg_shown + alpha + beta)
    return {"shown": shown, "accepted": accepted, "segment_shown": seg_shown, "segment_accepted": seg_accepted,
            "prior_alpha": round(alpha, 4), "prior_beta": round(beta, 4), "propensity": round(rate, 6)}


def _candidates(channel: str) -> list[Offer]:
    now = timezone.now()
    return list(Offer.objects.select_related("product").filter(active=True, channel=channel)
                .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=now))
                .filter(Q(valid_until__isnull=True) | Q(valid_until__gt=now)))


def _stats(offer_ids: list[int], party_id: int) -> tuple[dict, dict, dict]:
    """Per offer: this customer's counts by kind; every customer's counts by kind and segment."""
    mine: dict[int, dict[str, int]] = defaultdict(dict)
    for row in (OfferEvent.objects.filter(offer_id__in=offer_ids, party_id=party_id)
                .values("offer_id", "kind").annotate(n=Count("id"))):
        mine[row["offer_id"]][row["kind"]] = row["n"]
    total: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    by_segment: dict[tuple[int, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in (OfferEvent.objects.filter(offer_id__in=offer_ids)
                .values("offer_id", "kind", "segment").annotate(n=Count("id"))):
        total[row["offer_id"]][row["kind"]] += row["n"]
        by_segment[(row["offer_id"], row["segment"])][row["kind"]] += row["n"]
    return mine, total, by_segment


def _segment(party_id: int) -> str:
    return str((profiles.current(party_id).data.get("key_figures") or {}).get("rfm_segment") or "")


def next_best(party_id: int, *, channel: str, limit: int = 3, actor: object = None, record: bool = True
              ) -> dict[str, Any]:
    """The ranked offers for the customer, the ones left out and why; the shown ones are recorded."""
    if channel not in CONSENT_CHANNEL:
        raise ValidationFailed.one("channel", _("Choose one of %(values)s") % {"values": ", ".join(CONSENT_CHANNEL)})
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationFailed.one("limit", _("Ask for 1 to %(n)s offers") % {"n": MAX_LIMIT})
    sync_tracked()
    segment = _segment(party_id)
    allowed, reason = _consent(party_id, channel)
    offers = _candidates(channel)
    excluded: list[dict[str, Any]] = []
    ranked: list[dict[str, Any]] = []
    mine, total, by_segment = _stats([o.pk for o in offers], party_id)
    for offer in offers:
        why = ""
        if not allowed:
            why = f"no_consent:{reason}"
        elif mine[offer.pk].get(OfferEvent.Kind.ACCEPTED):
            why = "redeemed"
        elif offer.cap_per_customer is not None and mine[offer.pk].get(OfferEvent.Kind.SHOWN, 0) >= \
                offer.cap_per_customer:
            why = "customer_cap"
        elif offer.cap_total is not None and total[offer.pk][OfferEvent.Kind.ACCEPTED] >= offer.cap_total:
            why = "total_cap"
        elif offer.eligibility and not _eligible(offer, party_id):
            why = "not_eligible"
        if why:
            excluded.append({"offer_id": offer.pk, "reason": why})
            continue
        seg = by_segment[(offer.pk, segment)]
        parts = propensity(total[offer.pk][OfferEvent.Kind.ACCEPTED], total[offer.pk][OfferEvent.Kind.SHOWN],
                           seg[OfferEvent.Kind.ACCEPTED], seg[OfferEvent.Kind.SHOWN])
        margin = margin_of(offer)
        value = Decimal(str(parts["propensity"])) * margin
        ranked.append({"offer": offer, "expected_value": round(float(value), 4),
                       "explanation": {**parts, "segment": segment, "margin": float(margin)}})
    ranked.sort(key=lambda r: (-r["expected_value"], -r["offer"].priority, r["offer"].pk))
    chosen = ranked[:limit]
    if record and chosen:
        _record_shown(party_id, [r["offer"] for r in chosen], segment, channel, actor)
    return {"party_id": party_id, "channel": channel, "segment": segment, "offers": chosen, "excluded": excluded}


def _eligible(offer: Offer, party_id: int) -> bool:
    try:
        return profiles.member_of(offer.eligibility, party_id)
    except ValidationFailed:  # a rule that stopped compiling (an attribute removed) makes nobody eligible
        return False


@transaction.atomic
def _record_shown(party_id: int, offers: list[Offer], segment: str, channel: str, actor: object) -> None:
    from kundebase.interactions.services import log_interaction
    from kundebase.offers import freshness

    now = timezone.now()
    OfferEvent.objects.bulk_create([OfferEvent(offer=o, party_id=party_id, kind=OfferEvent.Kind.SHOWN,
                                               segment=segment, occurred_at=now) for o in offers])
    freshness.mark([party_id], freshness.OFFERS)
    log_interaction(party_id=party_id, actor=actor, channel="api", data={
        "kind": "campaign", "direction": "out", "channel": TIMELINE_CHANNEL[channel], "occurred_at": now,
        "subject": (_("Offers shown: %(names)s") % {"names": ", ".join(o.name for o in offers)})[:300],
        "source": "offers"})


@transaction.atomic
def accept(party_id: int, offer_id: int, *, actor: object = None, event_id: int | None = None,
           timeline: bool = True) -> OfferEvent:
    """Record that the customer accepted (redeemed) the offer; refused when already redeemed or capped."""
    from kundebase.interactions.services import log_interaction
    from kundebase.offers import freshness

    offer = get_offer(offer_id)
    if OfferEvent.objects.filter(offer=offer, party_id=party_id, kind=OfferEvent.Kind.ACCEPTED).exists():
        raise Conflict(_("The customer has already accepted this offer"), code="already_redeemed")
    if offer.cap_total is not None and \
            OfferEvent.objects.filter(offer=offer, kind=OfferEvent.Kind.ACCEPTED).count() >= offer.cap_total:
        raise Conflict(_("The offer has reached its cap of acceptances"), code="capped")
    event = OfferEvent.objects.create(offer=offer, party_id=party_id, kind=OfferEvent.Kind.ACCEPTED,
                                      segment=_segment(party_id), event_id=event_id)
    freshness.mark([party_id], freshness.OFFERS)
    if timeline:
        log_interaction(party_id=party_id, actor=actor, channel="api", data={
            "kind": "campaign", "direction": "in", "channel": TIMELINE_CHANNEL[offer.channel],
            "subject": (_("Offer accepted: %(name)s") % {"name": offer.name})[:300], "source": "offers"})
    return event


def sync_tracked() -> int:
    """Count ``track "Offer Accepted"`` events from the event API as acceptances (once each).

    The event API has already put the event on the timeline; here it feeds the ranking.  Only events below the
    oldest one still waiting are read, so one processed out of order is not skipped; the position is kept in a
    core ``Sequence`` row.
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
