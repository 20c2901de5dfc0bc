"""The one bridge from domain errors to page answers, for every app's pages.

Services raise :class:`~kundebase.core.errors.DomainError`; the API turns it into problem+json, and pages turn it
into the same answers everywhere: a missing record is the site's 404 page, a refusal the 403 page (or the sign-in
page for an anonymous visitor, see ``handler403``), a form's error goes beside its field (:func:`form_errors`),
a button's action that failed says why in a message on the page it returns to (:func:`flash_error`), and
anything else a page did not handle is shown as a short message with its own status (409 for a conflict, 412
for a stale write, 422 for invalid input) instead of a server error.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

from kundebase.core.errors import DomainError

API_PREFIXES = ("/api/", "/v1/")


def page_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    """The answer to a domain error a page did not handle (the guard calls this for every page)."""
    if request.path.startswith(API_PREFIXES):
        from kundebase.core.problems import problem_response

        return problem_response(request, exc.status, exc.code, str(exc.detail or exc.title),
                                errors=[e.as_dict() for e in exc.errors] or None, extra=exc.extra or None)
    if exc.status == 404:
        raise Http404(str(exc)) from exc
    if exc.status in (401, 403):
        raise PermissionDenied(str(exc)) from exc
    back = request.headers.get("Referer", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        back = "/"
    return render(request, "page_error.html", {"error": exc, "back": back},
                  status=exc.status if 400 <= exc.status < 500 else 400)


def form_errors(form: forms.Form, exc: DomainError) -> None:
    """A service's field errors beside the form's fields; the rest (a conflict, a stale write) above the form."""
    for error in exc.errors:
        form.add_error(error.field if error.field in form.fields else None, str(error.message))
    if not exc.errors:
        form.add_error(None, str(exc.detail or exc.title))


def flash_error(request: HttpRequest, exc: DomainError) -> None:
    """For a button's action that returns to a page (move a deal, decide a pair): the error as a message there.
    A missing record or a refusal is not a message but the 404 or 403 page, as on every page."""
    if exc.status in (401, 403, 404):
        raise exc
    messages.error(request, "; ".join(str(e.message) for e in exc.errors) or str(exc.detail or exc.title))
