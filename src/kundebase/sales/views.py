"""Pages of deals: the board per pipeline, the filtered list, a deal's page and the forms that change a deal.

Thin: every change goes through :mod:`kundebase.sales.services`; a deal that is not the user's is a 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kundebase.core.errors import DomainError
from kundebase.orders.models import Product
from kundebase.sales import credit, deal_views, services
from kundebase.sales.access import deal_or_404, deals_for, sees_others
from kundebase.sales.board import board as board_columns
from kundebase.sales.forms import DealForm, LoseForm, TaskForm
from kundebase.sales.models import Deal, Pipeline, Stage
from kundebase.web.access import requires
from kundebase.web.forms import place_errors
from kundebase.web.page_errors import flash_error
from kundebase.web.redirects import back

PAGE = 100


def _owner_filter(request: HttpRequest) -> int | None:
    value = request.GET.get("owner", "")
    return int(value) if value.isdigit() else None


@requires("sales.view_deal", "sales.view_pipeline")
def board_default(request: HttpRequest) -> HttpResponse:
    return board(request, services.default_pipeline().pk)


@requires("sales.view_deal", "sales.view_pipeline")
def board(request: HttpRequest, pipeline_id: int) -> HttpResponse:
    pipeline = Pipeline.objects.filter(pk=pipeline_id).first()
    if pipeline is None:
        raise Http404(_("No such pipeline"))
    owner = _owner_filter(request)
    columns = board_columns(pipeline, request.user, owner)
    return render(request, "sales/board.html", {"owner": owner,
        "pipeline": pipeline, "pipelines": Pipeline.objects.all(), "columns": columns,
        "stages": [c.stage for c in columns], "sees_all": sees_others(request.user),
        "next": request.get_full_path()})


@requires("sales.view_deal")
def deal_list(request: HttpRequest) -> HttpResponse:
    """The deal list with its filters; ``?view=<id>`` applies a saved view (the user's own or a shared one)."""
    view = None
    if request.GET.get("view", "").isdigit():
        view = deal_views.view_or_404(request.user, int(request.GET["view"]))  # not visible: the 404 page
        filters = dict(view.filters)
    else:
        filters = deal_views.from_query(request.GET)
    qs = deal_views.apply_filters(deals_for(request.user), filters).select_related(
        "party", "stage", "owner", "pipeline").order_by("expected_close_on", "-id")
    shown = {key: str(filters.get(key, "")) for key in deal_views.FILTERS}
    return render(request, "sales/deal_list.html", {
        "deals": list(qs[:PAGE]), "filters": shown, "statuses": Deal.Status.choices,
        "pipelines": Pipeline.objects.all(), "stages": Stage.objects.select_related("pipeline"),
        "saved_views": list(deal_views.visible_views(request.user)), "view": view, "limit": PAGE})


@requires("sales.view_deal")
def deal_page(request: HttpRequest, deal_id: int) -> HttpResponse:
    deal = deal_or_404(request.user, deal_id)  # not the user's: the 404 page (the guard's error bridge)
    history = deal.stage_changes.select_related("from_stage", "to_stage", "changed_by")
    return render(request, "sales/deal.html", {
        "deal": deal, "history": history,
        "credit_warning": credit.warning(deal.party_id, deal.amount_base) if deal.status == "open" else "",
        "stages": deal.pipeline.stages.order_by("position", "id"),
        "tasks": deal.tasks.select_related("assigned_to").order_by("completed_at", "due_at"),
        "lines": deal.lines.select_related("product"),
        "products": Product.objects.filter(active=True).order_by("name")[:500],
        "lose_form": LoseForm(), "task_form": TaskForm(initial={"deal_id": deal.pk}),
        "next": request.get_full_path()})


@requires("sales.view_deal", "sales.add_deal")
def deal_new(request: HttpRequest) -> HttpResponse:
    pipelines = [(p.pk, p.label) for p in Pipeline.objects.all()]
    initial: dict[str, Any] = {"currency": services.base_currency(), "party_id": request.GET.get("party") or None}
    form = DealForm(request.POST or None, pipelines=pipelines, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
        try:
            deal = services.create_deal(data=data, actor=request.user, channel="web")
        except DomainError as exc:
            place_errors(form, exc)
        else:
            messages.success(request, _("The deal is created."))
            warning = credit.warning(deal.party_id, deal.amount_base)
            if warning:
                messages.warning(request, warning)
            return redirect("sales:deal", deal_id=deal.pk)
    return render(request, "sales/deal_form.html", {"form": form}, status=422 if form.errors else 200)


def _act(request: HttpRequest, deal_id: int, action: Any, done: str) -> HttpResponse:
    try:
        action()
    except DomainError as exc:
        flash_error(request, exc)
    else:
        messages.success(request, done)
    return back(request, f"/sales/deals/{deal_id}/")


@requires("sales.change_deal")
@require_POST
def deal_move(request: HttpRequest, deal_id: int) -> HttpResponse:
    stage_id = request.POST.get("stage_id", "")
    return _act(request, deal_id, lambda: services.move_deal(deal_id=deal_id, stage_id=stage_id or None,
                                                             actor=request.user, channel="web"),
                _("The deal is moved."))


@requires("sales.change_deal")
@require_POST
def deal_win(request: HttpRequest, deal_id: int) -> HttpResponse:
    return _act(request, deal_id, lambda: services.win_deal(deal_id=deal_id, note=request.POST.get("note", ""),
                                                            actor=request.user, channel="web"),
                _("The deal is marked as won."))


@requires("sales.change_deal")
@require_POST
def deal_lose(request: HttpRequest, deal_id: int) -> HttpResponse:
    return _act(request, deal_id, lambda: services.lose_deal(
        deal_id=deal_id, reason=request.POST.get("reason", ""), note=request.POST.get("note", ""),
        actor=request.user, channel="web"), _("The deal is marked as lost."))


