"""Sign-in throttling and the register of each user's sessions.

Throttling: every failed sign-in counts against the user name and against the client address.
After a few free attempts each further failure locks that key for twice as long as the last
(30 s, 60 s, 120 s … up to an hour), so guessing slows down exponentially while a person who
mistyped twice is not bothered.  Counts older than the window start again from zero.  The
address limit is higher because offices share one address.  Every failure, throttled or not,
goes to the audit log.

Sessions: each sign-in notes its session key, so "log out everywhere" deletes exactly that user's
sessions from the session store (any backend that can delete by key) without scanning all sessions.
"""

from __future__ import annotations

import datetime as dt
import math

from django.contrib.sessions.backends.base import SessionBase
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.module_loading import import_string

from kundebase.privacy import audit
from kundebase.web.models import LoginThrottle, UserSession

WINDOW = dt.timedelta(minutes=15)
FREE_FAILURES = {"user": 4, "ip": 20}
BASE_LOCK_SECONDS = 30
MAX_LOCK_SECONDS = 3600


def client_ip(request: HttpRequest) -> str:
    """The peer address; a forwarded header is not trusted because any client can send one."""
    return str(request.META.get("REMOTE_ADDR") or "unknown")[:64]


def _keys(username: str, ip: str) -> list[tuple[str, str]]:
    name = "".join(ch for ch in username if ch.isprintable()).strip().lower()[:150]  # PostgreSQL refuses NUL
    return [("user", f"user:{name}"), ("ip", f"ip:{ip}")]


def seconds_refused(username: str, ip: str) -> int:
    """How long sign-in is still refused for this user name or address (0 = go ahead)."""
    now = timezone.now()
    keys = [key for _kind, key in _keys(username, ip)]
    until = [t for t in LoginThrottle.objects.filter(key__in=keys, locked_until__gt=now)
             .values_list("locked_until", flat=True)]
    return math.ceil(max((t - now).total_seconds() for t in until)) if until else 0


@transaction.atomic
def record_failure(request: HttpRequest, username: str, *, throttled: bool = False) -> None:
    ip = client_ip(request)
    now = timezone.now()
    if not throttled:
        for kind, key in _keys(username, ip):
            row, _created = LoginThrottle.objects.select_for_update().get_or_create(key=key)
            row.failures = 1 if now - row.last_failure_at > WINDOW or _created else row.failures + 1
            row.last_failure_at = now
            over = row.failures - FREE_FAILURES[kind]
            if over > 0:
                row.locked_until = now + dt.timedelta(seconds=min(BASE_LOCK_SECONDS * 2 ** (over - 1),
                                                                  MAX_LOCK_SECONDS))
            row.save()
    audit.record(action="login_failed", actor=username.strip()[:150] or "(empty)", entity="user", channel="web",
                 note=f"ip={ip}" + (" throttled" if throttled else ""))


@transaction.atomic
def record_success(request: HttpRequest, user: object) -> None:
    """Forget the user name's failures, note the new session, and log the sign-in."""
    ip = client_ip(request)
    username = getattr(user, "username", "")
    LoginThrottle.objects.filter(key=_keys(username, ip)[0][1]).delete()
    key = request.session.session_key
    if key:
        UserSession.objects.update_or_create(session_key=key, defaults={
            "user": user, "ip": ip, "user_agent": request.headers.get("User-Agent", "")[:300]})
    audit.record(action="login", actor=user, entity="user", record_id=getattr(user, "pk", None), channel="web",
                 note=f"ip={ip}")


def forget_session(session_key: str | None) -> None:
    if session_key:
        UserSession.objects.filter(session_key=session_key).delete()


def _store(session_key: str) -> SessionBase:
    from django.conf import settings

    return import_string(settings.SESSION_ENGINE + ".SessionStore")(session_key=session_key)


@transaction.atomic
def end_all_sessions(user: object) -> int:
    """Delete every session the user holds on any device; returns how many were ended."""
    keys = list(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
    for key in keys:
        _store(key).delete(key)
    UserSession.objects.filter(user=user).delete()
    audit.record(action="change", actor=user, entity="user", record_id=getattr(user, "pk", None),
                 channel="web", fields=["sessions"], note=f"logged out everywhere, sessions={len(keys)}")
    return len(keys)
