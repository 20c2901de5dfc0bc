"""The customer profile: who it is (as far as the caller may see), consent per channel, segments, key figures,
loyalty, last interactions and interests — computed once per change and served from :class:`Profile`.

Nothing here recomputes what another context owns: key figures and lifetime value come from
``analytics.keyfigures``, the RFM segment from the analytics SQL the RFM report runs, consent from
``privacy.decision``, segment membership from the segment language, loyalty from ``marketing.loyalty``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kundebase.core.errors import Forbidden, NotFound
from kundebase.offers.models import Profile

LAST_INTERACTIONS = 10
PREFIXES = ("customer", "user", "anonymous", "email", "phone")
"""An id may name its form (``email:kari@example.no``); without a prefix the forms are tried in this order."""
IDENTIFYING_FORMS = ("email", "phone")
"""Forms the pseudonymised role may not look people up by: a hit would confirm whose e-mail or phone it is."""


# --- which customer an id names -----------------------------------------------------------------------------------

def _identity(kind: str, value: str) -> int | None:
    from kundebase.ingest.models import Identity, Source

    # every source named (there are few): the (source, kind, value) index is then probed once per source, where
    # kind and value alone left PostgreSQL to scan every identity (23 ms at 100,000 of them, per profile read)
    return (Identity.objects.filter(source_id__in=Source.objects.values("pk"), kind=kind, value=value[:200],
                                    party_id__isnull=False)
            .order_by("source_id").values_list("party_id", flat=True).first())


def _looks_identifying(text: str) -> bool:
    return "@" in text or sum(ch.isdigit() for ch in text) >= 5


def _form(ref: str, *, user: Any) -> tuple[str, str, bool]:
    """``(form, text, may_identify)`` of an id: the form named by its prefix ('' when none); 404 for an id that
    cannot name anyone, 403 for a form the caller's role may not use."""
    from kundebase.privacy.masking import identifies_people

    text = (ref or "").strip()
    form = ""
    head, sep, rest = text.partition(":")
    if sep and head in PREFIXES and rest:
        form, text = head, rest.strip()
    if not text or len(text) > 320 or "\x00" in text:
        raise NotFound(_("Customer"), ref)
    may_identify = identifies_people(user)
    if form in IDENTIFYING_FORMS and not may_identify:
        raise Forbidden(_("Your role sees pseudonymised data only and cannot look people up by e-mail or phone"))
    return form, text, may_identify


def resolve(ref: str, *, user: Any) -> int:
    """The customer an id names: a customer number, a user id or anonymous id from the event API, an e-mail or
    a phone.  404 when nobody matches; 403 when the caller's role may not look people up by that form."""
    from kundebase.parties.models import Party

    form, text, may_identify = _form(ref, user=user)
    if form in ("", "customer"):
        row = Party.objects.filter(customer_number=text).values_list("pk", "merged_into_id", "erased_at").first()
        if row is not None:
            if row[1] is None and row[2] is None:
                return int(row[0])  # the usual case: a live customer, found and checked in one query
            return _live(row[0], ref)
    return _live(_other_forms(ref, form, text, may_identify), ref)


def _other_forms(ref: str, form: str, text: str, may_identify: bool) -> int | None:
    from kundebase.parties.lookup import lookup

    party_id: int | None = None
    if form in ("", "user"):
        party_id = _identity("user", text)
    if party_id is None and form in ("", "anonymous"):
        party_id = _identity("anonymous", text)
    if party_id is None and form in ("", "email", "phone"):
        if not may_identify and _looks_identifying(text):
            raise Forbidden(_("Your role sees pseudonymised data only and cannot look people up by e-mail or "
                              "phone"))
        if form != "email" or "@" in text:
            found = lookup(text, limit=1)
            party_id = found[0] if found else None
    return party_id


BY_NUMBER = ("SELECT p.id AS party_id, p.merged_into_id AS merged_into, p.erased_at AS erased, pr.data, "
             "pr.version, pr.generation, pr.built_generation, pr.stale_parts, pr.computed_at "
             "FROM parties_party p LEFT JOIN offers_profile pr ON pr.party_id = p.id WHERE p.customer_number = %s")
"""A customer number, whether the customer is live, and their profile row: a cached read in one query."""


