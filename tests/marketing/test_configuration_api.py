"""Setting up triggers, newsletters and the loyalty programme through the API, with refusals of bad input."""

from __future__ import annotations

import pytest

from kundebase.marketing.models import LoyaltyActionRule, LoyaltyTier, Newsletter, TriggerRule

pytestmark = pytest.mark.django_db


def test_trigger_rules(api, make_user) -> None:
    seller = make_user("selma", "sales")
    bad = api.post("/api/v1/triggers", {"name": "", "event": "eclipse", "action": "task", "days": -1})
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} >= {"name", "event", "assignee_id"}
    assert not TriggerRule.objects.exists()
    ok = api.post("/api/v1/triggers", {"name": "Win back", "event": "win_back", "days": 180,
                                       "assignee_id": seller.pk, "task_text": "Ring kunden"})
    assert ok.status_code == 201
    assert api.get("/api/v1/triggers").json()[0]["days"] == 180


def test_newsletters_and_loyalty_settings(api, purposes, api_as) -> None:
    assert api.post("/api/v1/newsletters", {"name": "Nyheter", "purpose": "nope"}).status_code == 422
    created = api.post("/api/v1/newsletters", {"name": "Nyheter fra oss"}).json()
    assert created["subscribe_url"] == "/newsletter/nyheter-fra-oss/subscribe"
    assert api.post("/api/v1/newsletters", {"name": "Nyheter fra oss"}).status_code == 422
    assert Newsletter.objects.count() == 1
    assert api.put("/api/v1/loyalty/tiers", {"name": "Gold", "threshold": 1000}).status_code == 200
    assert api.put("/api/v1/loyalty/tiers", {"name": "Gold", "threshold": 1500}).json()["threshold"] == 1500
    assert api.put("/api/v1/loyalty/tiers", {"name": "", "threshold": -1}).status_code == 422
    assert api.put("/api/v1/loyalty/rules", {"action": "review", "points": 25}).status_code == 200
    assert LoyaltyTier.objects.get().threshold == 1500 and LoyaltyActionRule.objects.get().points == 25
    assert api_as("sales").put("/api/v1/loyalty/tiers", {"name": "X", "threshold": 1}).status_code == 403
