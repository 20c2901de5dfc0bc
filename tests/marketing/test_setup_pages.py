"""Triggers and the loyalty programme set up in the browser: the API's rules, errors beside the fields, the API's
roles."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_role(make_user):
    def make(role: str) -> Client:
        client = Client()
        client.force_login(make_user(f"{role}-s", role))
        return client

    return make


def test_a_trigger_is_added_with_the_apis_rules(as_role, make_user):
    from kundebase.marketing.models import TriggerRule

    seller = make_user("selma", "sales")
    client = as_role("marketing")
    res = client.post("/marketing/triggers/", {"name": "", "event": "", "days": "0", "action": "task"})
    page = res.content.decode()
    assert res.status_code == 422 and not TriggerRule.objects.exists()
    for field in ("name", "event", "assignee_id"):
        assert f'id="id_{field}_error"' in page, field
    assert "Name the salesperson who gets the task" in page
    res = client.post("/marketing/triggers/", {"name": "Win back", "event": "win_back", "days": "5000",
                                               "action": "task", "assignee_id": str(seller.pk)})
    assert res.status_code == 422 and 'id="id_days_error"' in res.content.decode()
    res = client.post("/marketing/triggers/", {"name": "Win back", "event": "win_back", "days": "180",
                                               "action": "task", "assignee_id": str(seller.pk),
                                               "task_text": "Call them"})
    assert res.status_code == 302
    rule = TriggerRule.objects.get()
    assert (rule.event, rule.days, rule.assignee_id, rule.task_text) == ("win_back", 180, seller.pk, "Call them")
    page = client.get("/marketing/triggers/").content.decode()
    assert "No purchase for N days" in page and "selma" in page


def test_the_loyalty_programme_tiers_and_rules_are_set_up(as_role):
    from kundebase.marketing import loyalty
    from kundebase.marketing.models import LoyaltyActionRule, LoyaltyTier

    client = as_role("marketing")
    assert client.get("/marketing/loyalty/").status_code == 200
    res = client.post("/marketing/loyalty/", {"form": "programme", "programme-name": "Klubben",
                                              "programme-points_per_unit": "abc", "programme-expiry_months": "0"})
    page = res.content.decode()
    assert res.status_code == 422
    assert 'id="id_programme-points_per_unit_error"' in page and 'id="id_programme-expiry_months_error"' in page
    res = client.post("/marketing/loyalty/", {"form": "programme", "programme-name": "Klubben",
                                              "programme-points_per_unit": "1,5", "programme-expiry_months": "12"})
    assert res.status_code == 302
    current = loyalty.programme()
    assert (current.name, str(current.points_per_unit), current.expiry_months) == ("Klubben", "1.5000", 12)
    res = client.post("/marketing/loyalty/", {"form": "tier", "tier-name": "Gold", "tier-threshold": "-1"})
    assert res.status_code == 422 and 'id="id_tier-threshold_error"' in res.content.decode()
    assert client.post("/marketing/loyalty/", {"form": "tier", "tier-name": "Gold",
                                               "tier-threshold": "1000"}).status_code == 302
    assert client.post("/marketing/loyalty/", {"form": "tier", "tier-name": "Gold",
                                               "tier-threshold": "1500"}).status_code == 302
    assert list(LoyaltyTier.objects.values_list("name", "threshold")) == [("Gold", 1500)]
    res = client.post("/marketing/loyalty/", {"form": "rule", "rule-action": "", "rule-points": "10"})
    assert res.status_code == 422 and "Name the action" in res.content.decode()
    assert client.post("/marketing/loyalty/", {"form": "rule", "rule-action": "Review",
                                               "rule-points": "25"}).status_code == 302
    assert list(LoyaltyActionRule.objects.values_list("action", "points")) == [("review", 25)]
    page = client.get("/marketing/loyalty/").content.decode()
    assert "Gold: from 1500 points" in page and "review: 25 points" in page


@pytest.mark.parametrize(("role", "see", "change"), [("administrator", 200, 302), ("marketing", 200, 302),
                                                     ("sales", 200, 403), ("analyst", 200, 403),
                                                     ("service", 403, 403)])
def test_setup_pages_follow_the_apis_roles(as_role, make_user, role, see, change):
    from kundebase.marketing.models import LoyaltyTier, TriggerRule

    seller = make_user("selma", "sales")
    client = as_role(role)
    assert client.get("/marketing/triggers/").status_code == see
    assert client.get("/marketing/loyalty/").status_code == see
    res = client.post("/marketing/triggers/", {"name": "Birthday", "event": "birthday", "days": "0",
                                               "action": "task", "assignee_id": str(seller.pk)})
    assert res.status_code == change
    assert TriggerRule.objects.exists() == (change == 302)
    res = client.post("/marketing/loyalty/", {"form": "tier", "tier-name": "Gold", "tier-threshold": "10"})
    assert res.status_code == change and LoyaltyTier.objects.exists() == (change == 302)
    if see == 200:
        page = client.get("/marketing/triggers/").content.decode()
        assert ("Add trigger" in page) == (change == 302)
