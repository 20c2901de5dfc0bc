"""Setting up a campaign in the browser: create and change a draft, preview it for a chosen customer, send a test
to oneself.  Thin: ``campaigns.validated`` is the one set of rules (the API's), ``campaign_preview`` renders and
sends exactly as a real send does."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kundebase.core.errors import DomainError
from kundebase.marketing import campaign_preview, campaigns
from kundebase.marketing.campaign_forms import CampaignForm
from kundebase.marketing.models import Campaign
from kundebase.parties import identify
from kundebase.web.access import require, requires, signed_in_user
from kundebase.web.page_errors import form_errors

PLACEHOLDERS = ("given_name", "name", "customer_number", "last_purchase.date", "unsubscribe_url")
"""What a campaign's message may name, filled in per customer (:mod:`kundebase.marketing.personalise`)."""


def _editor(request: HttpRequest, campaign: Campaign | None) -> HttpResponse:
    user = signed_in_user(request)
    form = CampaignForm(request.POST if request.method == "POST" else None,
                        initial=CampaignForm.initial_for(campaign, user.email))
    preview = None
    if request.method == "POST":
        require(request, "marketing.change_campaign" if campaign else "marketing.add_campaign")
        action = request.POST.get("action", "save")
        if form.is_valid():
            data = form.service_data()
            try:
                if action in ("preview", "test"):
                    kept = {"text_blocks": campaign.text_blocks, "offers": campaign.offers} if campaign else {}
                    values = campaigns.validated({**kept, **data})
                    party = identify.find(form.cleaned_data["preview_customer"], field="preview_customer")
                    if action == "test":
                        address = campaign_preview.send_test(values, party, to=user.email, actor=user)
                        messages.success(request, _("A test message was sent to %(address)s.") % {"address": address})
                    preview = campaign_preview.render_for(values, party)
                elif campaign is None:
                    campaign = campaigns.create_campaign(data=data, actor=user, channel="web")
                    messages.success(request, _("The campaign was created as a draft."))
                    return redirect("marketing:campaign", campaign_id=campaign.pk)
                else:
                    campaigns.update_campaign(campaign_id=campaign.pk, changes=data, actor=user, channel="web")
                    messages.success(request, _("Your changes were saved."))
                    return redirect("marketing:campaign", campaign_id=campaign.pk)
            except DomainError as exc:
                form_errors(form, exc)
    return render(request, "marketing/campaign_form.html", {
        "form": form, "campaign": campaign, "preview": preview,
        "editable": campaign is None or campaign.status == Campaign.Status.DRAFT,
        "placeholders": PLACEHOLDERS,
    }, status=422 if form.errors else 200)


@requires("marketing.view_campaign", "marketing.add_campaign")
@require_http_methods(["GET", "POST"])
def campaign_new(request: HttpRequest) -> HttpResponse:
    return _editor(request, None)


@requires("marketing.view_campaign", "marketing.change_campaign")
@require_http_methods(["GET", "POST"])
def campaign_edit(request: HttpRequest, campaign_id: int) -> HttpResponse:
    return _editor(request, campaigns.get_campaign(campaign_id))
