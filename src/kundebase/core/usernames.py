"""One spelling per user name, so look-alikes (full-width letters, case, ligatures) are one name.

``ＡＮＮＡ``, ``Anna`` and ``anna`` must not be three accounts, nor three throttling counters for one
account: NFKC folds compatibility characters (full-width, ligatures, superscripts), casefold folds
case the Unicode way (``ß`` → ``ss``), and a second NFKC settles what casefolding produced.
User names are stored in this form, looked up in this form, and throttled in this form.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest


def canonical_username(name: str) -> str:
    """The stored and compared spelling of a user name (printable characters only, at most 150)."""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", str(name)).casefold())
    return "".join(ch for ch in folded if ch.isprintable()).strip()[:150]


def normalise_on_save(sender: type, instance: Any, **kwargs: Any) -> None:
    """``pre_save`` of the user model: every channel (CLI, admin, tests, services) stores the canonical name."""
    if instance.username:
        instance.username = canonical_username(instance.username)


class CanonicalNameBackend(ModelBackend):
    """Django's model backend, looking the user up by the canonical spelling of what was typed."""

    def authenticate(self, request: HttpRequest | None, username: str | None = None, password: str | None = None,
                     **kwargs: Any) -> Any:
        if username is not None:
            username = canonical_username(username)
        return super().authenticate(request, username=username, password=password, **kwargs)

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        """Django's answer, kept for a short while per user (:mod:`kundebase.core.permission_cache`)."""
        from kundebase.core import permission_cache

        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return super().get_all_permissions(user_obj, obj)
        if not hasattr(user_obj, "_perm_cache"):
            user_obj._perm_cache = permission_cache.get(
                user_obj.pk, lambda: ModelBackend.get_all_permissions(self, user_obj))
        return user_obj._perm_cache
