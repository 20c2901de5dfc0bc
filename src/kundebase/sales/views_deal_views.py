"""Saving the deal list's filters as a named view, and removing one (thin: :mod:`kundebase.sales.deal_views`)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kundebase.core.errors import DomainError
from kundebase.sales import deal_views
from kundebase.web.access import requires
from kundebase.web.page_errors import flash_error


@requires("sales.view_deal")
@require_POST
def view_save(request: HttpRequest) -> HttpResponse:
    filters = {key: request.POST.get(key, "") for key in deal_views.FILTERS}
    try:
        view = deal_views.save_view(actor=request.user, name=request.POST.get("name", ""), filters=filters,
                                    shared=request.POST.get("shared") == "on")
    except DomainError as exc:
        flash_error(request, exc)
        kept = {k: v for k, v in filters.items() if v}
        return redirect("/sales/deals/" + (f"?{urlencode(kept)}" if kept else ""))
    messages.success(request, _("The view is saved."))
    return redirect(f"/sales/deals/?view={view.pk}")


@requires("sales.view_deal")
@require_POST
def view_delete(request: HttpRequest, view_id: int) -> HttpResponse:
    try:
        deal_views.delete_view(actor=request.user, view_id=view_id)
    except DomainError as exc:
        flash_error(request, exc)
    else:
        messages.success(request, _("The view is removed."))
    return redirect("sales:deals")
