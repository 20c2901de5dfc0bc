"""Customer pages: the 360 view, creating and editing, logging contacts and follow-ups."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kundebase.core import audit
from kundebase.core.errors import DomainError
from kundebase.interactions import services as interaction_services
from kundebase.interactions.models import Interaction
from kundebase.parties.models import Company, Person
from kundebase.web import editing, overview, panels
from kundebase.web.access import VIEW_CUSTOMERS, requires
from kundebase.web.forms import CompanyForm, FollowUpForm, InteractionForm, PersonForm
from kundebase.web.page_errors import flash_error
from kundebase.web.redirects import back

ADD_CUSTOMER = ("parties.add_party", "parties.add_contactpoint", "parties.add_address")
CHANGE_CUSTOMER = ("parties.change_party", "parties.change_contactpoint", "parties.change_address",
                   *VIEW_CUSTOMERS)


def _load(party_id: int) -> Person | Company:
    return overview.load_party(party_id)  # a missing customer is the 404 page (the guard's error bridge)


def _refuse_erased(request: HttpRequest, party: Person | Company) -> HttpResponse | None:
    """An erased customer is a read-only tombstone: its forms are not offered, and a posted form changes
    nothing (the services refuse too)."""
    if party.erased_at is None:
        return None
    messages.error(request, _("This customer was erased; the record cannot be changed."))
    return redirect("customer", party_id=party.pk)


@requires(*VIEW_CUSTOMERS)
def customer(request: HttpRequest, party_id: int) -> HttpResponse:
    kind = request.GET.get("type", "")
    if kind not in Interaction.Kind.values:
        kind = ""
    data = overview.build(party_id, user=request.user, kind=kind, page=request.GET.get("page", 1))
    audit.record(action="view", actor=request.user, entity=data.party.kind, record_id=party_id, party_id=party_id,
                 channel="web")
    return render(request, "web/customer.html", {
        "o": data, "party": data.party, "type_filter": kind, "kinds": Interaction.Kind.choices,
        "quick_kinds": [(k, Interaction.Kind(k).label) for k in overview.QUICK_KINDS],
        "interaction_form": InteractionForm(), "follow_up_form": FollowUpForm(),
        "is_person": isinstance(data.party, Person), "panels": panels.for_customer(request, data.party),
    })


@requires(*ADD_CUSTOMER, *VIEW_CUSTOMERS)
def create(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in ("person", "company"):
        raise Http404(kind)
    form_class = PersonForm if kind == "person" else CompanyForm
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            party = editing.create_party(form, actor=request.user)
            if party is not None:
                messages.success(request, _("%(name)s was created as customer %(number)s.")
                                 % {"name": party.display_name, "number": party.customer_number})
                return redirect("customer", party_id=party.pk)
    else:
        initial = {k: request.GET[k] for k in ("phone", "mobile", "email") if request.GET.get(k)}
        form = form_class(initial=initial)
    return render(request, "web/party_form.html", {"form": form, "kind": kind, "party": None},
                  status=422 if form.errors else 200)


@requires(*CHANGE_CUSTOMER)
def edit(request: HttpRequest, party_id: int) -> HttpResponse:
    party = _load(party_id)
    if (refused := _refuse_erased(request, party)) is not None:
        return refused
    form_class = PersonForm if isinstance(party, Person) else CompanyForm
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid() and editing.update_party(form, party, actor=request.user):
            messages.success(request, _("Your changes were saved."))
            return redirect("customer", party_id=party.pk)
    else:
        form = form_class(initial=editing.initial_for(party))
    return render(request, "web/party_form.html", {"form": form, "kind": party.kind, "party": party},
                  status=422 if form.errors else 200)


@requires("interactions.add_interaction", *VIEW_CUSTOMERS)
def log_interaction(request: HttpRequest, party_id: int) -> HttpResponse:
    """Two clicks from the 360 page: choose the type there, press Save; errors come back here beside the field."""
    party = _load(party_id)
    if (refused := _refuse_erased(request, party)) is not None:
        return refused
    schedule = request.GET.get("follow_up") == "1" or request.POST.get("schedule") == "1"
    form_class = FollowUpForm if schedule else InteractionForm
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid() and editing.log_interaction(form, party.pk, actor=request.user, require_date=schedule):
            messages.success(request, _("The follow-up was scheduled.") if schedule else _("The contact was logged."))
            return redirect(reverse("customer", args=[party.pk]) + "#timeline")
    else:
        kind = request.GET.get("kind", "call")
        form = form_class(initial={"kind": kind, "direction": "out" if kind in ("letter", "visit") else "in"})
    return render(request, "web/interaction_form.html", {"form": form, "party": party, "schedule": schedule},
                  status=422 if form.errors else 200)


@requires("interactions.change_interaction", *VIEW_CUSTOMERS)
@require_POST
def follow_up_done(request: HttpRequest, interaction_id: int) -> HttpResponse:
    try:
        interaction = interaction_services.update_interaction(
            interaction_id=interaction_id, changes={"follow_up_done": True}, actor=request.user, channel="web")
    except DomainError as exc:
        flash_error(request, exc)
        return redirect("dashboard")
    messages.success(request, _("The follow-up is marked as done."))
    return back(request, "customer", interaction.party_id)
