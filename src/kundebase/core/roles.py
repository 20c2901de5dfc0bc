"""Roles are Django groups; their permissions are declared here as patterns and synced after every migrate.

Patterns (``app_label.codename`` with ``*`` wildcards, ``!`` to exclude) let an app that adds
models or custom permissions join a role without touching this file's logic.
"""

from __future__ import annotations

from fnmatch import fnmatch
from typing import TYPE_CHECKING

from django.db.models.signals import post_migrate
from django.dispatch import receiver

if TYPE_CHECKING:
    from django.contrib.auth.models import Permission

ROLES: dict[str, list[str]] = {
    "administrator": ["*.*", "!privacy.pseudonymised_only"],
    "sales": [
        "core.view_*", "!core.view_auditentry", "parties.*", "interactions.*",
        "orders.view_*", "orders.add_*", "orders.change_*",
        "matching.view_*", "marketing.view_*", "privacy.view_consent*", "privacy.add_consent*",
        "analytics.view_keyfigures", "offers.view_*", "offers.add_offerevent",
        "service.view_*", "service.add_mailmessage",
        "sales.view_*", "sales.add_deal", "sales.change_deal", "sales.*_task", "!sales.view_all_deals",
    ],
    "marketing": [
        "core.view_*", "!core.view_auditentry", "parties.view_*", "interactions.view_*", "orders.view_*", "marketing.*",
        "privacy.view_consent*", "privacy.add_consent*", "analytics.view_*",
        "offers.*",
    ],
    "service": [
        "core.view_*", "!core.view_auditentry", "parties.view_*", "parties.add_*", "parties.change_*",
        "interactions.*", "orders.view_*",
        "privacy.view_consent*", "privacy.add_consent*", "matching.view_*",
        "offers.view_*", "offers.add_offerevent",
        "service.*", "!service.*_mailbox", "!service.*_slarule",
        "sales.*_task",
    ],
    "analyst": [
        "parties.view_party", "orders.view_*", "interactions.view_*", "analytics.*", "marketing.view_*",
        "privacy.pseudonymised_only",
        "offers.view_profile",
    ],
}
"""Which permissions each role grants.  ``privacy.pseudonymised_only`` makes the role see masked identifiers."""

ROLE_NAMES = tuple(ROLES)

PSEUDONYMISED_ONLY = "privacy.pseudonymised_only"
"""The permission of roles that analyse customers without identifying them (the analyst)."""


def is_pseudonymised(user: object) -> bool:
    """True for roles that may analyse customers but not identify them (the analyst).  Here in core, beside the
    roles, because core's API authentication asks it too and core depends on no other app."""
    if getattr(user, "is_superuser", False):
        return False
    has_perm = getattr(user, "has_perm", None)
    return bool(has_perm and has_perm(PSEUDONYMISED_ONLY))


def identifies_people(user: object) -> bool:
    """May the user find people by their identifiers (search, look-up)?  Not the pseudonymised role: a hit,
    even a pseudonymised one, would confirm that the e-mail, phone or name it typed belongs to a customer."""
    return not is_pseudonymised(user)


def permissions_for(role: str) -> list[Permission]:
    from django.contrib.auth.models import Permission

    patterns = ROLES[role]
    perms: list[Permission] = []
    for perm in Permission.objects.select_related("content_type"):
        full = f"{perm.content_type.app_label}.{perm.codename}"
        included = any(fnmatch(full, p) for p in patterns if not p.startswith("!"))
        excluded = any(fnmatch(full, p[1:]) for p in patterns if p.startswith("!"))
        if included and not excluded:
            perms.append(perm)
    return perms


def sync_roles() -> None:
    from django.contrib.auth.models import Group

    for role in ROLES:
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set(permissions_for(role))


@receiver(post_migrate)
def _sync_after_migrate(sender: object, **kwargs: object) -> None:
    # Permissions are created app by app during post_migrate, so the sync runs after each app;
    # it is a handful of queries and keeps roles complete whatever order apps migrate in.
    sync_roles()
