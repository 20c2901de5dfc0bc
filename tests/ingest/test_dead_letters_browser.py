"""An administrator in a real Chromium finds the events that could not be processed, reads why, discards one
and retries the rest."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_administrator_reads_discards_and_retries_dead_letters(live_server, make_user, client) -> None:
    from kundebase.ingest import dead_letters, events, services
    from kundebase.ingest.models import Event
    from tests import chromium

    source, _key = services.add_source(name="nettbutikk")
    for message_id, payload in (("legacy-1", {"type": "identify", "userId": "u1", "context": "oops"}),
                                ("legacy-2", {"type": "group", "userId": "u2", "groupId": "g", "traits": "x"})):
        Event.objects.create(source=source, message_id=message_id, type=payload["type"],
                             user_id=payload["userId"], payload=payload)
    events.process()
    client.force_login(make_user("ada", "administrator"))
    session = client.cookies["sessionid"].value
    with chromium.opened() as browser:
        context = browser.new_context()
        context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
        page = context.new_page()
        page.goto(f"{live_server.url}/import/")
        page.click("a[href='/import/events/dead-letters']")
        reasons = page.locator(".dead-letter-reason")
        assert reasons.count() == 2
        assert "AttributeError" in reasons.first.inner_text()
        page.locator("tr", has_text="legacy-1").locator("input[type=checkbox]").check()
        page.click("button[value=discard]")
        page.wait_for_selector(".messages li")
        assert "1" in page.locator(".messages").inner_text()
        assert page.locator(".dead-letter-reason").count() == 1
        page.click("form:has(input[name=all]) button[value=retry]")
        page.wait_for_selector(".messages li")
        assert page.locator(".dead-letter-reason").count() == 1  # still failing: still listed, with its reason
    assert list(dead_letters.dead_letters().values_list("message_id", flat=True)) == ["legacy-2"]
