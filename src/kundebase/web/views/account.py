"""The signed-in user's own account page: API tokens (see, issue, revoke); administrators see everyone's."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kundebase.core import tokens
from kundebase.core.errors import DomainError
from kundebase.web.access import requires


@requires()
@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest) -> HttpResponse:
    """List the tokens; a POST issues one for the user and shows its value once, on this response only."""
    issued = None
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        raw_days = request.POST.get("days", "").strip()
        try:
            if raw_days and not raw_days.isdigit():
                raise ValueError
            token, value = tokens.issue(user=request.user, name=request.POST.get("name", ""),
                                        days=int(raw_days) if raw_days else None, actor=request.user, channel="web")
            issued = {"token": token, "value": value}
        except ValueError:
            errors["days"] = _("A token is valid for 0 (no expiry) to 3650 days")
        except DomainError as exc:
            errors = {e.field: str(e.message) for e in exc.errors} or {"": str(exc)}
        status = 422 if errors else 200
    context = {"tokens": list(tokens.visible_to(request.user)), "issued": issued, "errors": errors,
               "general_error": errors.pop("", ""),
               "all_users": tokens.manages_all(request.user), "values": request.POST}
    response = render(request, "web/api_tokens.html", context, status=status)
    response["Cache-Control"] = "no-store"  # the page may show a token's value once
    return response


@requires()
@require_POST
def revoke_api_token(request: HttpRequest, token_id: int) -> HttpResponse:
    # not there, or another user's: the same 404 page (the guard's error bridge), so ids reveal nothing
    token = tokens.revoke(token_ref=token_id, actor=request.user, channel="web")
    messages.success(request, _("Token %(prefix)s… is revoked; it stops working at once.") % {"prefix": token.prefix})
    return redirect("api-tokens")
