"""Forms of the service pages; their errors come from the services' field errors."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kundebase.service.models import Case, Priority


class MessageForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=300, required=False)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 10}), max_length=100_000,
                           help_text=_("The customer's fields can be used: {{ given_name }}, {{ name }}, "
                                       "{{ customer_number }}."))
    confirm_special_category_reason = forms.CharField(
        label=_("Reason to keep special-category words"), max_length=500, required=False)


class CaseForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Case.Status.choices)
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices)
    category = forms.ChoiceField(label=_("Category"), required=False)
    assigned_to_id = forms.ChoiceField(label=_("Assigned to"), required=False)

    def __init__(self, *args: object, categories: list[tuple[str, str]], users: list[tuple[int, str]],
                 **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        category, assignee = self.fields["category"], self.fields["assigned_to_id"]
        assert isinstance(category, forms.ChoiceField) and isinstance(assignee, forms.ChoiceField)
        category.choices = [("", "—"), *categories]
        assignee.choices = [("", "—"), *users]
