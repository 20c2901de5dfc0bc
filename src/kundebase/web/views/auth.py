"""Signing in and out, with throttling, an audit trail and "log out everywhere"."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from kundebase.web import signin
from kundebase.web.access import public, requires, signed_in_user


class SignInView(LoginView):
    """Django's sign-in, refusing early while the user name or address is throttled."""

    template_name = "web/login.html"
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        username = str(request.POST.get("username", ""))
        wait = signin.seconds_refused(username, signin.client_ip(request))
        if wait:
            signin.record_failure(request, username, throttled=True)
            form = self.get_form()
            form.errors.clear()
            form.add_error(None, ngettext(
                "Too many failed sign-ins. Try again in %(s)d second.",
                "Too many failed sign-ins. Try again in %(s)d seconds.", wait) % {"s": wait})
            response = self.render_to_response(self.get_context_data(form=form))
            response.status_code = 429
            response["Retry-After"] = str(wait)
            return response
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        signin.record_failure(self.request, str(self.request.POST.get("username", "")))
        return super().form_invalid(form)

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        signin.record_success(self.request, form.get_user())
        return response


sign_in = public(SignInView.as_view())


@public
def admin_sign_in(request: HttpRequest) -> HttpResponseRedirect:
    """The admin site signs in through the throttled sign-in page, never through a second, unthrottled form.

    A signed-in user without access to the admin site is refused (403) rather than sent to sign in again,
    which would loop between the two pages."""
    if request.user.is_authenticated:
        raise PermissionDenied
    from django.utils.http import url_has_allowed_host_and_scheme, urlencode

    target = request.GET.get("next", "/admin/")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/admin/"
    return redirect(reverse("login") + "?" + urlencode({"next": target}))


@requires()
@require_POST
def sign_out(request: HttpRequest) -> HttpResponseRedirect:
    signin.forget_session(request.session.session_key)
    logout(request)
    messages.info(request, _("You are signed out."))
    return redirect("login")


@requires()
@require_POST
def sign_out_everywhere(request: HttpRequest) -> HttpResponseRedirect:
    """End every session of this user on every device (a lost phone, a shared computer)."""
    count = signin.end_all_sessions(signed_in_user(request))
    logout(request)
    messages.info(request, ngettext("You are signed out on %(n)d device.",
                                    "You are signed out on %(n)d devices.", count) % {"n": count})
    return redirect("login")
