"""The offer form in a real Chromium: a marketer reaches it from the menu, sees each fault beside its field, keeps
what was typed, corrects it and finds the offer in the list."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_marketer_creates_an_offer_in_the_browser(live_server, make_user, client) -> None:
    from kundebase.offers.models import Offer
    from tests import chromium

    client.force_login(make_user("mia", "marketing"))
    session = client.cookies["sessionid"].value
    with chromium.opened() as browser:
        context = browser.new_context()
        context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
        page = context.new_page()
        blocked: list[str] = []
        page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
        page.goto(f"{live_server.url}/")
        page.locator("summary", has_text="Marketing").click()  # the menu group opens
        page.click("a[href='/marketing/offers/']")
        page.click("a[href='/marketing/offers/new']")
        page.fill("#f-name", "Vintertilbud")
        page.select_option("#f-kind", "content")
        page.fill("#f-capt", "-2")
        page.fill("#f-rule", '{"attr": "kind", "op": "eq", "value": "robot"}')
        page.click("#f-save")
        page.wait_for_selector(".error[role=alert]")
        assert "A cap cannot be negative" in page.locator("#f-capt + span.error, p:has(#f-capt) .error"
                                                          ).first.inner_text()
        assert page.locator("p:has(#f-rule) .error").count() == 1
        assert page.input_value("#f-name") == "Vintertilbud"
        page.fill("#f-capt", "100")
        page.fill("#f-rule", '{"attr": "kind", "op": "eq", "value": "person"}')
        page.click("#f-save")
        page.wait_for_url(f"{live_server.url}/marketing/offers/")
        assert "Vintertilbud" in page.content()
        assert not blocked, blocked
    offer = Offer.objects.get()  # one offer: the refused attempt saved nothing
    assert offer.name == "Vintertilbud" and offer.cap_total == 100 and offer.eligibility["value"] == "person"
