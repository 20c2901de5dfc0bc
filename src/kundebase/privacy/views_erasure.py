"""The erasure page: reached from a customer's 360 page or the requests page, confirmed by typing.

Erasure cannot be undone, so the page says what will go and what stays, looks different from every other form
(the danger style), and asks the person at the desk to type the customer number or the full name.  After the
erasure the same address shows what was done, in words (``erasure_summary``), not the service's counts.
"""

from __future__ import annotations

import unicodedata

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kundebase.core.errors import DomainError
from kundebase.parties.models import Person
from kundebase.parties.services import get_party
from kundebase.privacy import erasure, erasure_summary
from kundebase.privacy.forms import ErasureForm
from kundebase.privacy.models import DataSubjectRequest
from kundebase.web.access import VIEW_CUSTOMERS, requires
from kundebase.web.page_errors import form_errors


def _folded(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text or "").casefold().split())


def confirms(typed: str, party: Person) -> bool:
    """The typed text is the customer number or the full name (case and spacing do not matter)."""
    return bool(_folded(typed)) and _folded(typed) in {_folded(party.customer_number), _folded(party.display_name)}


@requires("privacy.add_datasubjectrequest", *VIEW_CUSTOMERS)
@require_http_methods(["GET", "POST"])
def erase(request: HttpRequest, party_id: int) -> HttpResponse:
    party = Person.objects.filter(pk=party_id).first()
    if party is None:
        get_party(party_id)  # a missing customer is the 404 page; a company is no data subject to erase
        messages.error(request, _("Only a person can be erased; a company is not a data subject."))
        return redirect("customer", party_id=party_id)
    done = None
    if party.erased_at is not None:
        done = (DataSubjectRequest.objects.filter(kind=DataSubjectRequest.Kind.ERASURE, party_id_at_request=party_id)
                .order_by("-received_at").first())
    form = ErasureForm(request.POST or None, initial={"requested_by": request.GET.get("requested_by", "")})
    if request.method == "POST" and done is None and form.is_valid():
        if not confirms(form.cleaned_data["confirmation"], party):
            form.add_error("confirmation", _("Type the customer number %(number)s or the name to confirm")
                           % {"number": party.customer_number})
        if not form.cleaned_data["verified"]:
            form.add_error("verified", _("Confirm that you verified the person's identity"))
        if not form.errors:
            try:
                erasure.erase(party_id=party_id, actor=request.user, channel="web",
                              requested_by=form.cleaned_data["requested_by"])
            except DomainError as exc:
                form_errors(form, exc)
            else:
                messages.success(request, _("The person was erased."))
                return redirect("privacy:erase", party_id=party_id)
    summary = erasure_summary.describe(done.outcome) if done else []
    return render(request, "privacy/erase.html", {"party": party, "form": form, "done": done, "summary": summary},
                  status=422 if form.errors else 200)
