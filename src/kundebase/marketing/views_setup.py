"""Setting up triggers and the loyalty programme in the browser, with the services (and rules) the API uses."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kundebase.core.errors import DomainError
from kundebase.marketing import configuration, loyalty
from kundebase.marketing.models import LoyaltyActionRule, LoyaltyTier, TriggerRule
from kundebase.marketing.setup_forms import ActionRuleForm, ProgrammeForm, TierForm, TriggerForm
from kundebase.web.access import require, requires
from kundebase.web.page_errors import form_errors


@requires("marketing.view_triggerrule")
@require_http_methods(["GET", "POST"])
def triggers(request: HttpRequest) -> HttpResponse:
    """The life-event rules and a form for a new one (``kundebase triggers run`` evaluates them)."""
    form = TriggerForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        require(request, "marketing.add_triggerrule")
        if form.is_valid():
            try:
                rule = configuration.create_trigger(data=form.service_data(), actor=request.user, channel="web")
            except DomainError as exc:
                form_errors(form, exc)
            else:
                messages.success(request, _("The trigger %(name)s was added.") % {"name": rule.name})
                return redirect("marketing:triggers")
    rules = TriggerRule.objects.select_related("campaign", "assignee").order_by("name")
    return render(request, "marketing/triggers.html", {"form": form, "rules": rules},
                  status=422 if form.errors else 200)


LOYALTY_FORMS: dict[str, tuple[type[forms.Form], tuple[str, ...]]] = {
    "programme": (ProgrammeForm, ("marketing.change_loyaltyprogramme",)),
    "tier": (TierForm, ("marketing.change_loyaltytier", "marketing.add_loyaltytier")),
    "rule": (ActionRuleForm, ("marketing.change_loyaltyactionrule", "marketing.add_loyaltyactionrule")),
}
"""Each form of the loyalty page with the permissions its POST needs (the API's for the same change)."""


def _save(which: str, form: Any, actor: object) -> None:
    if which == "programme":
        configuration.set_programme(data=form.service_data(), actor=actor, channel="web")
    elif which == "tier":
        configuration.set_tier(name=form.cleaned_data["name"], threshold=form.cleaned_data["threshold"],
                               actor=actor, channel="web")
    else:
        configuration.set_action_rule(action=form.cleaned_data["action"], points=form.cleaned_data["points"],
                                      actor=actor, channel="web")


@requires("marketing.view_loyaltytier")
@require_http_methods(["GET", "POST"])
def loyalty_setup(request: HttpRequest) -> HttpResponse:
    """The programme's settings, its tiers and the points for actions other than orders; a tier or an action
    typed again with a new value is changed (as ``PUT`` in the API)."""
    current = loyalty.programme()
    bound = request.POST.get("form", "") if request.method == "POST" else ""
    initial = {"programme": {"name": current.name, "points_per_unit": current.points_per_unit,
                             "expiry_months": current.expiry_months}}
    forms_by_key = {key: cls(request.POST if key == bound else None, initial=initial.get(key), prefix=key)
                    for key, (cls, _perms) in LOYALTY_FORMS.items()}
    if request.method == "POST":  # a post naming no form of the page is refused like a change of the tiers
        require(request, *LOYALTY_FORMS.get(bound, LOYALTY_FORMS["tier"])[1])
    if bound in LOYALTY_FORMS:
        form = forms_by_key[bound]
        if form.is_valid():
            try:
                _save(bound, form, request.user)
            except DomainError as exc:
                form_errors(form, exc)
            else:
                messages.success(request, _("Your changes were saved."))
                return redirect("marketing:loyalty")
    failed = any(f.is_bound and f.errors for f in forms_by_key.values())
    return render(request, "marketing/loyalty.html", {
        "programme": current, "forms": forms_by_key, "tiers": LoyaltyTier.objects.all(),
        "rules": LoyaltyActionRule.objects.order_by("action"),
    }, status=422 if failed else 200)
