"""Set-up and privacy journeys in a real Chromium against the live server: a campaign created with a preview and
a test message (to a real SMTP server on loopback), and a person erased from their 360 page by typing the
customer number."""

from __future__ import annotations

import re

import pytest

from tests.marketing.conftest import html_part, purposes, smtp  # noqa: F401  (fixtures used below)
from tests.web.conftest import PASSWORD
from tests.web.test_browser import VIEWPORTS, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_campaign_with_preview_and_test_send_then_erasure_from_the_360_page(browser, live_server, make_user,  # noqa: F811
                                                                             smtp, purposes):  # noqa: F811
    from playwright.sync_api import expect

    from kundebase.marketing import segments
    from kundebase.marketing.models import Campaign
    from kundebase.parties import services
    from kundebase.parties.models import Person

    user = make_user("mona", "administrator", PASSWORD)
    user.email = "mona@example.org"
    user.save()
    segment = segments.create_segment(data={"name": "Everyone", "kind": "dynamic",
                                            "rule": {"attr": "kind", "op": "eq", "value": "person"}})
    ingrid = services.create_person(
        data={"given_name": "Ingrid", "family_name": "Bakke", "preferred_language": "nb"},
        contact_points=[{"kind": "email", "value": "ingrid.bakke@example.no"}],
        addresses=[{"street": "Fjordveien 3", "postcode": "5003", "city": "Bergen", "country": "NO"}])
    base = live_server.url
    page = sign_in(browser, base, "mona", VIEWPORTS["desktop"])

    # A campaign, set up in the browser: preview for one customer, a test to oneself, then saved as a draft.
    page.goto(base + "/marketing/campaigns/")
    page.get_by_role("link", name="New campaign").first.click()
    page.wait_for_url(base + "/marketing/campaigns/new")
    page.locator("#id_name").fill("Autumn news")
    page.get_by_label("Segment (who receives it)").select_option(label="Everyone")
    page.get_by_label("Sender address").fill("news@example.no")
    page.locator("#id_subject").fill("Hello {{ given_name }}")
    page.locator("#id_body").fill("<p>Dear {{ given_name }}, your number is {{ customer_number }}.</p>")
    page.get_by_label("Preview for customer (customer number, name or e-mail)").fill("Ingrid Bakke")
    page.get_by_role("button", name="Show preview").click()
    expect(page.locator("#preview-subject")).to_have_text("Hello Ingrid")
    frame = page.frame_locator("#preview iframe")
    expect(frame.locator("body")).to_contain_text(f"Dear Ingrid, your number is {ingrid.customer_number}.")
    page.get_by_role("button", name="Send a test to me").click()
    expect(page.get_by_text("A test message was sent to mona@example.org")).to_be_visible()
    [message] = smtp.to("mona@example.org")
    assert message["Subject"] == "[Test] Hello Ingrid" and "Dear Ingrid" in html_part(message)
    assert not smtp.to("ingrid.bakke@example.no")
    page.get_by_role("button", name="Create campaign").click()
    page.wait_for_url(re.compile(rf"{re.escape(base)}/marketing/campaigns/\d+/$"))
    campaign = Campaign.objects.get(name="Autumn news")
    assert (campaign.segment_id, campaign.status, campaign.subject) == (segment.pk, "draft", "Hello {{ given_name }}")

    # Erasure from the person's 360 page: a wrong confirmation is refused beside the field, the right one erases.
    page.goto(f"{base}/customers/{ingrid.pk}/")
    page.get_by_role("link", name="Erase this person…").click()
    page.wait_for_url(f"{base}/privacy/persons/{ingrid.pk}/erase/")
    expect(page.get_by_role("heading", name="This cannot be undone")).to_be_visible()
    page.get_by_label("Type the customer number or the full name to confirm").fill("Ingrid")
    page.get_by_label("I have verified the person's identity").check()
    page.get_by_role("button", name="Erase permanently").click()
    expect(page.locator("#id_confirmation_error")).to_contain_text(ingrid.customer_number)
    assert Person.objects.get(pk=ingrid.pk).erased_at is None
    page.get_by_label("Type the customer number or the full name to confirm").fill(ingrid.customer_number)
    page.get_by_label("I have verified the person's identity").check()
    page.get_by_role("button", name="Erase permanently").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("The person was erased")
    summary = page.locator(".erasure-summary")
    expect(summary).to_contain_text("1 postal address deleted")
    expect(summary).to_contain_text("1 e-mail address or phone number deleted")
    assert Person.objects.get(pk=ingrid.pk).erased_at is not None

    # The erased record is read-only: no Edit, no logging, and it says why.
    page.get_by_role("link", name="Open the erased record").click()
    page.wait_for_url(f"{base}/customers/{ingrid.pk}/")
    expect(page.locator("#erased")).to_contain_text("This person was erased on")
    expect(page.get_by_role("link", name="Edit", exact=True)).to_have_count(0)
    expect(page.get_by_role("button", name="Save contact")).to_have_count(0)
