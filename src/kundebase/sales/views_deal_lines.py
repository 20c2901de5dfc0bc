"""The deal page's products: add a line, remove a line (thin: :mod:`kundebase.sales.deal_lines` decides)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kundebase.core.errors import DomainError
from kundebase.sales import deal_lines
from kundebase.web.access import requires
from kundebase.web.page_errors import flash_error
from kundebase.web.redirects import back


@requires("sales.change_deal")
@require_POST
def line_add(request: HttpRequest, deal_id: int) -> HttpResponse:
    product = request.POST.get("product_id", "")
    data = {"product_id": int(product) if product.isdigit() else (product or None),
            "quantity": request.POST.get("quantity") or None, "unit_price": request.POST.get("unit_price") or None}
    try:
        deal_lines.add_deal_line(deal_id=deal_id, data=data, actor=request.user)
    except DomainError as exc:
        flash_error(request, exc)
    else:
        messages.success(request, _("The product is added; the amount is the sum of the products."))
    return back(request, f"/sales/deals/{deal_id}/")


@requires("sales.change_deal")
@require_POST
def line_remove(request: HttpRequest, deal_id: int, line_id: int) -> HttpResponse:
    try:
        deal_lines.remove_deal_line(deal_id=deal_id, line_id=line_id, actor=request.user)
    except DomainError as exc:
        flash_error(request, exc)
    else:
        messages.success(request, _("The product is removed."))
    return back(request, f"/sales/deals/{deal_id}/")
