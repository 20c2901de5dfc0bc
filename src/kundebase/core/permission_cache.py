"""Each user's permissions, kept in the server process for a short while instead of read on every request.

Django reads a user's permissions with two queries (their own and their groups') the first time a request asks;
an integration calling the profile API hundreds of times a second would spend most of its queries on them.
The set is kept per user for :data:`TTL` seconds.  A change to a user's roles or permissions, or to a role's
permissions, clears it at once in the process that made it (signals below); other server processes see it
within :data:`TTL` seconds.  Whether the user is active and whether a token is revoked or expired are still read
on every request, so revoking access is immediate.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

TTL = 30.0
"""Seconds a permission set is reused; the longest a role change takes to reach another server process."""

_sets: dict[int, tuple[float, set[str]]] = {}
_lock = threading.Lock()


def get(user_id: int, load: Callable[[], set[str]]) -> set[str]:
    """The user's permission set, from the process cache while younger than :data:`TTL`, else ``load()``."""
    now = time.monotonic()
    with _lock:
        found = _sets.get(user_id)
    if found is not None and now - found[0] < TTL:
        return found[1]
    perms = load()
    with _lock:
        _sets[user_id] = (now, perms)
    return perms


def forget(user_id: int | None = None) -> None:
    """Drop one user's cached set (``None``: everyone's)."""
    with _lock:
        if user_id is None:
            _sets.clear()
        else:
            _sets.pop(user_id, None)


def _user_changed(sender: Any, instance: Any, **_kw: Any) -> None:
    forget(getattr(instance, "pk", None))


def _membership_changed(sender: Any, instance: Any, reverse: bool = False, pk_set: Any = None,
                        **_kw: Any) -> None:
    from django.contrib.auth import get_user_model

    if isinstance(instance, get_user_model()):
        forget(instance.pk)
    else:  # a role (group) or a permission changed: anyone may be concerned
        forget()


def _everyone(sender: Any, **_kw: Any) -> None:
    forget()


def connect() -> None:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group, Permission
    from django.db.models.signals import m2m_changed, post_delete, post_save

    user = get_user_model()
    post_save.connect(_user_changed, sender=user, dispatch_uid="permission_cache_user_saved")
    post_delete.connect(_user_changed, sender=user, dispatch_uid="permission_cache_user_deleted")
    for through in (user.groups.through, user.user_permissions.through, Group.permissions.through):
        m2m_changed.connect(_membership_changed, sender=through, dispatch_uid=f"permission_cache_{through.__name__}")
    for model in (Group, Permission):
        post_save.connect(_everyone, sender=model, dispatch_uid=f"permission_cache_{model.__name__}_saved")
        post_delete.connect(_everyone, sender=model, dispatch_uid=f"permission_cache_{model.__name__}_deleted")
