"""The campaign form of the web pages: it only carries what was typed; ``campaigns.validated`` decides, exactly as
for the API, and its field errors are placed beside these fields (the field names are the service's)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from kundebase.marketing.models import Campaign, Segment
from kundebase.privacy.models import Purpose
from kundebase.privacy.purposes import CAMPAIGN_DEFAULT


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("Name"), required=False, max_length=300)
    segment_id = forms.TypedChoiceField(label=_("Segment (who receives it)"), coerce=int, required=False,
                                        empty_value=None)
    channel = forms.ChoiceField(label=_("Channel"), choices=Campaign.Channel.choices, initial=Campaign.Channel.EMAIL)
    purpose = forms.ChoiceField(label=_("Purpose (the consent it relies on)"), initial=CAMPAIGN_DEFAULT)
    from_email = forms.CharField(label=_("Sender address"), required=False, max_length=200,
                                 widget=forms.TextInput(attrs={"type": "email"}))
    subject = forms.CharField(label=_("Subject"), required=False, max_length=300)
    body = forms.CharField(label=_("Message (HTML)"), required=False,
                           widget=forms.Textarea(attrs={"rows": 8, "aria-describedby": "body-placeholders"}))
    call_script = forms.CharField(label=_("Call script (call campaigns)"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    conversion_days = forms.IntegerField(label=_("Count a purchase as converted within (days)"), initial=14,
                                         required=False)
    rate_per_second = forms.FloatField(label=_("Messages per second at most"), initial=50, required=False)
    preview_customer = forms.CharField(label=_("Preview for customer (customer number, name or e-mail)"),
                                       required=False, max_length=320)
    test_to = forms.CharField(label=_("Test messages go to"), required=False, disabled=True)

    SERVICE_FIELDS = ("name", "segment_id", "channel", "purpose", "from_email", "subject", "body", "call_script",
                      "conversion_days", "rate_per_second")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        segment = cast(forms.TypedChoiceField, self.fields["segment_id"])
        segment.choices = [("", "—"), *Segment.objects.order_by("name").values_list("pk", "name")]
        purpose = cast(forms.ChoiceField, self.fields["purpose"])
        purpose.choices = list(Purpose.objects.filter(active=True).order_by("name").values_list("key", "name"))

    def service_data(self) -> dict[str, Any]:
        """The typed values under the service's names; an empty number is left for the service to explain."""
        data = {k: self.cleaned_data.get(k) for k in self.SERVICE_FIELDS}
        for key in ("conversion_days", "rate_per_second"):
            if data[key] is None:
                data[key] = ""
        return data

    @staticmethod
    def initial_for(campaign: Campaign | None, email: str) -> dict[str, Any]:
        if campaign is None:
            return {"test_to": email}
        return {**{k: getattr(campaign, k) for k in CampaignForm.SERVICE_FIELDS}, "test_to": email}
