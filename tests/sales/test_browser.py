"""In a real Chromium: move a deal through the stages on the board with the mouse (drag and drop) and with the
keyboard (the select + button under the card), at desktop and phone size, and complete a task on the dashboard."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.web.conftest import PASSWORD
from tests.web.test_browser import VIEWPORTS, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _deal(user):
    from kundebase.parties import services as parties
    from kundebase.sales import services

    person = parties.create_person(data={"given_name": "Bodil", "family_name": "Kjøper"})
    return services.create_deal(data={"title": "Takstein til låven", "party_id": person.pk, "amount": "48000"},
                                actor=user)


def test_move_a_deal_with_the_mouse_and_the_keyboard(browser, live_server, make_user):  # noqa: F811
    from playwright.sync_api import expect

    from kundebase.sales.models import Deal

    user = make_user("selma", "sales", PASSWORD)
    deal = _deal(user)
    stages = list(deal.pipeline.stages.order_by("position"))
    base = live_server.url
    page = sign_in(browser, base, "selma", VIEWPORTS["desktop"])
    page.goto(base + "/sales/")
    card = page.locator(f'.deal-card[data-deal-id="{deal.pk}"]')
    expect(page.locator(f'.board-column[data-stage-id="{stages[0].pk}"]')).to_contain_text("Takstein til låven")

    # The mouse: drag the card onto the "Qualified" column.
    card.drag_to(page.locator(f'.board-column[data-stage-id="{stages[1].pk}"]'))
    expect(page.locator(f'.board-column[data-stage-id="{stages[1].pk}"]')).to_contain_text("Takstein til låven")
    expect(page.get_by_role("status")).to_contain_text("The deal is moved.")
    assert Deal.objects.get(pk=deal.pk).stage_id == stages[1].pk

    # The keyboard alone: focus the card's stage select, pick "Proposal" with the arrow key, Tab to Move, Enter.
    select = page.get_by_label("Stage of Takstein til låven")
    select.focus()
    select.press("ArrowDown")
    expect(select).to_have_value(str(stages[2].pk))
    page.keyboard.press("Tab")
    expect(page.locator(f'.deal-card[data-deal-id="{deal.pk}"] button')).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(f'.board-column[data-stage-id="{stages[2].pk}"]')).to_contain_text("Takstein til låven")
    assert Deal.objects.get(pk=deal.pk).stage_id == stages[2].pk
    history = list(Deal.objects.get(pk=deal.pk).stage_changes.values_list("to_stage", flat=True))
    assert history == [stages[0].pk, stages[1].pk, stages[2].pk]


def test_move_on_a_phone_and_complete_a_task_on_the_dashboard(browser, live_server, make_user):  # noqa: F811
    from django.utils import timezone
    from playwright.sync_api import expect

    from kundebase.sales import services
    from kundebase.sales.models import Deal, Task

    user = make_user("selma", "sales", PASSWORD)
    deal = _deal(user)
    stages = list(deal.pipeline.stages.order_by("position"))
    task = services.create_task(data={"title": "Ring Bodil om tilbudet", "deal_id": deal.pk,
                                      "due_at": timezone.now() - dt.timedelta(hours=1)}, actor=user)
    base = live_server.url
    page = browser.new_context(viewport=VIEWPORTS["phone"], has_touch=True, is_mobile=True,
                               locale="en-GB").new_page()
    page.set_default_timeout(15_000)
    page.goto(base + "/login/")
    page.get_by_label("Username").fill("selma")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").tap()
    page.wait_for_url(base + "/")

    page.goto(base + "/sales/")
    page.get_by_label("Stage of Takstein til låven").select_option(label="Negotiation")
    page.locator(f'.deal-card[data-deal-id="{deal.pk}"]').get_by_role("button", name="Move").tap()
    expect(page.get_by_role("status")).to_contain_text("The deal is moved.")
    assert Deal.objects.get(pk=deal.pk).stage_id == stages[3].pk

    page.goto(base + "/")
    panel = page.locator("#my-tasks")
    expect(panel).to_contain_text("Ring Bodil om tilbudet")
    panel.get_by_role("button", name="Done: Ring Bodil om tilbudet").tap()
    expect(page.get_by_role("status")).to_contain_text("The task is done.")
    expect(page.locator("#my-tasks")).not_to_contain_text("Ring Bodil om tilbudet")
    assert Task.objects.get(pk=task.pk).completed_at is not None


def test_see_the_credit_warning_on_a_new_order(browser, live_server, make_user):  # noqa: F811
    """From the customer page to a new order over the credit limit: the order is made and the warning shown;
    with the policy set to refuse, the same order is refused on the form and nothing is written."""
    from decimal import Decimal

    from playwright.sync_api import expect

    from kundebase.orders.models import Order
    from kundebase.parties import services as parties
    from kundebase.parties.models import Company
    from kundebase.sales import credit, dunning

    make_user("selma", "sales", PASSWORD)
    company = parties.create_company(data={"legal_name": "Låvebygg AS"})
    Company.objects.filter(pk=company.pk).update(credit_limit=Decimal("20000"))
    credit.import_ledger([{"party_id": company.pk, "invoice_number": "F-9", "issued_on": "2030-05-01",
                           "due_on": "2030-05-31", "amount": "15000"}])
    base = live_server.url
    page = sign_in(browser, base, "selma", VIEWPORTS["desktop"])
    page.goto(f"{base}/customers/{company.pk}/")
    page.get_by_role("link", name="New order").click()
    expect(page.get_by_label("Customer (id)")).to_have_value(str(company.pk))
    page.get_by_label("Line 1: description").fill("Takstein")
    page.locator('[name="lines[0].revenue"]').fill("6000")
    page.get_by_role("button", name="Create order").click()
    page.wait_for_url(f"{base}/customers/{company.pk}/")
    expect(page.get_by_text("Credit warning: Open balance 15000.00 plus 6000.00 passes the credit limit "
                            "20000.00")).to_be_visible()
    assert Order.objects.filter(party_id=company.pk).count() == 1

    dunning.set_policy(mode="refuse")
    page.get_by_role("link", name="New order").click()
    page.get_by_label("Line 1: description").fill("Takstein")
    page.locator('[name="lines[0].revenue"]').fill("6000")
    page.get_by_role("button", name="Create order").click()
    expect(page.get_by_role("alert")).to_contain_text("passes the credit limit 20000.00")
    assert Order.objects.filter(party_id=company.pk).count() == 1
