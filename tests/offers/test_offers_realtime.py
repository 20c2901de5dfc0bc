"""The next-best offer answered from what is kept current on write: a warm answer is a handful of small queries
(consent, RFM segment and eligibility from the profile row, no timeline write in the request), the showings
reach the timeline through the background round without loss, and caps, consent and eligibility hold even
though the acceptance figures are kept by the process for a few seconds."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

pytestmark = pytest.mark.django_db

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "events"]}}
"""Tasks queued in the database as in production, so the answer's own statements can be counted."""


def _offer(api: Any, **fields: Any) -> dict[str, Any]:
    res = api.post("/api/v1/offers", {"name": "Offer", "kind": "content", "content": "Tips", "margin": 100,
                                      **fields})
    assert res.status_code == 201, res.content
    return res.json()


def _next(api: Any, ref: str, limit: int = 3) -> dict[str, Any]:
    res = api.get(f"/api/v1/profiles/{ref}/offers", channel="web", limit=limit)
    assert res.status_code == 200, res.content
    return res.json()


def _names(answer: dict[str, Any]) -> list[str]:
    return [o["offer"]["name"] for o in answer["offers"]]


def _statements(call: Any) -> tuple[Any, list[str]]:
    with CaptureQueriesContext(connection) as ctx:
        result = call()
    return result, [q["sql"] for q in ctx.captured_queries
                    if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT"))]


def test_a_warm_offers_answer_is_a_few_small_queries_and_the_timeline_follows(api_as, shop, settings):
    from kundebase.interactions.models import Interaction
    from kundebase.offers.models import OfferEvent
    from kundebase.offers.tasks import put_shown_on_timeline

    settings.TASKS = DATABASE_TASKS
    marketing = api_as("marketing")
    for n in range(12):
        _offer(marketing, name=f"Tip {n:02}", margin=50 + n, cap_per_customer=5 if n % 3 else None,
               cap_total=100 if n % 4 == 0 else None,
               eligibility={"attr": "kind", "op": "eq", "value": "person"} if n % 2 else None)
    _offer(marketing, name="Companies only", margin=500, eligibility={"attr": "kind", "op": "eq", "value": "company"})
    number = shop["kari"].customer_number
    first = _next(marketing, number)  # the profile row and the offer figures are read once
    assert _names(first) == ["Tip 11", "Tip 10", "Tip 09"]
    second, sql = _statements(lambda: _next(marketing, number))
    assert _names(second) == ["Tip 11", "Tip 10", "Tip 09"]
    assert {"offer_id": second["excluded"][0]["offer_id"], "reason": "not_eligible"} in second["excluded"]
    # the token, whether the offers changed, the customer with their profile row, their own showings with the
    # acceptances of the capped offers, the showings; and, when this process queued no round in the last half
    # second, whether one is waiting and the queue entry
    assert len(sql) <= 5 + 2, sql
    for table in ("privacy_consentevent", "marketing_segment", "ingest_event", "interactions_interaction",
                  "privacy_auditentry", "orders_order"):
        assert not any(table in q for q in sql), (table, sql)
    waiting = OfferEvent.objects.filter(kind="shown", on_timeline=False)
    assert waiting.count() == 6  # counted for the caps at once, on the timeline once the round ran
    assert not Interaction.objects.filter(party_id=shop["kari"].pk, source="offers").exists()
    put_shown_on_timeline.call()
    put_shown_on_timeline.call()  # a second round finds nothing left: one entry per answer
    subjects = list(Interaction.objects.filter(party_id=shop["kari"].pk, source="offers")
                    .values_list("subject", flat=True))
    assert subjects == ["Offers shown: Tip 11, Tip 10, Tip 09"] * 2
    assert not waiting.exists()
    profile = marketing.get(f"/api/v1/profiles/{number}").json()
    assert profile["last_interactions"][0]["subject"] == "Offers shown: Tip 11, Tip 10, Tip 09"
    assert profile["offers"]["shown"] == 6
    assert not any(key.startswith("_") for key in profile)  # the row's bookkeeping is not shown


def test_eligibility_is_kept_on_the_profile_and_follows_orders_and_redefinitions(api_as, shop):
    from kundebase.orders.services import create_order

    marketing = api_as("marketing")
    kari = shop["kari"]
    loyal = _offer(marketing, name="Third order", eligibility={"attr": "orders.count", "op": "gte", "value": 3})
    company = _offer(marketing, name="Business", eligibility={"attr": "kind", "op": "eq", "value": "company"})
    answer = _next(marketing, kari.customer_number)
    assert answer["offers"] == []
    assert {(e["offer_id"], e["reason"]) for e in answer["excluded"]} == {(loyal["id"], "not_eligible"),
                                                                         (company["id"], "not_eligible")}
    create_order(party_id=kari.pk, data={}, lines=[{"description": "Lue", "revenue": "200", "cost": "90"}])
    assert _names(_next(marketing, kari.customer_number)) == ["Third order"]  # the order marked the row
    assert marketing.patch(f"/api/v1/offers/{company['id']}", {
        "eligibility": {"attr": "kind", "op": "eq", "value": "person"}}).status_code == 200
    assert "Business" in _names(_next(marketing, kari.customer_number))  # a redefined rule is asked again


def test_caps_hold_while_the_figures_are_kept_by_the_process(api_as, shop):
    """Acceptances written elsewhere (another server process) move the ranking only after the figures are read
    again, but a total cap and the customer's own cap are read every time."""
    from kundebase.offers.models import OfferEvent
    from kundebase.privacy import consent

    marketing = api_as("marketing")
    kari, ola = shop["kari"], shop["ola"]
    consent.record(party_id=ola.pk, purpose="direct_marketing", channel="profiling", status="granted")
    scarce = _offer(marketing, name="Scarce", margin=300, cap_total=1)
    once = _offer(marketing, name="Once", margin=200, cap_per_customer=1)
    _offer(marketing, name="Plain", margin=100)
    assert _names(_next(marketing, kari.customer_number)) == ["Scarce", "Once", "Plain"]
    OfferEvent.objects.create(offer_id=scarce["id"], party_id=ola.pk, kind="accepted")  # as another process
    answer = _next(marketing, kari.customer_number)
    assert _names(answer) == ["Plain"]
    assert {"offer_id": scarce["id"], "reason": "total_cap"} in answer["excluded"]
    assert {"offer_id": once["id"], "reason": "customer_cap"} in answer["excluded"]


def test_the_ranking_follows_figures_from_other_processes_once_they_are_read_again(api_as, shop, monkeypatch):
    from kundebase.offers import ranking
    from kundebase.offers.models import OfferEvent

    marketing = api_as("marketing")
    kari, ola = shop["kari"], shop["ola"]
    low = _offer(marketing, name="Low", margin=100)
    _offer(marketing, name="High", margin=150)
    first = _next(marketing, kari.customer_number, limit=2)
    assert _names(first) == ["High", "Low"]
    segment = first["segment"]
    for _n in range(10):  # another process records that customers like Kari take the low-margin offer
        OfferEvent.objects.create(offer_id=low["id"], party_id=ola.pk, kind="shown", segment=segment)
        OfferEvent.objects.create(offer_id=low["id"], party_id=ola.pk, kind="accepted", segment=segment)
    assert _names(_next(marketing, kari.customer_number, limit=2)) == ["High", "Low"]  # figures still kept
    monkeypatch.setattr(ranking, "STATS_SECONDS", 0.0)
    after = _next(marketing, kari.customer_number, limit=2)
    assert _names(after) == ["Low", "High"]
    assert after["offers"][0]["explanation"]["segment_accepted"] == 10


def test_a_consent_that_runs_out_stops_the_offers_once_the_decision_is_taken_again(api_as, shop, monkeypatch):
    from kundebase.offers import ranking
    from kundebase.privacy import consent

    marketing = api_as("marketing")
    ola = shop["ola"]
    _offer(marketing, name="Tip")
    consent.record(party_id=ola.pk, purpose="direct_marketing", channel="profiling", status="granted",
                   valid_until=timezone.now() + dt.timedelta(seconds=1))
    assert _names(_next(marketing, ola.customer_number)) == ["Tip"]
    monkeypatch.setattr(ranking, "CONSENT_SECONDS", 1.0)
    time.sleep(1.2)  # the consent ran out: no write marks the row, the decision's age does
    refused = _next(marketing, ola.customer_number)
    assert refused["offers"] == [] and refused["excluded"][0]["reason"].startswith("no_consent")


def test_a_showing_whose_customer_was_erased_meanwhile_leaves_the_queue_without_a_timeline_entry(
        api_as, shop, settings):
    from kundebase.interactions.models import Interaction
    from kundebase.offers.models import OfferEvent
    from kundebase.offers.tasks import put_shown_on_timeline
    from kundebase.privacy import erasure

    settings.TASKS = DATABASE_TASKS
    marketing = api_as("marketing")
    _offer(marketing, name="Tip")
    kari = shop["kari"]
    assert _names(_next(marketing, kari.customer_number)) == ["Tip"]
    erasure.erase(party_id=kari.pk)
    put_shown_on_timeline.call()
    assert not OfferEvent.objects.filter(on_timeline=False).exists()  # nothing stuck behind it
    assert not Interaction.objects.filter(source="offers", subject__startswith="Offers shown").exists()
