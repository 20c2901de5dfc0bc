"""Forms of the sales pages: they only collect input; the services check it and their field errors are placed
beside the fields here."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kundebase.sales.models import LostReason, Task


class DealForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    party_id = forms.IntegerField(label=_("Customer number (id)"), widget=forms.NumberInput)
    contact_person_id = forms.IntegerField(label=_("Contact person (id)"), required=False)
    pipeline_id = forms.TypedChoiceField(label=_("Pipeline"), coerce=int, choices=())
    amount = forms.DecimalField(label=_("Amount"), min_value=0, max_digits=14, decimal_places=2, initial=0)
    currency = forms.CharField(label=_("Currency"), max_length=3, required=False)
    expected_close_on = forms.DateField(label=_("Expected close date"), required=False,
                                        widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, pipelines: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        pipeline = self.fields["pipeline_id"]
        assert isinstance(pipeline, forms.ChoiceField)
        pipeline.choices = pipelines


class TaskForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    due_at = forms.DateTimeField(label=_("Due"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                 input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"])
    priority = forms.ChoiceField(label=_("Priority"), choices=Task.Priority.choices, initial=Task.Priority.NORMAL)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    deal_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    party_id = forms.IntegerField(required=False, widget=forms.HiddenInput)


class LoseForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=LostReason.choices)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
