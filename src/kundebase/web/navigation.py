"""The main menu, assembled from what each app registers (so an app adds its pages without editing web)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    permission: str = ""
    order: int = 100


NAV: list[NavItem] = []


def register(item: NavItem) -> None:
    if all(existing.url_name != item.url_name for existing in NAV):
        NAV.append(item)
        NAV.sort(key=lambda i: (i.order, str(i.label)))


def visible_to(user: object) -> list[NavItem]:
    has_perm = getattr(user, "has_perm", None)
    return [i for i in NAV if not i.permission or (has_perm is not None and has_perm(i.permission))]
