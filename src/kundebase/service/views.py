"""Pages of customer service: the case list, a case with its thread, writing to a customer.

Thin: each view is behind the one page guard (403, not only a hidden link) and calls the services.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kundebase.core.errors import DomainError
from kundebase.service import cases, leads, replies
from kundebase.service.forms import CaseForm, MessageForm
from kundebase.service.models import Case, LeadProposal, Priority, ReplyTemplate
from kundebase.web.access import requires
from kundebase.web.page_errors import flash_error, form_errors


def _users() -> list[tuple[int, str]]:
    return list(get_user_model().objects.filter(is_active=True).order_by("username")
                .values_list("pk", "username"))


@requires("service.view_case")
def case_list_view(request: HttpRequest) -> HttpResponse:
    params = request.GET
    mine = params.get("mine") == "1"
    status = params.get("status", "active")
    qs = cases.case_list(status=status, assigned_to=request.user.pk if mine else None,
                         category=params.get("category", ""), priority=params.get("priority", ""),
                         overdue=params.get("overdue") == "1", escalated=params.get("escalated") == "1")
    leads_open = (LeadProposal.objects.filter(status=LeadProposal.Status.OPEN)[:50]
                  if request.user.has_perm("service.view_leadproposal") else [])
    categories = cases.categories()
    names = dict(categories)
    listed = list(qs[:200])
    for case in listed:
        case.category_label = names.get(case.category, case.category)  # type: ignore[attr-defined]
    return render(request, "service/cases.html", {
        "cases": listed, "params": params, "mine": mine, "status": status, "statuses": Case.Status.choices,
        "priorities": Priority.choices, "categories": categories, "leads": leads_open})


def _template_text(request: HttpRequest) -> tuple[str, str]:
    template = ReplyTemplate.objects.filter(pk=request.GET.get("template") or 0).first()
    return (template.subject, template.body) if template else ("", "")


@requires("service.view_case")
def case_view(request: HttpRequest, case_id: int) -> HttpResponse:
    case = Case.objects.select_related("party", "assigned_to").filter(pk=case_id).first()
    if case is None:
        raise Http404
    subject, body = _template_text(request)
    form = MessageForm(initial={"subject": subject, "body": body})
    return _case_page(request, case, form)


def _case_page(request: HttpRequest, case: Case, form: MessageForm, status: int = 200) -> HttpResponse:
    categories = cases.categories()
    case_form = CaseForm(initial={"status": case.status, "priority": case.priority, "category": case.category,
                                  "assigned_to_id": case.assigned_to_id or ""},
                         categories=categories, users=_users())
    thread = case.messages.prefetch_related("attachments").order_by("sent_at", "id")
    return render(request, "service/case.html", {
        "case": case, "category_label": dict(categories).get(case.category, case.category),
        "thread": thread, "form": form, "case_form": case_form,
        "templates": replies.templates_for(case.party_id)}, status=status)


@requires("service.view_case", "service.add_mailmessage")
@require_POST
def case_reply(request: HttpRequest, case_id: int) -> HttpResponse:
    case = Case.objects.select_related("party").filter(pk=case_id).first()
    if case is None:
        raise Http404
    form = MessageForm(request.POST)
    if form.is_valid():
        if case.party_id is None:
            form.add_error(None, _("The case has no customer yet: accept the proposed lead first."))
        else:
            try:
                replies.send(party_id=case.party_id, case_id=case.pk, subject=form.cleaned_data["subject"],
                             body=form.cleaned_data["body"], actor=request.user,
                             confirm_reason=form.cleaned_data["confirm_special_category_reason"])
                messages.success(request, _("The answer was sent."))
                return redirect("service:case", case.pk)
            except DomainError as exc:
                form_errors(form, exc)
    return _case_page(request, case, form, status=422)


@requires("service.change_case")
@require_POST
def case_update(request: HttpRequest, case_id: int) -> HttpResponse:
    form = CaseForm(request.POST, categories=cases.categories(), users=_users())
    if not form.is_valid():
        messages.error(request, "; ".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect("service:case", case_id)
    try:
        cases.update_case(case_id=case_id, changes=dict(form.cleaned_data), actor=request.user)
        messages.success(request, _("The case was updated."))
    except DomainError as exc:
        flash_error(request, exc)
    return redirect("service:case", case_id)


@requires("service.add_mailmessage")
def compose_view(request: HttpRequest, party_id: int) -> HttpResponse:
    from kundebase.parties.models import Party

    party = Party.objects.filter(pk=party_id).first()
    if party is None:
        raise Http404
    status = 200
    if request.method == "POST":
        form = MessageForm(request.POST)
        if form.is_valid():
            try:
                replies.send(party_id=party.pk, subject=form.cleaned_data["subject"],
                             body=form.cleaned_data["body"], actor=request.user,
                             confirm_reason=form.cleaned_data["confirm_special_category_reason"])
                messages.success(request, _("The e-mail was sent."))
                return redirect("customer", party.pk)
            except DomainError as exc:
                form_errors(form, exc)
        status = 422
    else:
        subject, body = _template_text(request)
        form = MessageForm(initial={"subject": subject, "body": body})
    context: dict[str, Any] = {"party": party, "form": form, "templates": replies.templates_for(party.pk)}
    return render(request, "service/compose.html", context, status=status)


@requires("service.change_leadproposal", "parties.add_person")
@require_POST
def lead_action(request: HttpRequest, proposal_id: int, action: str) -> HttpResponse:
    try:
        if action == "accept":
            party_id = leads.accept(proposal_id=proposal_id, actor=request.user)
            messages.success(request, _("The sender is now a customer."))
            return redirect("customer", party_id)
        if action != "dismiss":
            raise Http404
        leads.dismiss(proposal_id=proposal_id)
    except DomainError as exc:
        flash_error(request, exc)
    return redirect("service:cases")
