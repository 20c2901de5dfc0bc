"""The menu: grouped by task per kind of user, one global search, the current page marked, breadcrumbs below."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db


def menu_of(html: str) -> str:
    return html.split('<nav class="main-menu"', 1)[1].split("</nav>", 1)[0]


def top_row(html: str) -> list[str]:
    """The entries of the menu's top row: group names and single links, in order."""
    menu = menu_of(html)
    found = re.findall(r"<summary>(.*?)</summary>|^\s*<li[^>]*><a [^>]*>(.*?)</a>", menu, re.M)
    return [re.sub(r"<[^>]+>", "", text).strip() for pair in found for text in pair if text]


@pytest.mark.parametrize(("role", "entries", "absent"), [
    ("sales", ["Home", "Customers", "Sales", "Cases", "Marketing"], ["Administration", "Privacy", "Analysis"]),
    ("service", ["Home", "Customers", "Tasks", "Cases"], ["Administration", "Deals", "Marketing"]),
    ("marketing", ["Home", "Customers", "Marketing", "Analysis"], ["Administration", "Sales", "Deals"]),
    ("administrator", ["Home", "Customers", "Sales", "Cases", "Marketing", "Analysis", "Administration"], []),
])
def test_each_kind_of_user_gets_a_short_menu_grouped_by_task(client_as, role, entries, absent):
    page = client_as(role).get("/").content.decode()
    row = top_row(page)
    assert row == entries, row
    menu = menu_of(page)
    for word in absent:
        assert f">{word}<" not in menu, word
    assert ">Dashboard<" not in menu and ">Search<" not in menu  # no second "home", no second search


def test_one_search_box_on_every_page(client_as, seeded):
    client = client_as("sales")
    for path in ("/", "/customers/", f"/customers/{seeded.kari.pk}/", "/search/?q=kari", "/sales/tasks/"):
        page = client.get(path).content.decode()
        assert page.count('type="search"') == 1, path


def test_the_current_page_is_marked_and_deep_pages_have_breadcrumbs(client_as, seeded):
    client = client_as("sales")
    listing = client.get("/customers/").content.decode()
    assert '<a href="/customers/" aria-current="page">Customers</a>' in listing
    assert 'class="breadcrumbs"' not in listing
    person = client.get(f"/customers/{seeded.kari.pk}/").content.decode()
    assert '<a href="/customers/" aria-current="true">Customers</a>' in person
    crumbs = person.split('class="breadcrumbs"', 1)[1].split("</nav>", 1)[0]
    assert re.findall(r'<a href="([^"]+)">([^<]+)</a>', crumbs) == [("/", "Home"), ("/customers/", "Customers")]
    home = client.get("/").content.decode()
    assert '<a href="/" aria-current="page">Home</a>' in home


def test_the_longest_menu_address_wins(client_as):
    """``/sales/tasks/`` lies below the sales board at ``/sales/`` too; Tasks is the current entry."""
    page = client_as("sales").get("/sales/tasks/").content.decode()
    assert 'aria-current="page">Tasks<' in page and 'aria-current="true">Deals<' not in page


def test_an_app_cannot_register_an_item_in_a_group_that_does_not_exist():
    from kundebase.web.navigation import NavItem, register

    with pytest.raises(ValueError, match="unknown menu group"):
        register(NavItem("Nowhere", "dashboard", group="nowhere"))
