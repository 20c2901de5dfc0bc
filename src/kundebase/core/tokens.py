"""API tokens: issuing with an expiry, listing, revoking, and the check every bearer request makes.

One write path for tokens, used by the CLI (``kundebase tokens``), the web page (``/account/tokens/``) and the
API (``/api/v1/tokens``).  A user manages their own tokens; a holder of ``core.delete_apitoken`` (the
administrator role) manages everyone's.  Each issue and revocation is written to the audit log.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kundebase.core.errors import DomainError, FieldError, NotFound, ValidationFailed
from kundebase.core.models import ApiToken

MANAGE_ALL = "core.delete_apitoken"
SCOPES = ("full", "read")
READ_SCOPE_PATHS = ("/api/v1/profiles/",)
"""What a ``read`` token may do: ``GET`` these paths (profiles and next-best offers), nothing else."""
LAST_USED_RESOLUTION = dt.timedelta(seconds=60)
"""``last_used_at`` is written at most once a minute per token, so a busy integration does not write on every call."""


class TokenRefused(DomainError):
    """401 for a bearer token that exists but may no longer be used (expired or revoked)."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(title="Unauthorized", status=401, code=code, detail=detail)


class TooManyAttempts(DomainError):
    """429 for an address that sent too many unknown API tokens; ``retry_after`` says when to try again."""

    def __init__(self, seconds: int) -> None:
        super().__init__(title="Too many requests", status=429, code="too_many_attempts",
                         detail=f"Too many unknown API tokens from this address; try again in {seconds} s",
                         extra={"retry_after": seconds})


def manages_all(user: Any) -> bool:
    return bool(user.has_perm(MANAGE_ALL))


def default_expiry(now: dt.datetime | None = None) -> dt.datetime | None:
    days = int(getattr(settings, "KUNDEBASE_API_TOKEN_DAYS", 365))
    return None if days == 0 else (now or timezone.now()) + dt.timedelta(days=days)


def visible_to(user: Any) -> QuerySet[ApiToken]:
    """The tokens a user may see: their own, or every token for an administrator."""
    tokens = ApiToken.objects.select_related("user").order_by("-created_at", "-id")
    return tokens if manages_all(user) else tokens.filter(user=user)


@transaction.atomic
def issue(*, user: Any, name: str = "default", days: int | None = None, actor: Any = None,
          channel: str = "api", scope: str = "full") -> tuple[ApiToken, str]:
    """A new token for ``user``, valid ``days`` days (``None``: the default lifetime, ``0``: no expiry).

    Returns the stored token and its value; the value is shown once and never stored.
    """
    from kundebase.core import audit

    name = (name or "default").strip()
    if not name or len(name) > 100:
        raise ValidationFailed([FieldError("name", _("Give the token a name of 1–100 characters"))])
    if scope not in SCOPES:
        raise ValidationFailed([FieldError("scope", _("A token's scope is full or read"))])
    if days is not None and not 0 <= days <= 3650:
        raise ValidationFailed([FieldError("days", _("A token is valid for 0 (no expiry) to 3650 days"))])
    if actor is not None and getattr(actor, "pk", None) != getattr(user, "pk", None) and not manages_all(actor):
        from kundebase.core.errors import Forbidden

        raise Forbidden(_("Only an administrator issues tokens for another user"))
    expires_at = default_expiry() if days is None else (
        None if days == 0 else timezone.now() + dt.timedelta(days=days))
    token, value = ApiToken.issue(user, name, expires_at=expires_at, scope=scope)
    audit.record(action="create", actor=actor or "cli", entity="api_token", record_id=token.pk, channel=channel,
                 note=f"token {token.prefix}… ({scope}) for {user.username}"
                      + (f", expires {expires_at:%Y-%m-%d}" if expires_at else ", no expiry"))
    return token, value


def find(*, token_ref: str | int, viewer: Any = None) -> ApiToken:
    """A token by id or by its printed prefix (``kb_AbCdE``), among those ``viewer`` may see (all for the CLI)."""
    tokens = ApiToken.objects.select_related("user") if viewer is None else visible_to(viewer)
    ref = str(token_ref).strip()
    found = list(tokens.filter(pk=int(ref))) if ref.isdigit() else list(tokens.filter(prefix=ref[:8]))
    if len(found) != 1:
        raise NotFound(_("API token"), ref)
    return found[0]


@transaction.atomic
def revoke(*, token_ref: str | int, actor: Any = None, channel: str = "api") -> ApiToken:
    """Revoke a token at once; revoking one already revoked changes nothing and is not an error."""
    from kundebase.core import audit

    token = find(token_ref=token_ref, viewer=actor if hasattr(actor, "has_perm") else None)
    if not token.revoked:
        token.revoked, token.revoked_at = True, timezone.now()
        token.save(update_fields=["revoked", "revoked_at"])
        audit.record(action="delete", actor=actor or "cli", entity="api_token", record_id=token.pk,
                     channel=channel, note=f"token {token.prefix}… of {token.user.username} revoked")
    return token


def within_scope(token: ApiToken, method: str, path: str) -> bool:
    """A ``read`` token reads profiles and offers only; a ``full`` token is limited by its user's role alone."""
    return token.scope != "read" or (method in ("GET", "HEAD") and path.startswith(READ_SCOPE_PATHS))


def check(value: str) -> ApiToken | None:
    """The token behind a bearer value, noting its use; ``None`` for an unknown value (another scheme may apply).

    Raises :class:`TokenRefused` (401) for a known token that expired or was revoked, so the caller learns why.
    """
    token = ApiToken.find(value)
    if token is None:
        return None
    if token.revoked:
        raise TokenRefused("token_revoked", "This API token was revoked; ask for a new one")
    if token.expired:
        raise TokenRefused("token_expired", f"This API token expired at {token.expires_at:%Y-%m-%d %H:%M} UTC; "
                                            "ask for a new one")
    if not token.user.is_active:
        raise TokenRefused("user_inactive", "The account this API token belongs to is deactivated")
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def as_dict(token: ApiToken) -> dict[str, Any]:
    return {"id": token.pk, "name": token.name, "prefix": token.prefix, "user": token.user.username,
            "created_at": token.created_at, "expires_at": token.expires_at, "last_used_at": token.last_used_at,
            "revoked_at": token.revoked_at, "active": token.active, "scope": token.scope}