def find(ref: str, *, user: Any, needed: int | None = None) -> Profile:
    """:func:`current` of :func:`resolve`, folded: for a customer number one query finds the customer, checks
    that they are live and reads their profile row; the other forms add their own look-up.  ``needed``: as in
    :func:`current`."""
    from kundebase.offers.freshness import EVERYTHING

    wanted = EVERYTHING if needed is None else needed
    form, text, _may = _form(ref, user=user)
    if form in ("", "customer"):
        rows = list(Profile.objects.raw(BY_NUMBER, [text]))
        if rows:
            row: Any = rows[0]  # the raw query adds the customer's merged_into and erased columns
            if row.merged_into is None and row.erased is None:
                if row.version is not None and row.built_generation and not row.stale_parts & wanted:
                    return row
                return current(row.party_id, needed=needed)
    return current(resolve(ref, user=user), needed=needed)


def _live(party_id: int | None, ref: str) -> int:
    """Follow a merge to the surviving customer; an erased or unknown one is not found."""
    from kundebase.parties.models import Party

    seen = 0
    while party_id is not None and seen < 10:
        row = Party.objects.filter(pk=party_id).values_list("merged_into_id", "erased_at").first()
        if row is None or row[1] is not None:
            break
        if row[0] is None:
            return party_id
        party_id, seen = row[0], seen + 1
    raise NotFound(_("Customer"), ref)


# --- the parts of a profile ---------------------------------------------------------------------------------------

def _identity_part(party_id: int) -> dict[str, Any]:
    from kundebase.parties.models import Address, ContactPoint, Party, Person

    party = Party.objects.get(pk=party_id)
    named = Person.objects.filter(pk=party_id).values("given_name", "family_name", "birth_date").first()
    person: dict[str, Any] = dict(named) if named else {}
    points = list(ContactPoint.objects.filter(party_id=party_id).order_by("kind", "id").values(
        "kind", "value", "normalised"))
    primary = (Address.objects.filter(party_id=party_id).order_by("-is_primary", "id")
               .values("postcode", "city", "country").first())
    address: dict[str, Any] = dict(primary) if primary else {}
    return {"id": party.pk, "customer_number": party.customer_number, "kind": party.kind, "status": party.status,
            "display_name": party.display_name, "given_name": person.get("given_name", ""),
            "family_name": person.get("family_name", ""),
            "birth_date": person["birth_date"].isoformat() if person.get("birth_date") else None,
            "preferred_language": party.preferred_language,
            "contact_points": points, "postcode": address.get("postcode", ""), "city": address.get("city", ""),
            "country": address.get("country", "")}


def consent_part(party_id: int) -> dict[str, dict[str, Any]]:
    """Per channel: may we market to the customer (direct marketing), and why — privacy's one rule, its facts
    read once for every channel."""
    from kundebase.privacy import decision, purposes
    from kundebase.privacy.models import Channel

    decided = decision.decide_channels(party_id, channels=Channel.values, purpose=purposes.DIRECT_MARKETING)
    return {channel: {"allowed": allowed, "reason": reason} for channel, (allowed, reason) in decided.items()}


def member_of(rule: Any, party_id: int, *, segment_id: int | None = None) -> bool:
    """Whether one customer matches a rule in the segment language (one indexed query)."""
    from kundebase.core.dialect import for_connection
    from kundebase.marketing.segment_language import select_sql

    dialect = for_connection()
    sql, params = select_sql(rule, dialect, select="p.id", segments=(segment_id,) if segment_id else ())
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} AND p.id = {dialect.placeholder}", [*params, party_id])
        return cursor.fetchone() is not None


