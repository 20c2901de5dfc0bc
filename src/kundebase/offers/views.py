"""Offer pages: the list with acceptance rates and the create/edit form (the same validation as the API)."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kundebase.core.errors import ValidationFailed
from kundebase.offers import ranking, services
from kundebase.offers.models import Offer
from kundebase.web.access import requires

FORM_FIELDS = ("name", "kind", "product_sku", "content", "discount_pct", "margin", "channel", "priority",
               "valid_from", "valid_until", "cap_per_customer", "cap_total", "eligibility")


@requires("offers.view_offer", "offers.add_offer")
def offer_list(request: HttpRequest) -> HttpResponse:
    rates = ranking.acceptance_rates()
    items = [(o, rates.get(o.pk) or {"shown": 0, "accepted": 0, "rate": None})
             for o in Offer.objects.select_related("product")[:500]]
    return render(request, "offers/offer_list.html", {"items": items})


def _initial(offer: Offer | None) -> dict[str, Any]:
    if offer is None:
        return {"kind": "product", "channel": "web", "priority": 0, "discount_pct": "0", "active": True}
    data = services.as_dict(offer)
    data["margin"] = "" if offer.margin is None else offer.margin
    data["eligibility"] = json.dumps(offer.eligibility, ensure_ascii=False) if offer.eligibility else ""
    for key in ("valid_from", "valid_until"):
        data[key] = data[key].strftime("%Y-%m-%dT%H:%M") if data[key] else ""
    return data


def _form(request: HttpRequest, offer: Offer | None) -> HttpResponse:
    values, errors = _initial(offer), {}
    if request.method == "POST":
        values = {key: request.POST.get(key, "").strip() for key in FORM_FIELDS}
        values["active"] = request.POST.get("active") == "on"
        data: dict[str, Any] = dict(values)
        try:
            data["eligibility"] = json.loads(values["eligibility"]) if values["eligibility"] else None
        except ValueError:
            errors["eligibility"] = [_("Write the rule as JSON in the segment language")]
        if not errors:
            try:
                if offer is None:
                    services.create_offer(data=data, actor=request.user, channel="web")
                else:
                    services.update_offer(offer_id=offer.pk, changes=data, actor=request.user, channel="web")
                return redirect("offers:list")
            except ValidationFailed as exc:
                for error in exc.errors:
                    errors.setdefault(error.field.split(".")[0].split("[")[0], []).append(error.message)
    return render(request, "offers/offer_form.html", {
        "offer": offer, "values": values, "errors": errors, "kinds": Offer.Kind.choices,
        "channels": Offer.Channel.choices}, status=422 if errors else 200)


@requires("offers.add_offer")
@require_http_methods(["GET", "POST"])
def offer_new(request: HttpRequest) -> HttpResponse:
    return _form(request, None)


@requires("offers.change_offer")
@require_http_methods(["GET", "POST"])
def offer_edit(request: HttpRequest, offer_id: int) -> HttpResponse:
    return _form(request, services.get_offer(offer_id))
