"""The new-order page (thin: :func:`kundebase.orders.services.create_order` checks and writes; what credit
control says about the order is shown after it, or, when its policy refuses, beside the form)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from kundebase.core.errors import DomainError, NotFound
from kundebase.orders import services
from kundebase.orders.forms import OrderForm
from kundebase.web.access import requires
from kundebase.web.forms import place_errors


@requires("orders.view_order", "orders.add_order", "orders.add_orderline")
def order_new(request: HttpRequest) -> HttpResponse:
    initial = {"party_id": request.GET.get("party") or None,
               "currency": getattr(settings, "KUNDEBASE_DEFAULT_CURRENCY", "NOK")}
    form = OrderForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {"order_number": form.cleaned_data["order_number"], "channel": form.cleaned_data["channel"],
                "currency": form.cleaned_data["currency"]}
        try:
            order = services.create_order(party_id=form.cleaned_data["party_id"], data=data, lines=form.lines(),
                                          actor=request.user, channel="web")
        except NotFound:
            form.add_error("party_id", _("No such customer"))
        except DomainError as exc:
            place_errors(form, exc)
        else:
            messages.success(request, _("Order %(n)s is created.") % {"n": order.order_number})
            if order.credit_warning:
                messages.warning(request, _("Credit warning: %(w)s") % {"w": order.credit_warning})
            return redirect("customer", party_id=order.party_id)
    return render(request, "orders/order_form.html", {"form": form}, status=422 if form.errors else 200)
