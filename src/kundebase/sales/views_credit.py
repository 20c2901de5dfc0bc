"""The administrator's credit settings page: dunning rules per country and the credit policy (warn or refuse).
Thin: :mod:`kundebase.sales.dunning` checks and writes."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kundebase.core.errors import DomainError
from kundebase.sales import dunning
from kundebase.sales.models import CreditPolicy, DunningRule
from kundebase.web.access import requires
from kundebase.web.forms import place_errors

MANAGE = ("sales.view_dunningrule", "sales.add_dunningrule", "sales.change_dunningrule",
          "sales.change_creditpolicy")


class DunningRuleForm(forms.Form):
    country = forms.CharField(label=gettext_lazy("Country (two letters)"), max_length=2)
    payment_terms_days = forms.IntegerField(label=gettext_lazy("Payment terms (days)"))
    reminder_1_days = forms.IntegerField(label=gettext_lazy("Reminder 1 after (days overdue)"))
    reminder_2_days = forms.IntegerField(label=gettext_lazy("Reminder 2 after (days overdue)"))
    collection_days = forms.IntegerField(label=gettext_lazy("Debt collection after (days overdue)"))


class PolicyForm(forms.Form):
    mode = forms.ChoiceField(label=gettext_lazy("New deals and orders over the credit limit or for a customer in "
                                                "debt collection"), choices=CreditPolicy.Mode.choices)


@requires(*MANAGE)
def credit_settings(request: HttpRequest) -> HttpResponse:
    rule_form = DunningRuleForm(request.POST if request.POST.get("action") == "rule" else None)
    policy_form = PolicyForm(request.POST if request.POST.get("action") == "policy" else None,
                             initial={"mode": dunning.policy().mode})
    if request.method == "POST":
        try:
            if rule_form.is_bound and rule_form.is_valid():
                data = dict(rule_form.cleaned_data)
                rule = dunning.set_rule(country=data.pop("country"), data=data)
                messages.success(request, _("The rule for %(c)s is saved.") % {"c": rule.country})
                return redirect("sales:credit-settings")
            if policy_form.is_bound and policy_form.is_valid():
                dunning.set_policy(mode=policy_form.cleaned_data["mode"])
                messages.success(request, _("The credit policy is saved."))
                return redirect("sales:credit-settings")
        except DomainError as exc:
            place_errors(rule_form if rule_form.is_bound else policy_form, exc)
    failed = rule_form.errors or policy_form.errors
    return render(request, "sales/credit_settings.html", {
        "rules": DunningRule.objects.all(), "rule_form": rule_form, "policy_form": policy_form},
        status=422 if failed else 200)


@requires(*MANAGE, "sales.delete_dunningrule")
@require_POST
def dunning_rule_delete(request: HttpRequest, country: str) -> HttpResponse:
    try:
        dunning.delete_rule(country=country)
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("The rule for %(c)s is removed.") % {"c": country.upper()})
    return redirect("sales:credit-settings")
