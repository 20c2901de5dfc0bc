"""The main flows in a real Chromium (Playwright) against the live server, at desktop and phone size."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.web.conftest import PASSWORD
from tests.web.seed import seed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


def sign_in(browser: Any, base: str, username: str, viewport: dict[str, int]) -> Any:
    page = browser.new_context(viewport=viewport, locale="en-GB").new_page()
    page.set_default_timeout(15_000)
    page.goto(base + "/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(base + "/")
    return page


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_main_flow(browser, live_server, make_user, size):
    from playwright.sync_api import expect

    user = make_user("selma", "sales", PASSWORD)
    data = seed(actor=user)
    base = live_server.url
    page = sign_in(browser, base, "selma", VIEWPORTS[size])
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hello")

    # Search as you type, with the phone number in another format than stored (+4741234567).
    page.goto(base + "/search/")
    page.get_by_label("Name, e-mail, phone, organisation number or customer number").press_sequentially(
        "0047 412 34 567", delay=20)
    results = page.locator("#live-results")
    expect(results).to_contain_text("Kari Nordmann")
    assert page.url == base + "/search/"  # nothing was submitted: the results came while typing

    # Open the customer 360 page.
    results.get_by_role("link", name="Kari Nordmann", exact=True).click()
    page.wait_for_url(f"{base}/customers/{data.kari.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Kari Nordmann")
    expect(page.get_by_text("Possible duplicate:")).to_be_visible()
    expect(page.locator("#timeline")).to_contain_text("Spørsmål om faktura")

    # Log a call in two clicks (type, save) plus a subject, and see it on the timeline.
    page.get_by_role("radio", name="Call").check()
    page.get_by_label("Subject").fill("Kunden ringte om ny avtale")
    page.get_by_role("button", name="Save contact").click()
    page.wait_for_url(re.compile(rf".*/customers/{data.kari.pk}/#timeline$"))
    first = page.locator("#timeline ol.timeline > li").first
    expect(first).to_contain_text("Kunden ringte om ny avtale")
    expect(first).to_contain_text("Call")

    # A new customer with an invalid phone: the error stands beside the field.
    page.goto(base + "/customers/new/person/")
    page.get_by_label("Family name (required)").fill("Hansen")
    page.get_by_label("Mobile").fill("12")
    page.get_by_role("button", name="Create customer").click()
    error = page.locator("#id_mobile_error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("phone number")
    field_box = page.get_by_label("Mobile").bounding_box()
    error_box = error.bounding_box()
    assert field_box and error_box
    assert 0 <= error_box["y"] - (field_box["y"] + field_box["height"]) < 40
    assert abs(error_box["x"] - field_box["x"]) < 40
    expect(page.get_by_label("Mobile")).to_have_attribute("aria-invalid", "true")
    page.context.close()


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_user_without_permission_is_refused(browser, live_server, make_user, size):
    from playwright.sync_api import expect

    make_user("anton", "analyst", PASSWORD)
    data = seed()
    page = sign_in(browser, live_server.url, "anton", VIEWPORTS[size])
    expect(page.get_by_role("link", name="Customers")).to_have_count(0)
    response = page.goto(f"{live_server.url}/customers/{data.kari.pk}/")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("You may not open this page")
    expect(page.get_by_text("Kari Nordmann")).to_have_count(0)
    page.context.close()


def test_keyboard_only_sign_in_and_skip_link(browser, live_server, make_user):
    from playwright.sync_api import expect

    make_user("kim", "service", PASSWORD)
    page = browser.new_context(viewport=VIEWPORTS["phone"]).new_page()
    page.goto(live_server.url + "/login/")
    expect(page.get_by_label("Username")).to_be_focused()  # the sign-in form takes the focus itself
    page.keyboard.type("kim")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(live_server.url + "/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    assert skip.bounding_box()["x"] >= 0  # it appears on screen when focused
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    # No horizontal scrolling at phone width.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.context.close()


def test_pages_run_under_the_content_security_policy(browser, live_server, make_user):
    """Every kind of page works with the strict policy: nothing is blocked, the scripts in files still run."""
    from playwright.sync_api import expect

    from kundebase.ingest.models import ImportJob, Source

    make_user("olga", "administrator", PASSWORD)
    seed()
    job = ImportJob.objects.create(source=Source.objects.create(name="csp-check"), entity="person",
                                   file_name="people.csv", file_format="csv", content_hash="0" * 64,
                                   status="running", total_rows=10, rows_done=4)
    base = live_server.url
    page = sign_in(browser, base, "olga", VIEWPORTS["desktop"])
    blocked: list[str] = []
    page.on("console", lambda m: blocked.append(f"{page.url}: {m.text}") if "Content Security Policy" in m.text
            else None)
    page.goto(base + "/search/")
    page.get_by_label("Name, e-mail, phone, organisation number or customer number").press_sequentially(
        "Kari", delay=20)
    expect(page.locator("#live-results")).to_contain_text("Kari Nordmann")  # live-search.js ran
    page.goto(f"{base}/import/{job.pk}/")
    expect(page.locator("#status")).to_have_text(re.compile("running", re.I))  # the progress poll ran
    page.goto(base + "/api/v1/docs")
    expect(page.locator("#swagger-ui")).to_contain_text("Kundebase API", timeout=60_000), blocked  # our static files
    # (The analytics pages and the segment builder have their own browser tests, which watch the policy too.)
    for path in ("/", "/account/tokens/", "/matching/review", "/privacy/", "/import/"):
        response = page.goto(base + path)
        assert response is not None and response.status == 200, path
    # The admin site, for a member of staff.
    from django.contrib.auth import get_user_model

    get_user_model().objects.filter(username="olga").update(is_staff=True, is_superuser=True)
    response = page.goto(base + "/admin/")
    assert response is not None and response.status == 200
    page.wait_for_timeout(300)
    assert not blocked, blocked
    page.context.close()
