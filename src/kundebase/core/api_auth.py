"""How API callers prove who they are, and the permission check every route makes."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from kundebase.core import tokens
from kundebase.core.errors import Forbidden, PreconditionFailed


class TokenAuth(HttpBearer):
    """``Authorization: Bearer kb_…`` for integrations; an expired or revoked token answers 401 saying which.

    Tokens are issued by ``kundebase tokens issue``, ``createuser --api-token``, ``/account/tokens/`` or the API.
    """

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = tokens.check(token)
        if found is None:
            from kundebase.web import signin

            wait = signin.record_bearer_failure(request)
            if wait:
                raise tokens.TooManyAttempts(wait)
            return None
        if not tokens.within_scope(found, request.method or "GET", request.path):
            from django.utils.translation import gettext as _

            raise Forbidden(_("This is a read token: it may only read profiles and offers (GET /api/v1/profiles/…)"))
        request.user = found.user
        return found.user


class SignedInSession(SessionAuth):
    """The web application's own session (with CSRF on unsafe methods)."""


AUTH = [TokenAuth(), SignedInSession()]


def require(request: HttpRequest, *perms: str) -> None:
    """Refuse (403) unless the caller holds every permission; a hidden button is not a permission check."""
    user = request.user
    if not user.has_perms(perms):
        raise Forbidden()


def require_identifying(request: HttpRequest, *perms: str) -> None:
    """:func:`require`, for routes that find people by their identifiers (search, look-up): the pseudonymised
    role is refused too, since even a pseudonymised hit confirms that a typed e-mail or phone is a customer's."""
    from django.utils.translation import gettext as _

    from kundebase.core.roles import identifies_people

    require(request, *perms)
    if not identifies_people(request.user):
        raise Forbidden(_("Your role sees pseudonymised data only and cannot look people up by identifiers"))


def expected_version(request: HttpRequest, resource_id: int) -> int | None:
    """The version named by ``If-Match`` (our ETags are ``"<id>-<version>"``); ``None`` when absent or ``*``."""
    header = request.headers.get("If-Match", "").strip()
    if not header or header == "*":
        return None
    tag = header.split(",")[0].strip().removeprefix("W/").strip('"')
    try:
        rid, version = tag.rsplit("-", 1)
        if int(rid) != resource_id:
            raise PreconditionFailed("If-Match names another resource")
        return int(version)
    except ValueError as exc:
        raise PreconditionFailed("If-Match is not an ETag this server issued") from exc
