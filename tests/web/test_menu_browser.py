"""The menu in a real Chromium: folded behind a button on a phone, groups that open and close by keyboard, and
the one search box that answers while typing, on every page."""

from __future__ import annotations

import pytest

from tests.web.conftest import PASSWORD
from tests.web.seed import seed
from tests.web.test_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_phone_header_folds_into_a_menu_button_operable_by_keyboard(browser, live_server, make_user):  # noqa: F811
    from playwright.sync_api import expect

    make_user("mona", "administrator", PASSWORD)
    page = sign_in(browser, live_server.url, "mona", {"width": 360, "height": 800})
    header = page.locator("header.site-header")
    assert header.bounding_box()["height"] < 130  # brand, menu button and the search: no 300 px header
    menu = page.get_by_role("navigation", name="Main menu")
    expect(menu).to_be_hidden()
    button = page.get_by_role("button", name="Menu")
    expect(button).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Tab")  # the brand
    page.keyboard.press("Tab")
    expect(button).to_be_focused()
    page.keyboard.press("Enter")
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(menu).to_be_visible()
    expect(menu.get_by_role("link", name="Home")).to_have_attribute("aria-current", "page")
    page.keyboard.press("Escape")
    expect(menu).to_be_hidden()
    expect(button).to_be_focused()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.context.close()


def test_desktop_menu_groups_open_one_at_a_time_and_close_on_escape(browser, live_server, make_user):  # noqa: F811
    from playwright.sync_api import expect

    make_user("dag", "administrator", PASSWORD)
    base = live_server.url
    page = sign_in(browser, base, "dag", {"width": 1366, "height": 900})
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    menu = page.get_by_role("navigation", name="Main menu")
    sales, admin = menu.locator("summary", has_text="Sales"), menu.locator("summary", has_text="Administration")
    sales.focus()
    page.keyboard.press("Enter")
    deals = menu.get_by_role("link", name="Deals")
    expect(deals).to_be_visible()
    admin.focus()
    page.keyboard.press("Enter")
    expect(menu.get_by_role("link", name="Privacy")).to_be_visible()
    expect(deals).to_be_hidden()  # one group open at a time
    page.keyboard.press("Escape")
    expect(menu.get_by_role("link", name="Privacy")).to_be_hidden()
    expect(admin).to_be_focused()
    page.goto(base + "/sales/tasks/")
    expect(menu.locator("li.current summary")).to_have_text("Sales")
    page.context.close()


def test_the_header_search_answers_while_typing(browser, live_server, make_user):  # noqa: F811
    from playwright.sync_api import expect

    make_user("sara", "sales", PASSWORD)
    data = seed()
    base = live_server.url
    page = sign_in(browser, base, "sara", {"width": 1366, "height": 900})
    page.goto(base + "/sales/tasks/")
    page.get_by_role("searchbox", name="Search customers").press_sequentially("Kari Nord", delay=20)
    results = page.locator("#header-results")
    expect(results).to_contain_text("Kari Nordmann")
    results.get_by_role("link", name="Kari Nordmann", exact=True).click()
    page.wait_for_url(f"{base}/customers/{data.kari.pk}/")
    page.context.close()
