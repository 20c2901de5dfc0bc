"""Forms of the source and mapping-template pages: what was typed, under the service's field names."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kundebase.ingest import mapping

ENTITY_LABELS = {"persons": gettext_lazy("Persons"), "companies": gettext_lazy("Companies"),
                 "roles": gettext_lazy("Roles at companies"), "interactions": gettext_lazy("Contacts"),
                 "orders": gettext_lazy("Orders")}


class SourceForm(forms.Form):
    priority = forms.IntegerField(label=gettext_lazy("Priority (0–100; higher wins when sources disagree)"),
                                  required=False)
    verified = forms.BooleanField(label=gettext_lazy("Verified source (its data counts as checked)"), required=False)
    active = forms.BooleanField(label=gettext_lazy("Active (may send events)"), required=False)

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        if data.get("priority") is None:
            data["priority"] = ""  # the service explains an empty number
        return data


class TemplateForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Template name"), required=False, max_length=300)
    entity = forms.ChoiceField(label=gettext_lazy("The file holds"),
                               choices=[(e, ENTITY_LABELS.get(e, e)) for e in mapping.ENTITIES])
    mapping = forms.CharField(
        label=gettext_lazy("Columns: one per line, “File column = field”, e.g. “E-post = email”"), required=False,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}))

    def clean_mapping(self) -> dict[str, str]:
        columns: dict[str, str] = {}
        for number, line in enumerate(self.cleaned_data.get("mapping", "").splitlines(), start=1):
            if not line.strip():
                continue
            column, sep, target = line.rpartition("=")
            if not sep or not column.strip() or not target.strip():
                raise forms.ValidationError(_("Line %(n)s: write “File column = field”") % {"n": number})
            columns[column.strip()] = target.strip()
        return columns

    @staticmethod
    def text_of(columns: dict[str, str]) -> str:
        return "\n".join(f"{column} = {target}" for column, target in columns.items())
