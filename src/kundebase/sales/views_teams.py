"""The administrator's sales teams page: set who manages whom (thin: :mod:`kundebase.sales.teams` writes)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kundebase.core.errors import DomainError, NotFound
from kundebase.sales import teams
from kundebase.web.access import requires
from kundebase.web.forms import place_errors

MANAGE = ("sales.view_teammembership", "sales.add_teammembership", "sales.change_teammembership",
          "sales.delete_teammembership")


class ManagerForm(forms.Form):
    member_id = forms.TypedChoiceField(label=gettext_lazy("Salesperson"), coerce=int, choices=())
    manager_id = forms.TypedChoiceField(label=gettext_lazy("Manager"), coerce=int, choices=(), required=False,
                                        empty_value=None)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        people = [(u.pk, u.get_username()) for u in get_user_model().objects.filter(is_active=True)
                  .order_by("username")[:2000]]
        member = self.fields["member_id"]
        manager = self.fields["manager_id"]
        assert isinstance(member, forms.ChoiceField) and isinstance(manager, forms.ChoiceField)
        member.choices = people
        manager.choices = [("", _("No manager")), *people]


@requires(*MANAGE)
def sales_teams(request: HttpRequest) -> HttpResponse:
    form = ManagerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            teams.set_manager(member_id=form.cleaned_data["member_id"], manager_id=form.cleaned_data["manager_id"],
                              actor=request.user, channel="web")
        except NotFound:
            form.add_error("member_id", _("No such user"))
        except DomainError as exc:
            place_errors(form, exc)
        else:
            messages.success(request, _("The team is saved."))
            return redirect("sales:teams")
    return render(request, "sales/teams.html", {"form": form, "memberships": teams.memberships()},
                  status=422 if form.errors else 200)
