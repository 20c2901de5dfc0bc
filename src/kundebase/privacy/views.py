"""Privacy pages: data subject requests, a customer's consents and marketing status, the quarantine.

Thin: every change goes through the privacy services; every view is behind the one page guard.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kundebase.core import audit
from kundebase.core.errors import DomainError
from kundebase.parties import identify
from kundebase.privacy import access, consent, erasure, quarantine, registers
from kundebase.privacy.forms import ConsentForm, PersonActionForm, ReviewForm
from kundebase.privacy.models import Channel, DataSubjectRequest, Purpose, Quarantine
from kundebase.privacy.purposes import CAMPAIGN_DEFAULT
from kundebase.web.access import require, requires
from kundebase.web.page_errors import form_errors


@requires("privacy.view_datasubjectrequest")
@require_http_methods(["GET", "POST"])
def home(request: HttpRequest) -> HttpResponse:
    """Requests of data subjects: start an access, erasure or restriction for a customer named by number, name or
    e-mail; see the open ones and their due dates (only that customer's when one is named in the address)."""
    named = request.GET.get("customer", "") if request.method == "GET" else ""
    form = PersonActionForm(request.POST if request.method == "POST" else ({"customer": named} if named else None))
    if request.method == "POST":
        require(request, "privacy.add_datasubjectrequest")
        action = request.POST.get("action", "")
        if form.is_valid():
            who = form.cleaned_data["requested_by"]
            try:
                pid = identify.find(form.cleaned_data["customer"]).pk
                if action in ("access_json", "access_html", "access_pdf"):
                    fmt = action.split("_")[1]
                    body, _req = access.access_request(party_id=pid, actor=request.user, channel="web", fmt=fmt,
                                                       requested_by=who)
                    response = HttpResponse(body, content_type=access.FORMATS[fmt])
                    response["Content-Disposition"] = f'attachment; filename="access-{pid}.{fmt}"'
                    return response
                if action == "erase":  # erasure asks for a typed confirmation on its own page
                    return redirect(reverse("privacy:erase", args=[pid]) + "?" + urlencode({"requested_by": who}))
                if action in ("restrict", "lift"):
                    erasure.restrict(party_id=pid, actor=request.user, channel="web", lift=action == "lift",
                                     requested_by=who)
                    messages.success(request, _("Done"))
                    return redirect("privacy:home")
                form.add_error(None, _("Unknown action"))
            except DomainError as exc:
                form_errors(form, exc)
    from kundebase.parties.models import Party

    recent = DataSubjectRequest.objects.order_by("-received_at")
    subject = None
    if named and form.is_valid():
        try:
            subject = identify.find(named)
        except DomainError as exc:
            form_errors(form, exc)
        else:
            recent = recent.filter(party_id_at_request=subject.pk)
    shown = list(recent[:50])
    names = dict(Party.objects.filter(pk__in={r.party_id_at_request for r in shown if r.party_id_at_request})
                 .values_list("pk", "display_name"))
    for r in shown:
        r.party_name = names.get(r.party_id_at_request or 0, "")  # type: ignore[attr-defined]
    return render(request, "privacy/home.html", {"form": form, "requests": shown, "subject": subject},
                  status=422 if form.errors else 200)


@requires("privacy.view_consentevent")
@require_http_methods(["GET", "POST"])
def person(request: HttpRequest, party_id: int) -> HttpResponse:
    """One customer's consent ledger, current state and marketing decision per channel."""
    from kundebase.parties.services import get_party

    party = get_party(party_id)  # a missing customer is the site's 404 page (the page guard's error bridge)
    purposes = list(Purpose.objects.filter(active=True).values_list("key", "name"))
    form = ConsentForm(request.POST or None, purposes=purposes)
    if request.method == "POST":
        require(request, "privacy.add_consentevent")
        if party.erased_at is not None:
            form.add_error(None, _("This person was erased: no consent can be recorded for the record."))
        elif form.is_valid():
            data = dict(form.cleaned_data)
            try:
                consent.record(party_id=party_id, actor=request.user, channel_of_request="web", **data)
                messages.success(request, _("Recorded"))
                return redirect("privacy:person", party_id=party_id)
            except DomainError as exc:
                form_errors(form, exc)
    audit.record(action="view", actor=request.user, entity="consent", party_id=party_id, channel="web")
    decisions = []
    for channel in Channel.values:
        allowed, reason = registers.marketing_allowed(party_id, channel, CAMPAIGN_DEFAULT)
        decisions.append({"channel": channel, "allowed": allowed, "reason": reason})
    context = {"party": party, "form": form, "events": consent.ledger(party_id),
               "state": _state_in_words(consent.current_state(party_id), dict(purposes)), "decisions": decisions}
    return render(request, "privacy/person.html", context, status=422 if form.errors else 200)


@requires("privacy.view_quarantine")
@require_http_methods(["GET", "POST"])
def quarantine_list(request: HttpRequest) -> HttpResponse:
    """Imported rows held back for special-category text, with a review form for each."""
    errors: dict[int, ReviewForm] = {}
    if request.method == "POST":
        require(request, "privacy.change_quarantine")
        item_id = int(request.POST.get("item") or 0)
        form = ReviewForm(request.POST)
        if form.is_valid():
            try:
                quarantine.review(quarantine_id=item_id, decision=form.cleaned_data["decision"],
                                  note=form.cleaned_data["note"], actor=request.user, channel="web")
                messages.success(request, _("Review recorded"))
                return redirect("privacy:quarantine")
            except DomainError as exc:
                form_errors(form, exc)
        errors[item_id] = form
    items = list(Quarantine.objects.filter(status=Quarantine.Status.PENDING).order_by("created_at")[:100])
    rows = [{"item": item, "form": errors.get(item.pk) or ReviewForm()} for item in items]
    return render(request, "privacy/quarantine.html", {"rows": rows}, status=422 if errors else 200)


def _state_in_words(state: dict[tuple[str, str], str], names: dict[str, str]) -> list[tuple[tuple[str, str], str]]:
    """The current consents with each purpose by its name (``Direct marketing``), not its key."""
    return sorted(((names.get(purpose, purpose), channel), status) for (purpose, channel), status in state.items())
