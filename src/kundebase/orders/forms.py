"""The new-order form: it only collects input; the orders service checks it and its field errors are placed
beside the fields (a refused line's field by its number, anything about the order as a whole at the top)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kundebase.orders.models import Order

LINES = 3
"""Line rows the page offers; empty rows are skipped."""


class OrderForm(forms.Form):
    party_id = forms.IntegerField(label=_("Customer (id)"))
    order_number = forms.CharField(label=_("Order number"), max_length=60, required=False,
                                   help_text=_("Leave empty for the next number"))
    channel = forms.ChoiceField(label=_("Channel"), choices=Order.Channel.choices, initial=Order.Channel.SALES)
    currency = forms.CharField(label=_("Currency"), max_length=3, initial="NOK")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for i in range(LINES):
            self.fields[f"lines[{i}].description"] = forms.CharField(
                label=_("Line %(n)d: description") % {"n": i + 1}, max_length=300, required=False)
            self.fields[f"lines[{i}].quantity"] = forms.DecimalField(
                label=_("Quantity"), required=False, min_value=0, max_digits=12, decimal_places=3)
            self.fields[f"lines[{i}].revenue"] = forms.DecimalField(
                label=_("Amount"), required=False, max_digits=14, decimal_places=2)

    def line_rows(self) -> list[list[forms.BoundField]]:
        return [[self[f"lines[{i}].{name}"] for name in ("description", "quantity", "revenue")]
                for i in range(LINES)]

    def lines(self) -> list[dict[str, Any]]:
        out = []
        for i in range(LINES):
            revenue = self.cleaned_data.get(f"lines[{i}].revenue")
            description = self.cleaned_data.get(f"lines[{i}].description") or ""
            if revenue is None and not description:
                continue
            out.append({"description": description, "revenue": revenue,
                        "quantity": self.cleaned_data.get(f"lines[{i}].quantity") or 1})
        return out
