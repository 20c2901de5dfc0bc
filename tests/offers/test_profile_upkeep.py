"""The profile row is kept current part by part: a write re-reads only what it changes, a cached read costs two
queries, and a write that lands during a rebuild is never lost."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


def _profile(api: Any, ref: str) -> Any:
    res = api.get(f"/api/v1/profiles/{ref}")
    assert res.status_code == 200, res.content
    return res


def _queries(call: Any) -> tuple[Any, list[str]]:
    with CaptureQueriesContext(connection) as ctx:
        result = call()
    return result, [q["sql"] for q in ctx.captured_queries]


def test_a_cached_read_costs_the_token_and_one_query(api_as, shop):
    api = api_as("sales")
    number = shop["kari"].customer_number
    _profile(api, number)  # builds the row
    _profile(api, number)  # and the caller's permissions are known
    res, sql = _queries(lambda: _profile(api, number))
    assert res.json()["party_id"] == shop["kari"].pk
    assert len(sql) <= 2, sql  # the token; the customer, that they are live and their row, joined


def test_an_offers_answer_rebuilds_only_the_timeline_and_the_offer_counters(api_as, shop):
    api = api_as("marketing")
    kari = shop["kari"]
    offer = api.post("/api/v1/offers", {"name": "Tips", "kind": "content", "content": "x", "margin": 100}).json()
    before = _profile(api, kari.customer_number).json()
    assert before["offers"] == {"shown": 0, "accepted": 0, "redeemed": []}
    assert api.get(f"/api/v1/profiles/{kari.customer_number}/offers").json()["offers"]
    res, sql = _queries(lambda: _profile(api, kari.customer_number))
    after = res.json()
    assert after["last_interactions"][0]["subject"] == "Offers shown: Tips"
    assert after["offers"] == {"shown": 1, "accepted": 0, "redeemed": []}
    assert after["key_figures"] == before["key_figures"] and after["consent"] == before["consent"]
    assert after["version"] == before["version"] + 1
    # a full rebuild reads the customer record, consent facts, loyalty, interests and the analytics mirror
    assert len(sql) <= 10, sql
    assert not any("parties_contactpoint" in q or "privacy_consentevent" in q or "orders_productinterest" in q
                   for q in sql), sql
    assert api.post(f"/api/v1/profiles/{kari.customer_number}/offers/{offer['id']}/accept").status_code == 201
    assert _profile(api, kari.customer_number).json()["offers"] == {"shown": 1, "accepted": 1,
                                                                   "redeemed": [offer["id"]]}


def test_segments_that_read_the_changed_data_are_evaluated_again(api_as, shop):
    from kundebase.interactions.services import log_interaction
    from kundebase.marketing import segments

    kari = shop["kari"]
    segments.create_segment(data={"name": "Talkative", "rule": {"attr": "interactions.count", "op": "gte",
                                                                "value": 1}})
    segments.create_segment(data={"name": "Buyers", "rule": {"attr": "orders.count", "op": "gte", "value": 1}})
    api = api_as("sales")
    assert [s["name"] for s in _profile(api, kari.customer_number).json()["segments"]] == ["Buyers"]
    log_interaction(party_id=kari.pk, data={"kind": "note", "subject": "Hei"})
    res, sql = _queries(lambda: _profile(api, kari.customer_number))
    assert [s["name"] for s in res.json()["segments"]] == ["Buyers", "Talkative"]
    assert not any("orders_order" in q for q in sql), sql  # the orders rule was not asked again


def test_a_write_during_a_rebuild_keeps_its_mark(api_as, shop, monkeypatch):
    from kundebase.interactions.services import log_interaction
    from kundebase.offers import profiles
    from kundebase.offers.models import Profile

    kari = shop["kari"]
    api = api_as("sales")
    _profile(api, kari.customer_number)
    log_interaction(party_id=kari.pk, data={"kind": "note", "subject": "Første"})
    read_timeline = profiles.PARTS["last_interactions"]
    landed: list[bool] = []

    def timeline_then_a_write(party_id: int) -> Any:
        rows = read_timeline(party_id)
        if not landed:  # a concurrent writer commits between our read and our update
            landed.append(True)
            log_interaction(party_id=kari.pk, data={"kind": "note", "subject": "Andre"})
        return rows

    monkeypatch.setitem(profiles.PARTS, "last_interactions", timeline_then_a_write)
    first = _profile(api, kari.customer_number).json()
    assert first["last_interactions"][0]["subject"] == "Første"
    assert Profile.objects.get(party_id=kari.pk).stale  # the write's mark survived the rebuild
    assert _profile(api, kari.customer_number).json()["last_interactions"][0]["subject"] == "Andre"


def test_an_order_rebuilds_the_key_figures_and_the_segment(api_as, shop):
    from kundebase.orders.services import create_order

    kari = shop["kari"]
    api = api_as("sales")
    before = _profile(api, kari.customer_number).json()["key_figures"]
    create_order(party_id=kari.pk, data={}, lines=[{"description": "Lue", "revenue": "300", "cost": "100"}])
    after = _profile(api, kari.customer_number).json()["key_figures"]
    assert after["orders"] == before["orders"] + 1 and after["revenue"] == before["revenue"] + 300


def test_a_role_change_is_seen_by_the_next_request(api_as, shop):
    from django.contrib.auth.models import Group

    api = api_as("sales")
    number = shop["kari"].customer_number
    assert api.get(f"/api/v1/profiles/{number}/offers").status_code == 200
    api.user.groups.set([Group.objects.get(name="analyst")])  # the analyst may not see offers
    assert api.get(f"/api/v1/profiles/{number}/offers").status_code == 403


def test_a_role_changed_elsewhere_is_seen_within_the_ttl(api_as, shop, monkeypatch):
    from django.contrib.auth.models import Group

    from kundebase.core import permission_cache

    api = api_as("sales")
    number = shop["kari"].customer_number
    assert api.get(f"/api/v1/profiles/{number}/offers").status_code == 200
    through = api.user.groups.through  # another process changes the role: no signal reaches this one
    through.objects.filter(user_id=api.user.pk).update(group_id=Group.objects.get(name="analyst").pk)
    assert api.get(f"/api/v1/profiles/{number}/offers").status_code == 200  # still the cached set
    monkeypatch.setattr(permission_cache, "TTL", 0.0)
    assert api.get(f"/api/v1/profiles/{number}/offers").status_code == 403


def test_a_cold_build_opens_the_mirror_once_and_reads_the_consent_ledger_once(api_as, shop, monkeypatch):
    from kundebase.analytics import engine

    opened: list[int] = []
    real_open = engine.Mirror.open

    def counted(self: Any) -> Any:
        opened.append(1)
        return real_open(self)

    monkeypatch.setattr(engine.Mirror, "open", counted)
    res, sql = _queries(lambda: _profile(api_as("sales"), shop["kari"].customer_number))
    body = res.json()
    assert body["key_figures"]["orders"] == 2 and body["key_figures"]["rfm_segment"]
    assert set(body["consent"]) == {"email", "sms", "phone", "post", "profiling"}
    assert len(opened) == 1
    assert sum("privacy_consentevent" in q for q in sql) == 1, [q for q in sql if "privacy_consentevent" in q]
