"""The permission check every page makes.

A page is refused (403) when the user lacks the permission, whatever the menu shows: hiding a
link is a courtesy, this decorator is the rule.  Anonymous visitors are sent to the sign-in page.
The permissions a view demands are kept on the view (``required_permissions``) so a test can
walk every route and prove that none was left unguarded.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.models import User
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase

V = TypeVar("V", bound=Callable[..., HttpResponseBase])

def signed_in_user(request: HttpRequest) -> User:
    """The signed-in user of a page behind :func:`requires` (refused if someone reached it unsigned)."""
    if not isinstance(request.user, User):
        raise PermissionDenied
    return request.user


VIEW_CUSTOMERS = ("parties.view_party", "parties.view_contactpoint")
"""Seeing identified customers: the analyst role holds only pseudonymised access and is refused here."""


def requires(*perms: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Sign-in required; with ``perms``, every one of them too (else 403)."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if perms and not request.user.has_perms(perms):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        guarded.required_permissions = perms  # type: ignore[attr-defined]
        return guarded

    return decorate


def public(view: V) -> V:
    """Marks a page that needs no sign-in (the sign-in page itself), so the route audit knows it is deliberate."""
    view.required_permissions = None  # type: ignore[attr-defined]
    return view
