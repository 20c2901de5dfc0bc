"""Sign-in throttling and the register of each user's sessions.

Throttling counts failed sign-ins against two keys, each with its own free allowance:

* ``user:<name>`` — the canonical user name (:func:`kundebase.core.usernames.canonical_username`, so
  ``ＢＯＢ``, ``Bob`` and ``bob`` are one counter), from any address.  After 4 free failures each
  further one locks the name for twice as long as the last (30 s, 60 s, 120 s … up to an hour).
* ``ip:<address>`` — how many *different* names failed from one address.  One person hammering one
  name does not lock the address, so colleagues behind the same office NAT can still sign in; an
  address trying many names (password spraying) is locked after 20 names.

Which names failed from which address is kept in ``pair:<address>|<name>`` rows; rows older than the
window are pruned as new failures arrive, so the table stays small.

The audit log gets a bounded trace, not one row per attempt: the first failure of a name from an
address within the window, and each lock as it starts (with the count so far).  Attempts refused
while locked are not logged one by one, so a flood of guesses cannot flood the audit log.

Sessions: each sign-in notes its session key, so "log out everywhere" deletes exactly that user's
sessions from the session store (any backend that can delete by key) without scanning all sessions.
"""

from __future__ import annotations

import datetime as dt
import math

from django.contrib.auth.models import User
from django.contrib.sessions.backends.base import SessionBase
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.module_loading import import_string

from kundebase.core import audit
from kundebase.core.usernames import canonical_username
from kundebase.web.models import LoginThrottle, UserSession

WINDOW = dt.timedelta(minutes=15)
FREE_FAILURES = {"user": 4, "ip": 20, "api": 20}
BASE_LOCK_SECONDS = 30
MAX_LOCK_SECONDS = 3600


def client_ip(request: HttpRequest) -> str:
    """The peer address; a forwarded header is not trusted because any client can send one."""
    return str(request.META.get("REMOTE_ADDR") or "unknown")[:64]


def _name(username: str) -> str:
    return canonical_username(username)[:120] or "(empty)"


def _user_key(username: str) -> str:
    return f"user:{_name(username)}"


def _ip_key(ip: str) -> str:
    return f"ip:{ip}"


def _pair_key(username: str, ip: str) -> str:
    return f"pair:{ip}|{_name(username)}"[:200]


def seconds_refused(username: str, ip: str) -> int:
    """How long sign-in is still refused for this user name or address (0 = go ahead)."""
    now = timezone.now()
    until = list(LoginThrottle.objects.filter(key__in=[_user_key(username), _ip_key(ip)], locked_until__gt=now)
                 .values_list("locked_until", flat=True))
    return math.ceil(max((t - now).total_seconds() for t in until if t is not None)) if until else 0


def _seconds_left(row: LoginThrottle, now: dt.datetime) -> int:
    """Whole seconds until ``row``'s lock ends (0 when it holds no lock)."""
    return math.ceil((row.locked_until - now).total_seconds()) if row.locked_until else 0


def _count(key: str, now: dt.datetime) -> tuple[LoginThrottle, bool]:
    """One more failure for ``key`` (restarting after a quiet window); returns the row and whether it is new."""
    row, created = LoginThrottle.objects.select_for_update().get_or_create(key=key, defaults={"last_failure_at": now})
    fresh = created or now - row.last_failure_at > WINDOW
    row.failures = 1 if fresh else row.failures + 1
    row.last_failure_at = now
    return row, fresh


def _prune(now: dt.datetime) -> None:
    """Forget counts older than the window whose lock (if any) is over, so the table stays small."""
    LoginThrottle.objects.filter(last_failure_at__lt=now - WINDOW).filter(
        Q(locked_until__isnull=True) | Q(locked_until__lt=now)).delete()


def _lock_if_over(row: LoginThrottle, free: int, now: dt.datetime) -> bool:
    """Lock the key when it is past its free allowance; True when this failure started a lock."""
    over = row.failures - free
    if over <= 0:
        return False
    row.locked_until = now + dt.timedelta(seconds=min(BASE_LOCK_SECONDS * 2 ** (over - 1), MAX_LOCK_SECONDS))
    return True


@transaction.atomic
def record_failure(request: HttpRequest, username: str, *, throttled: bool = False) -> None:
    """Count a failed sign-in against the name and the address; attempts refused while locked are not counted."""
    if throttled:
        return
    ip = client_ip(request)
    now = timezone.now()
    _prune(now)
    user_row, _fresh = _count(_user_key(username), now)
    user_locked = _lock_if_over(user_row, FREE_FAILURES["user"], now)
    user_row.save()
    pair_row, first_from_here = _count(_pair_key(username, ip), now)
    pair_row.save()
    ip_locked = False
    if first_from_here:  # a name not yet seen failing from this address in the window
        ip_row, _fresh = _count(_ip_key(ip), now)
        ip_locked = _lock_if_over(ip_row, FREE_FAILURES["ip"], now)
        ip_row.save()
    if first_from_here or user_locked or ip_locked:
        notes = [f"ip={ip}", f"failures={user_row.failures}"]
        if user_locked:
            notes.append(f"name locked {_seconds_left(user_row, now)}s")
        if ip_locked:
            notes.append(f"address locked after {FREE_FAILURES['ip']} names")
        audit.record(action="login_failed", actor=_name(username), entity="user", channel="web", note=" ".join(notes))


@transaction.atomic
def record_bearer_failure(request: HttpRequest) -> int:
    """Count an unknown API token sent from the client's address; returns the seconds its address is now refused.

    Only unknown tokens are refused while the address is locked: a valid token from the same address (a
    colleague's integration behind the same NAT) keeps working.  Guessing a 256-bit token is hopeless anyway;
    this bounds the load and the noise of someone trying.  One audit row when a lock starts, none per attempt."""
    ip = client_ip(request)
    now = timezone.now()
    _prune(now)
    row, _fresh = _count(f"api:{ip}", now)
    if row.locked_until and row.locked_until > now:
        row.save(update_fields=["failures", "last_failure_at"])
        return _seconds_left(row, now)
    locked = _lock_if_over(row, FREE_FAILURES["api"], now)
    row.save()
    if locked:
        audit.record(action="login_failed", actor="(api token)", entity="api_token", channel="api",
                     note=f"ip={ip} failures={row.failures} address locked "
                          f"{_seconds_left(row, now)}s")
        return _seconds_left(row, now)
    return 0


@transaction.atomic
def record_success(request: HttpRequest, user: User) -> None:
    """Forget the user name's failures, note the new session, and log the sign-in."""
    ip = client_ip(request)
    username = getattr(user, "username", "")
    LoginThrottle.objects.filter(key=_user_key(username)).delete()
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
def end_all_sessions(user: User) -> int:
    """Delete every session the user holds on any device; returns how many were ended."""
    keys = list(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
    for key in keys:
        _store(key).delete(key)
    UserSession.objects.filter(user=user).delete()
    audit.record(action="change", actor=user, entity="user", record_id=getattr(user, "pk", None),
                 channel="web", fields=["sessions"], note=f"logged out everywhere, sessions={len(keys)}")
    return len(keys)