def _segments_part(party_id: int, changed: int, before: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """The saved segments the customer is in.  Only segments whose rule reads a changed source are evaluated
    again; the others keep the answer the profile already holds (``before``)."""
    from kundebase.core.errors import ValidationFailed
    from kundebase.marketing.models import Segment, SegmentMember
    from kundebase.offers.freshness import SEGMENTS, rule_sources

    everything = before is None or bool(changed & SEGMENTS)
    was_in = {row["id"] for row in before or ()}
    static: set[int] | None = None
    out = []
    for segment in Segment.objects.order_by("name"):
        if segment.kind == Segment.Kind.STATIC:
            if everything:
                if static is None:
                    static = set(SegmentMember.objects.filter(party_id=party_id)
                                 .values_list("segment_id", flat=True))
                inside = segment.pk in static
            else:
                inside = segment.pk in was_in
        elif everything or rule_sources(segment.rule) & changed:
            try:
                inside = member_of(segment.rule, party_id, segment_id=segment.pk)
            except ValidationFailed:  # a saved rule that no longer compiles names nobody
                inside = False
        else:
            inside = segment.pk in was_in
        if inside:
            out.append({"id": segment.pk, "name": segment.name})
    return out


def rfm_segment(party_id: int) -> str:
    """The customer's RFM segment as the RFM report names it ('' for someone who never bought)."""
    from kundebase.analytics import engine, rfm_lookup

    with engine.reading(follow=("customers", "orders")) as con:  # new timeline rows do not move RFM scores
        return rfm_lookup.segment(con, party_id, timezone.now(), path=str(engine.mirror_path()))


def _figures_part(party_id: int) -> dict[str, Any]:
    """Key figures and RFM segment from one opening of the analytics mirror, brought up to the write that made
    them stale first (the mirror refreshes when its source has rows it has not seen)."""
    from kundebase.analytics import engine, keyfigures, rfm_lookup

    keep = ("orders", "revenue", "gross_margin", "gross_margin_pct", "average_order", "first_order_at",
            "last_order_at", "recency_days", "predicted_value_12m", "expected_orders_12m", "p_alive", "churn_risk")
    with engine.reading() as con:
        try:
            figures = keyfigures.figures_from(con, party_id)
        except NotFound:
            figures = {}
        out = {key: figures.get(key) for key in keep}
        out["rfm_segment"] = rfm_lookup.segment(con, party_id, timezone.now(), path=str(engine.mirror_path())) \
            if figures.get("orders") else ""
    return out


def _loyalty_part(party_id: int) -> dict[str, Any]:
    from kundebase.marketing import loyalty
    from kundebase.marketing.models import LoyaltyMember

    if not LoyaltyMember.objects.filter(party_id=party_id).exists():
        return {"member": False, "tier": None, "points": 0}
    summary = loyalty.summary(party_id)
    return {"member": True, "tier": summary["tier"], "points": summary["balance"]}


def _interactions_part(party_id: int) -> list[dict[str, Any]]:
    from kundebase.interactions.models import Interaction

    rows = (Interaction.objects.filter(party_id=party_id).order_by("-occurred_at", "-id")
            .values("id", "kind", "channel", "direction", "occurred_at", "subject")[:LAST_INTERACTIONS])
    return [{**row, "occurred_at": row["occurred_at"].isoformat()} for row in rows]


def _interests_part(party_id: int) -> list[dict[str, Any]]:
    from kundebase.orders.models import ProductInterest

    rows = (ProductInterest.objects.filter(party_id=party_id, accepted=True).order_by("-created_at", "-id")
            .values("product__sku", "product__name", "category__name", "source")[:20])
    return [{"sku": r["product__sku"], "product": r["product__name"], "category": r["category__name"],
             "source": r["source"]} for r in rows]


def _offers_part(party_id: int) -> dict[str, Any]:
    """How often the customer was shown offers and accepted them, and which offers they redeemed."""
    from django.db.models import Count

    from kundebase.offers.models import OfferEvent

    counts = {"shown": 0, "accepted": 0}
    redeemed: list[int] = []
    for row in (OfferEvent.objects.filter(party_id=party_id).values("offer_id", "kind").annotate(n=Count("id"))
                .order_by("offer_id")):
        counts[row["kind"]] = counts.get(row["kind"], 0) + row["n"]
        if row["kind"] == OfferEvent.Kind.ACCEPTED:
            redeemed.append(row["offer_id"])
    return {**counts, "redeemed": redeemed}


def rule_key(rule: Any) -> str:
    """A short fingerprint of a rule: an answer kept for a rule holds only while the rule is the same."""
    return hashlib.sha1(json.dumps(rule, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _offer_rules_part(party_id: int, changed: int, before: dict[str, Any] | None) -> dict[str, list[Any]]:
    """Per active offer with an eligibility rule, ``[rule_key, eligible]``: the offers answer reads it instead
    of asking the database rule by rule.  A rule is evaluated again when it changed (``rule_key``), when a
    source it reads changed, or when an offer's rule was defined (:func:`freshness.mark_offer_rules`)."""
    from kundebase.core.errors import ValidationFailed
    from kundebase.offers.freshness import OFFER_RULES, rule_sources
    from kundebase.offers.models import Offer

    out: dict[str, list[Any]] = {}
    for offer_id, rule in Offer.objects.filter(active=True, eligibility__isnull=False).values_list(
            "pk", "eligibility"):
        if not rule:
            continue
        key = rule_key(rule)
        known = (before or {}).get(str(offer_id))
        if known and known[0] == key and not changed & OFFER_RULES and not rule_sources(rule) & changed:
            out[str(offer_id)] = known
            continue
        try:
            inside = member_of(rule, party_id)
        except ValidationFailed:  # a rule that stopped compiling names nobody
            inside = False
        out[str(offer_id)] = [key, inside]
    return out


def consent_age(profile: Profile) -> float:
    """Seconds since the row's consent decision was taken (infinite for a row built before this was kept)."""
    stamp = (profile.data or {}).get("_consent_at")
    moment = dt.datetime.fromisoformat(stamp) if isinstance(stamp, str) else None
    return (timezone.now() - moment).total_seconds() if moment else float("inf")


PARTS = {"identity": _identity_part, "consent": consent_part, "key_figures": _figures_part,
         "loyalty": _loyalty_part, "last_interactions": _interactions_part, "interests": _interests_part,
         "offers": _offers_part}


def build(party_id: int, *, changed: int | None = None, before: dict[str, Any] | None = None) -> dict[str, Any]:
    """The parts of one customer's profile (unmasked) that depend on the ``changed`` sources, the others taken
    from ``before``; everything when ``changed`` is ``None`` or a part was never built."""
    from kundebase.offers.freshness import EVERYTHING, PART_SOURCES

    changed = EVERYTHING if changed is None else changed
    before = before or {}
    data: dict[str, Any] = {}
    for name, compute in PARTS.items():
        data[name] = compute(party_id) if name not in before or PART_SOURCES[name] & changed else before[name]
    figures: dict[str, Any] = data["key_figures"] or {}
    if figures is before.get("key_figures") and figures.get("orders"):
        # scores are quintiles over everyone: other customers' orders move them, so every rebuild scores the
        # customer again — from the boundaries this process holds when they are recent, else from the mirror
        from kundebase.analytics import engine, rfm_lookup

        again = rfm_lookup.segment_from_figures(figures, party_id, timezone.now(), path=str(engine.mirror_path()))
        data["key_figures"] = {**figures, "rfm_segment": rfm_segment(party_id) if again is None else again}
    data["segments"] = _segments_part(party_id, changed, before.get("segments"))
    data["_offer_rules"] = _offer_rules_part(party_id, changed, before.get("_offer_rules"))
    data["_consent_at"] = timezone.now().isoformat() if data["consent"] is not before.get("consent") \
        else before.get("_consent_at")
    return data


# --- the cache row --------------------------------------------------------------------------------------------------

def current(party_id: int, *, needed: int | None = None) -> Profile:
    """The customer's profile row, its marked parts rebuilt first (every part when it was never built).

    ``needed``: the sources (:mod:`freshness` bits) the caller reads; a row marked only in others is returned
    as it is (the offers answer reads consent, the RFM segment and the offer rules, not the timeline its own
    showings just marked).  ``None``: every source."""
    from django.db.models import F

    from kundebase.offers.freshness import EVERYTHING

    wanted = EVERYTHING if needed is None else needed
    profile = Profile.objects.filter(party_id=party_id).first()
    if profile is not None and profile.built_generation and not profile.stale_parts & wanted:
        return profile
    if profile is None:
        try:
            with transaction.atomic():
                profile = Profile.objects.create(party_id=party_id)
        except IntegrityError:  # another request created it meanwhile
            profile = Profile.objects.get(party_id=party_id)
    generation, changed = profile.generation, profile.stale_parts
    data = build(party_id, changed=changed, before=profile.data if profile.built_generation else None)
    now = timezone.now()
    done = Profile.objects.filter(party_id=party_id, generation=generation).update(
        data=data, built_generation=generation, stale_parts=0, computed_at=now, version=F("version") + 1)
    if not done:  # a write landed meanwhile: keep its marks (and ours) so the next read builds again
        Profile.objects.filter(party_id=party_id).update(data=data, computed_at=now, version=F("version") + 1)
    profile.refresh_from_db()
    return profile


def etag(profile: Profile, *, masked: bool) -> str:
    return f'"{profile.party_id}-{profile.version}{"-p" if masked else ""}"'


def present(profile: Profile, *, user: Any) -> dict[str, Any]:
    """The profile as this caller may see it: the pseudonymised role gets pseudonyms for every identifier, no
    exact birth date, and the interactions without their free text."""
    from kundebase.privacy.masking import is_pseudonymised, mask_party, pseudonym

    data = {key: value for key, value in profile.data.items() if not key.startswith("_")}  # "_": bookkeeping
    identity = dict(data.get("identity") or {})
    masked = is_pseudonymised(user)
    if masked:
        identity["contact_points"] = [dict(cp) for cp in identity.get("contact_points") or []]
        identity = mask_party(identity)
        identity["postcode"] = pseudonym("postcode", identity.get("postcode")) if identity.get("postcode") else ""
        data["last_interactions"] = [{**row, "subject": None} for row in data.get("last_interactions") or []]
    data["identity"] = identity
    computed = profile.computed_at or timezone.now()
    return {"party_id": profile.party_id, "computed_at": computed.isoformat() if isinstance(computed, dt.datetime)
            else computed, "version": profile.version, "pseudonymised": masked, **data}
