"""The one page guard of every app, and the one check a page makes inside itself.

A page is refused (403) when the user lacks the permission, whatever the menu shows: hiding a link is a courtesy,
this decorator is the rule.  Anonymous visitors are sent to the sign-in page (302 with ``next``).  The
permissions a view demands are kept on the view (``required_permissions``) so the route audit can walk every
route of the root URL configuration and prove that none was left unguarded.  Every app's views import it from
here: the web package is the presentation layer the apps' pages belong to, and nothing below the pages (models,
services, the API) imports it.

Inside the guarded view, a second permission (the POST of a form, one action of several) or an object-level rule
is checked with :func:`require`, which refuses the same way.  A domain error the view does not handle itself
goes through :func:`kundebase.web.page_errors.page_error`, so a missing record is the 404 page and a refusal the
403 page on every app's pages.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.models import User
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from kundebase.core.errors import DomainError

V = TypeVar("V", bound=Callable[..., HttpResponseBase])


def signed_in_user(request: HttpRequest) -> User:
    """The signed-in user of a page behind :func:`requires` (refused if someone reached it unsigned)."""
    if not isinstance(request.user, User):
        raise PermissionDenied
    return request.user


VIEW_CUSTOMERS = ("parties.view_party", "parties.view_contactpoint")
"""Seeing identified customers: the analyst role holds only pseudonymised access and is refused here."""


def require(request: HttpRequest, *perms: str, allowed: bool = True) -> None:
    """Refuse (403 page; the sign-in page for an anonymous visitor) unless the user holds every one of ``perms``
    and the object-level rule ``allowed`` holds.  For checks a page makes inside itself: the POST of a form that
    anyone with the page's permission may see, one action of several, a record that is not the user's."""
    if not allowed or not request.user.is_authenticated or (perms and not request.user.has_perms(perms)):
        raise PermissionDenied


def _bridged(view: Callable[..., HttpResponseBase], request: HttpRequest, *args: Any,
             **kwargs: Any) -> HttpResponseBase:
    from kundebase.web.page_errors import page_error

    try:
        return view(request, *args, **kwargs)
    except DomainError as exc:
        return page_error(request, exc)


def requires(*perms: str) -> Callable[[V], V]:
    """Sign-in required; with ``perms``, every one of them too (else 403)."""

    def decorate(view: V) -> V:
        @wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if perms and not request.user.has_perms(perms):
                raise PermissionDenied
            return _bridged(view, request, *args, **kwargs)

        guarded.required_permissions = perms  # type: ignore[attr-defined]
        return guarded  # type: ignore[return-value]

    return decorate


def public(view: V) -> V:
    """Marks a page that needs no sign-in (the sign-in page, a recipient's unsubscribe link, the event API with
    its own write key), so the route audit knows it is deliberate; its domain errors are bridged like any page's."""

    @wraps(view)
    def open_page(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        return _bridged(view, request, *args, **kwargs)

    open_page.required_permissions = None  # type: ignore[attr-defined]
    return open_page  # type: ignore[return-value]
