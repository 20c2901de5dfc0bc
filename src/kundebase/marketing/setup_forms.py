"""Forms of the marketing set-up pages (triggers, the loyalty programme, its tiers and earning rules).

They carry what was typed under the service's field names; ``configuration`` decides, as for the API, and its
field errors are shown beside these fields.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from kundebase.marketing.models import Campaign, TriggerRule


class TriggerForm(forms.Form):
    name = forms.CharField(label=_("Name"), required=False, max_length=300)
    event = forms.ChoiceField(label=_("When"), choices=[("", "—"), *TriggerRule.Event.choices], required=False)
    days = forms.IntegerField(label=_("Days (after the event, or without a purchase)"), initial=0, required=False)
    action = forms.ChoiceField(label=_("Then"), choices=TriggerRule.Action.choices, initial=TriggerRule.Action.TASK)
    campaign_id = forms.TypedChoiceField(label=_("E-mail campaign to send"), coerce=int, empty_value=None,
                                         required=False)
    assignee_id = forms.TypedChoiceField(label=_("Salesperson who gets the task"), coerce=int, empty_value=None,
                                         required=False)
    task_text = forms.CharField(label=_("Task text"), required=False, max_length=300)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        campaigns = Campaign.objects.filter(channel=Campaign.Channel.EMAIL).order_by("name").values_list("pk", "name")
        cast(forms.TypedChoiceField, self.fields["campaign_id"]).choices = [("", "—"), *campaigns]
        users = get_user_model().objects.filter(is_active=True).order_by("username").values_list("pk", "username")
        cast(forms.TypedChoiceField, self.fields["assignee_id"]).choices = [("", "—"), *users]

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        if data.get("days") is None:
            data["days"] = ""  # the service explains an empty number
        return data


class ProgrammeForm(forms.Form):
    name = forms.CharField(label=_("Programme name"), required=False, max_length=300)
    points_per_unit = forms.CharField(label=_("Points per currency unit spent"), required=False, max_length=30)
    expiry_months = forms.IntegerField(label=_("Points expire after (months)"), required=False)

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        if data.get("expiry_months") is None:
            data["expiry_months"] = ""
        return data


class TierForm(forms.Form):
    name = forms.CharField(label=_("Tier name"), required=False, max_length=120)
    threshold = forms.IntegerField(label=_("Points earned in the last 12 months to reach it"), required=False)


class ActionRuleForm(forms.Form):
    action = forms.CharField(label=_("Action (e.g. review, signup, referral)"), required=False, max_length=120)
    points = forms.IntegerField(label=_("Points"), required=False)
