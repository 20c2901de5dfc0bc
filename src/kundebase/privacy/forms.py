"""Forms of the privacy pages; validation of substance happens in the services, whose field errors are shown
next to the fields."""

from __future__ import annotations

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from kundebase.privacy.models import Channel, ConsentEvent, ConsentStatus


class ConsentForm(forms.Form):
    purpose = forms.ChoiceField(label=_("Purpose"))
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    status = forms.ChoiceField(label=_("Status"), choices=ConsentStatus.choices)
    legal_basis = forms.CharField(label=_("Legal basis"), initial="consent", max_length=30)
    explanation = forms.CharField(label=_("Explanation"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    source = forms.ChoiceField(label=_("Source"), choices=ConsentEvent.Source.choices, initial="employee")
    notice_version = forms.CharField(label=_("Notice/text version shown"), required=False, max_length=60)
    double_opt_in_at = forms.DateTimeField(label=_("Double opt-in confirmed"), required=False)
    valid_from = forms.DateTimeField(label=_("Valid from"), required=False)
    valid_until = forms.DateTimeField(label=_("Valid until"), required=False)

    def __init__(self, *args: object, purposes: list[tuple[str, str]] | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        purpose = cast(forms.ChoiceField, self.fields["purpose"])  # declared as a ChoiceField above
        purpose.choices = [("", "—"), *(purposes or [])]
        self.fields["purpose"].required = False  # the service explains a missing purpose precisely


class PersonActionForm(forms.Form):
    customer = forms.CharField(label=_("Customer number, name or e-mail"), max_length=320, required=False)
    requested_by = forms.CharField(label=_("Requested by"), required=False, max_length=150)


class ErasureForm(forms.Form):
    """Erasure cannot be undone: the person at the desk types the customer number or the name to confirm."""

    confirmation = forms.CharField(label=_("Type the customer number or the full name to confirm"), max_length=320,
                                   required=False, widget=forms.TextInput(attrs={"autocomplete": "off"}))
    verified = forms.BooleanField(label=_("I have verified the person's identity"), required=False)
    requested_by = forms.CharField(label=_("Requested by"), required=False, max_length=150)


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=[("release", _("Release")), ("reject", _("Reject"))])
    note = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
