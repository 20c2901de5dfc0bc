"""REST routes: the customer profile, next-best offers and their acceptance, and offer definitions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema, Status
from pydantic import ConfigDict, Field, StrictInt

from kundebase.core.api_auth import require
from kundebase.offers import profiles, ranking, ratelimit, services

router = Router(tags=["profiles and offers"])


class ProfileOut(Schema):
    party_id: int
    computed_at: str
    version: int
    pseudonymised: bool
    identity: dict[str, Any]
    consent: dict[str, dict[str, Any]]
    segments: list[dict[str, Any]]
    key_figures: dict[str, Any]
    loyalty: dict[str, Any]
    last_interactions: list[dict[str, Any]]
    interests: list[dict[str, Any]]
    offers: dict[str, Any] = {}


class OfferOut(Schema):
    id: int
    name: str
    kind: str
    product_sku: str | None
    content: str
    discount_pct: float
    margin: float
    channel: str
    priority: int
    valid_from: dt.datetime | None
    valid_until: dt.datetime | None
    cap_per_customer: int | None
    cap_total: int | None
    eligibility: Any = None
    active: bool
    shown: int = 0
    accepted: int = 0
    acceptance_rate: float | None = None


class OfferIn(Schema):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(max_length=200)
    kind: str = "product"
    product_sku: str | None = Field(None, max_length=60)
    content: str = Field("", max_length=10000)
    discount_pct: float = 0
    margin: float | None = None
    channel: str = "web"
    priority: StrictInt = 0
    valid_from: dt.datetime | None = None
    valid_until: dt.datetime | None = None
    cap_per_customer: StrictInt | None = None
    cap_total: StrictInt | None = None
    eligibility: dict[str, Any] | None = None
    active: bool = True


class OfferPatch(Schema):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(None, max_length=200)
    kind: str | None = None
    product_sku: str | None = Field(None, max_length=60)
    content: str | None = Field(None, max_length=10000)
    discount_pct: float | None = None
    margin: float | None = None
    channel: str | None = None
    priority: StrictInt | None = None
    valid_from: dt.datetime | None = None
    valid_until: dt.datetime | None = None
    cap_per_customer: StrictInt | None = None
    cap_total: StrictInt | None = None
    eligibility: dict[str, Any] | None = None
    active: bool | None = None


class RankedOffer(Schema):
    offer: OfferOut
    expected_value: float
    explanation: dict[str, Any]


class OffersOut(Schema):
    party_id: int
    channel: str
    segment: str
    offers: list[RankedOffer]
    excluded: list[dict[str, Any]]


class Accepted(Schema):
    offer_id: int
    party_id: int
    accepted_at: dt.datetime


def _offer_out(offer: Any, rates: dict[int, dict[str, Any]] | None = None) -> dict[str, Any]:
    figures = (rates or {}).get(offer.pk) or {"shown": 0, "accepted": 0, "rate": None}
    return {**services.as_dict(offer), "shown": figures["shown"], "accepted": figures["accepted"],
            "acceptance_rate": figures["rate"]}


@router.get("/profiles/{profile_ref}", response={200: ProfileOut, 304: None})
def get_profile(request: HttpRequest, response: HttpResponse, profile_ref: str):
    """A customer's profile by customer number, event-API user or anonymous id, e-mail or phone (a prefix such
    as ``email:`` names the form).  Answers with an ETag; ``If-None-Match`` with it gives 304 while unchanged."""
    require(request, "offers.view_profile")
    ratelimit.check(request)
    from kundebase.privacy.masking import is_pseudonymised

    profile = profiles.find(profile_ref, user=request.user)
    tag = profiles.etag(profile, masked=is_pseudonymised(request.user))
    if tag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]:
        not_modified = HttpResponse(status=304)
        not_modified["ETag"] = tag
        return not_modified
    response["ETag"] = tag
    return profiles.present(profile, user=request.user)


@router.get("/profiles/{profile_ref}/offers", response={200: OffersOut})
def get_offers(request: HttpRequest, profile_ref: str, channel: str = "web", limit: int = 3):
    """The next-best offers for the customer on a channel, ranked by expected value (propensity × margin) with
    the figures behind each; offers left out are listed with the reason.  The shown offers are recorded."""
    require(request, "offers.view_offer")
    ratelimit.check(request)
    result = ranking.next_best(profile_ref, channel=channel, limit=limit, actor=request.user)
    rates = {r["offer"].pk: {"shown": r["explanation"]["shown"], "accepted": r["explanation"]["accepted"],
                             "rate": round(r["explanation"]["accepted"] / r["explanation"]["shown"], 4)
                             if r["explanation"]["shown"] else None} for r in result["offers"]}
    result["offers"] = [{**r, "offer": _offer_out(r["offer"], rates)} for r in result["offers"]]
    return result


@router.post("/profiles/{profile_ref}/offers/{int:offer_id}/accept", response={201: Accepted})
def accept_offer(request: HttpRequest, profile_ref: str, offer_id: int):
    """Record that the customer accepted the offer (on the timeline, and in the ranking); 409 when already
    redeemed or when the offer reached its cap."""
    require(request, "offers.add_offerevent")
    ratelimit.check(request)
    party_id = profiles.resolve(profile_ref, user=request.user)
    event = ranking.accept(party_id, offer_id, actor=request.user)
    return Status(201, {"offer_id": offer_id, "party_id": party_id, "accepted_at": event.occurred_at})


@router.get("/offers", response={200: list[OfferOut]})
def list_offers(request: HttpRequest):
    """Every offer with how often it was shown and accepted."""
    require(request, "offers.view_offer")
    from kundebase.offers.models import Offer

    rates = ranking.acceptance_rates()
    return [_offer_out(o, rates) for o in Offer.objects.select_related("product")]


@router.post("/offers", response={201: OfferOut})
def create_offer(request: HttpRequest, payload: OfferIn):
    """Define an offer; eligibility is a rule in the segment language.  Faults name their field (422)."""
    require(request, "offers.add_offer")
    offer = services.create_offer(data=payload.model_dump(), actor=request.user)
    return Status(201, _offer_out(offer))


@router.get("/offers/{int:offer_id}", response={200: OfferOut})
def get_offer(request: HttpRequest, offer_id: int):
    require(request, "offers.view_offer")
    return _offer_out(services.get_offer(offer_id), ranking.acceptance_rates())


@router.patch("/offers/{int:offer_id}", response={200: OfferOut})
def update_offer(request: HttpRequest, offer_id: int, payload: OfferPatch):
    require(request, "offers.change_offer")
    offer = services.update_offer(offer_id=offer_id, changes=payload.model_dump(exclude_unset=True),
                                  actor=request.user)
    return _offer_out(offer, ranking.acceptance_rates())
