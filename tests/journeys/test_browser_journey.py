"""An employee's day in a real Chromium against `kundebase serve` in each mode: sign in, search, the customer
360, edit, every report, the segment builder and an export, campaigns, the duplicate review, the data
subject's rights and the other pages of the menu. Every response the browser receives is watched."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.journeys.conftest import Api
from tests.journeys.server import Server

pytestmark = [pytest.mark.journey, pytest.mark.browser, pytest.mark.slow]


def test_search_360_and_edit(page: Any, server: Server, api: Api) -> None:
    from playwright.sync_api import expect

    person = next(p for p in api.get("/persons", params={"limit": 50, "country": "NO"}).json()["items"]
                  if p["given_name"] and p["family_name"])
    base = server.url
    page.goto(base + "/search/")
    page.get_by_label("Name, e-mail, phone, organisation number or customer number").press_sequentially(
        f"{person['given_name']} {person['family_name']}", delay=15)
    results = page.locator("#live-results")
    results.get_by_role("link", name=person["display_name"], exact=True).first.click()
    page.wait_for_url(f"{base}/customers/{person['id']}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(person["display_name"])
    expect(page.locator("#timeline")).to_be_visible()
    page.goto(f"{base}/analytics/customers/{person['id']}/key-figures/")

    page.goto(f"{base}/customers/{person['id']}/edit/")
    page.get_by_label("Given name").fill("Journeyed")
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_url(re.compile(rf".*/customers/{person['id']}/.*"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Journeyed")

    page.goto(base + "/customers/")
    page.goto(base + "/customers/new/person/")
    page.get_by_label("Given name").fill("Ingrid")
    page.get_by_label("Family name").fill("Journeysen")
    page.get_by_role("button", name="Create customer").click()
    page.wait_for_url(re.compile(r".*/customers/\d+/.*"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ingrid Journeysen")


def test_dashboard_and_every_report(page: Any, server: Server) -> None:
    base = server.url
    page.goto(base + "/")
    page.goto(base + "/analytics/")
    page.goto(base + "/analytics/reports/")
    links = page.locator("main a[href^='/analytics/reports/']")
    keys = sorted({href.rstrip("/").rsplit("/", 1)[-1] for href in
                   (links.nth(i).get_attribute("href") for i in range(links.count())) if href})
    assert len(keys) >= 6, keys
    for key in keys:
        res = page.goto(f"{base}/analytics/reports/{key}/")
        assert res is not None and res.status == 200, f"report {key}: {res.status if res else None}"
    # The first visit analyses the texts not yet analysed; slow on a loaded machine, never an error.
    page.goto(base + "/analytics/text/", timeout=180_000)


def test_segment_builder_count_save_and_export(page: Any, server: Server) -> None:
    base = server.url
    page.goto(base + "/marketing/segments/")
    page.goto(base + "/marketing/segments/new")
    # Assertions that poll from outside the page: the Content Security Policy forbids evaluating strings in it.
    expect(page.locator("#live-count")).to_have_text(re.compile(r"^[0-9]"), timeout=60_000)
    page.select_option(".condition select.attr", "country")
    page.select_option(".condition select.op", "eq")
    page.fill(".condition input.value", "NO")
    expect(page.locator("#live-count")).to_have_text(re.compile(r"^[1-9]"), timeout=60_000)
    page.fill("#id_name", "Journey: customers in Norway")
    page.click("#segment-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/marketing/segments/.*"))
    page.goto(base + "/marketing/segments/")
    page.get_by_role("link", name="Journey: customers in Norway").first.click()
    page.wait_for_url(re.compile(r".*/marketing/segments/\d+/$"))
    page.select_option("#id_use", "email")
    page.get_by_role("button", name="Export").click()
    page.wait_for_url(re.compile(r".*/marketing/exports/\d+/$"))
    with page.expect_download() as download:
        page.get_by_role("link", name="Download").click()
    assert download.value.path().stat().st_size > 0
    page.goto(base + "/marketing/campaigns/")


def test_duplicate_review_privacy_and_the_rest_of_the_menu(page: Any, server: Server, api: Api) -> None:
    base = server.url
    page.goto(base + "/matching/review")
    merge = page.get_by_role("button", name="Merge")
    if merge.count():
        merge.first.click()
        page.wait_for_load_state()

    person = api.get("/persons", params={"limit": 5, "country": "DE"}).json()["items"][-1]
    page.goto(base + "/privacy/")
    page.get_by_label("Customer number, name or e-mail").fill(person["customer_number"])
    page.get_by_label("Requested by").fill("the person, by e-mail")
    page.get_by_role("button", name="Access report (HTML)").click()
    page.wait_for_load_state()
    page.goto(base + "/privacy/")
    page.get_by_label("Customer number, name or e-mail").fill(person["customer_number"])
    page.get_by_role("button", name="Erase…").click()
    page.wait_for_url(f"{base}/privacy/persons/{person['id']}/erase/?requested_by=")
    page.get_by_label("Type the customer number or the full name to confirm").fill(person["customer_number"])
    page.get_by_label("I have verified the person's identity").check()
    page.get_by_role("button", name="Erase permanently").click()
    page.wait_for_load_state()
    page.goto(base + "/privacy/")
    assert "Erasure" in page.locator("main").inner_text() or "erasure" in page.locator("main").inner_text()
    page.goto(f"{base}/privacy/persons/{person['id']}/")
    for path in ("/privacy/quarantine/", "/import/", "/import/new", "/import/sources",
                 "/customers/0/", "/no-such-page/"):
        page.goto(base + path)
