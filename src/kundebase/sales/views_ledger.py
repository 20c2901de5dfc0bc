"""The ledger upload page: a CSV or XLSX file of invoices, imported whole or not at all (thin:
:mod:`kundebase.sales.ledger_file` reads and checks)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kundebase.core.errors import DomainError
from kundebase.sales import ledger_file
from kundebase.web.access import requires


class LedgerFileForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Ledger file (CSV or XLSX)"))


@requires("sales.view_invoice", "sales.add_invoice", "sales.change_invoice")
def ledger_upload(request: HttpRequest) -> HttpResponse:
    form = LedgerFileForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            done = ledger_file.import_upload(form.cleaned_data["file"])
        except DomainError as exc:
            problems = [e.message for e in exc.errors] or [exc.detail]
            form.add_error("file", _("Nothing was imported: correct the rows below and upload the file again."))
        else:
            messages.success(request, _("%(c)d invoices created, %(u)d updated.") % {
                "c": done["created"], "u": done["updated"]})
            return redirect("sales:ledger")
    return render(request, "sales/ledger.html", {"form": form, "problems": problems},
                  status=422 if form.errors else 200)
