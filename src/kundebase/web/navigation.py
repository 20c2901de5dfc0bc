"""The main menu, assembled from what each app registers (so an app adds its pages without editing web).

Items sit in groups named after a task (customers, sales, service, marketing, analysis, administration), so the
menu stays one short row however many apps register pages; a role sees only the groups it has items in, and a
group with a single visible item is shown as that item's link.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavGroup:
    key: str
    label: str | Promise
    order: int


GROUPS: dict[str, NavGroup] = {group.key: group for group in (
    NavGroup("customers", _("Customers"), 10),
    NavGroup("sales", _("Sales"), 20),
    NavGroup("service", _("Service"), 30),
    NavGroup("marketing", _("Marketing"), 40),
    NavGroup("analysis", _("Analysis"), 50),
    NavGroup("admin", _("Administration"), 90),
)}
"""The task groups of the menu; an item names its group by key (an item without one stands on its own)."""


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    permission: str = ""
    order: int = 100
    group: str = ""


NAV: list[NavItem] = []


def register(item: NavItem) -> None:
    if item.group and item.group not in GROUPS:
        raise ValueError(f"unknown menu group {item.group!r}; one of {sorted(GROUPS)}")
    if all(existing.url_name != item.url_name for existing in NAV):
        NAV.append(item)
        NAV.sort(key=lambda i: (i.order, str(i.label)))


def visible_to(user: object) -> list[NavItem]:
    has_perm = getattr(user, "has_perm", None)
    return [i for i in NAV if not i.permission or (has_perm is not None and has_perm(i.permission))]


@dataclass
class Link:
    label: str | Promise
    url: str
    current: str = ""
    """``"page"`` on the page itself, ``"true"`` on a page below it (a deal below Deals), else empty."""


@dataclass
class MenuEntry:
    """One entry of the top row: a group with its links, or a single link (``links`` of one, no ``label``)."""

    key: str
    label: str | Promise
    links: list[Link] = field(default_factory=list)

    @property
    def current(self) -> bool:
        return any(link.current for link in self.links)

    @property
    def single(self) -> Link | None:
        return self.links[0] if len(self.links) == 1 else None


@dataclass
class Menu:
    entries: list[MenuEntry]
    breadcrumbs: list[Link]
    """The way back from a page deeper than a menu item (Home › Deals on a deal's page); empty on menu pages."""


def _url(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def menu_for(user: object, path: str) -> Menu:
    """The menu ``user`` sees on the page at ``path``: the entry below which ``path`` lies is marked current
    (the longest matching address wins, so ``/sales/deals/7/`` marks Deals, not the sales board at ``/sales/``)."""
    links: list[tuple[NavItem, Link]] = []
    for item in visible_to(user):
        url = _url(item.url_name)
        if url is not None:
            links.append((item, Link(item.label, url)))
    below = [link for _item, link in links if link.url != "/" and path.startswith(link.url)]
    home = next((link for item, link in links if link.url == "/"), None)
    best = max(below, key=lambda link: len(link.url), default=None)
    if best is not None:
        best.current = "page" if path == best.url else "true"
    elif home is not None and path == "/":
        home.current = "page"
    entries: list[MenuEntry] = []
    by_group: dict[str, MenuEntry] = {}
    for item, link in links:
        if not item.group:
            entries.append(MenuEntry(item.url_name, item.label, [link]))
            continue
        if item.group not in by_group:
            group = GROUPS[item.group]
            by_group[item.group] = MenuEntry(group.key, group.label)
            entries.append(by_group[item.group])
        by_group[item.group].links.append(link)
    order = {key: group.order for key, group in GROUPS.items()}
    entries.sort(key=lambda entry: order.get(entry.key, 0))
    crumbs: list[Link] = []
    if best is not None and best.current == "true":
        crumbs = [Link(home.label, home.url)] if home is not None else []
        crumbs.append(Link(best.label, best.url))
    return Menu(entries, crumbs)
