"""The visual segment builder in a real Chromium: live count as the rule is edited, then saving."""

from __future__ import annotations

import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_builder_counts_live_and_saves(live_server, make_user, client) -> None:
    from playwright.sync_api import expect

    from kundebase.marketing.models import Segment
    from kundebase.parties import services
    from tests import chromium

    for i, gender in enumerate(["female", "female", "male"]):
        services.create_person(data={"family_name": f"P{i}", "gender": gender})
    client.force_login(make_user("mia", "marketing"))
    session = client.cookies["sessionid"].value
    with chromium.opened() as browser:
        context = browser.new_context()
        context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
        page = context.new_page()
        blocked: list[str] = []  # the Content Security Policy must not have to block anything the page does
        page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
        page.goto(f"{live_server.url}/marketing/segments/new")
        count = page.locator("#live-count")
        expect(count).to_have_text(re.compile(r"^3 "))
        page.select_option(".condition select.attr", "gender")
        page.select_option(".condition select.op", "eq")
        page.fill(".condition input.value", "female")
        expect(count).to_have_text(re.compile(r"^2 "))
        page.select_option(".condition select.op", "in")
        page.fill(".condition input.value", "nonsense, male")
        page.wait_for_selector("#rule-errors li")
        assert "rule.and[0].value" in page.locator("#rule-errors").inner_text()
        page.fill(".condition input.value", "male")
        expect(count).to_have_text(re.compile(r"^1 "))
        assert count.inner_text().startswith("1 ")
        page.fill("#id_name", "Men")
        page.click("form:has(#id_name) button[type=submit]")
        page.wait_for_url(f"{live_server.url}/marketing/segments/")
        assert not blocked, blocked
    saved = Segment.objects.get(name="Men")
    assert saved.rule == {"and": [{"attr": "gender", "op": "in", "value": ["male"]}]}
