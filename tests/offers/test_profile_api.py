"""GET /api/v1/profiles/{id}: every id form, what each role sees, the cache row kept current on write, ETag/304,
and the error shapes (404 unknown, 403 a form the role may not use)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.offers.conftest import send_events

pytestmark = pytest.mark.django_db


def _profile(api: Any, ref: str, **kw: Any) -> Any:
    return api.get(f"/api/v1/profiles/{ref}", **kw)


def test_every_id_form_finds_the_same_customer(api_as, shop, client):
    kari = shop["kari"]
    send_events(client, shop["write_key"], [
        {"type": "identify", "userId": "shop-42", "anonymousId": "anon-7", "messageId": "i-1",
         "traits": {"email": "kari@example.no"}}])
    api = api_as("sales")
    for ref in (kari.customer_number, "shop-42", "anon-7", "kari@example.no", "KARI@example.no", "+47 912 34 567",
                "91234567", f"customer:{kari.customer_number}", "user:shop-42", "anonymous:anon-7",
                "email:kari@example.no", "phone:912 34 567"):
        res = _profile(api, ref)
        assert res.status_code == 200, (ref, res.content)
        assert res.json()["party_id"] == kari.pk, ref


def test_profile_holds_identity_consent_segments_figures_loyalty_timeline(api_as, shop):
    from kundebase.marketing import loyalty, segments

    kari = shop["kari"]
    segments.create_segment(data={"name": "Buyers", "rule": {"attr": "orders.count", "op": "gte", "value": 1}})
    segments.create_segment(data={"name": "Companies", "rule": {"attr": "kind", "op": "eq", "value": "company"}})
    loyalty.join(party_id=kari.pk, consent_given=True)
    body = _profile(api_as("marketing"), kari.customer_number).json()
    assert body["identity"]["given_name"] == "Kari" and body["identity"]["city"] == "Oslo"
    assert {cp["value"] for cp in body["identity"]["contact_points"]} >= {"kari@example.no"}
    assert body["consent"]["email"]["allowed"] is True
    assert body["consent"]["sms"] == {"allowed": False, "reason": "no_consent"}
    assert [s["name"] for s in body["segments"]] == ["Buyers"]
    figures = body["key_figures"]
    assert figures["orders"] == 2 and figures["revenue"] == 1500.0 and figures["gross_margin"] == 800.0
    assert figures["rfm_segment"]
    assert "churn_risk" in figures and "predicted_value_12m" in figures
    assert body["loyalty"]["member"] is True and body["loyalty"]["points"] == loyalty.balance(kari.pk)
    assert body["computed_at"] and body["version"] >= 1


def test_analyst_sees_pseudonyms_and_may_not_look_up_by_email_or_phone(api_as, shop):
    from kundebase.interactions.services import log_interaction

    kari = shop["kari"]
    log_interaction(party_id=kari.pk, data={"kind": "call", "subject": "Kari Nordmann ringte fra kari@example.no"})
    analyst = api_as("analyst")
    res = _profile(analyst, kari.customer_number)
    assert res.status_code == 200
    text = res.content.decode()
    for raw in ("Kari", "Nordmann", "kari@example.no", "91234567", "Storgata", "1980-05-17"):
        assert raw not in text, raw
    body = res.json()
    assert body["pseudonymised"] is True and body["key_figures"]["revenue"] == 1500.0
    assert body["last_interactions"][0]["subject"] is None
    for ref in ("kari@example.no", "+4791234567", "email:nobody@example.no", "nobody@example.no"):
        refused = _profile(analyst, ref)
        assert refused.status_code == 403, ref
        assert refused["Content-Type"] == "application/problem+json"
    full = _profile(api_as("sales"), kari.customer_number)
    assert full.json()["identity"]["family_name"] == "Nordmann"
    assert full["ETag"] != res["ETag"]  # the masked and the full body are different representations


def test_unknown_id_is_404_problem(api_as, shop):
    res = _profile(api_as("sales"), "nobody-here")
    assert res.status_code == 404
    assert res["Content-Type"] == "application/problem+json" and res.json()["status"] == 404


def test_etag_and_304_until_a_write_changes_the_profile(api_as, shop):
    from kundebase.interactions.services import log_interaction
    from kundebase.offers.models import Profile

    kari = shop["kari"]
    api = api_as("service")
    first = _profile(api, kari.customer_number)
    tag = first["ETag"]
    again = _profile(api, kari.customer_number, headers={"If-None-Match": tag})
    assert again.status_code == 304 and again["ETag"] == tag
    computed = Profile.objects.get(party_id=kari.pk).computed_at
    _profile(api, kari.customer_number)
    assert Profile.objects.get(party_id=kari.pk).computed_at == computed  # served from the row, not rebuilt
    log_interaction(party_id=kari.pk, data={"kind": "note", "subject": "Ny merknad"})
    assert Profile.objects.get(party_id=kari.pk).stale
    changed = _profile(api, kari.customer_number, headers={"If-None-Match": tag})
    assert changed.status_code == 200 and changed["ETag"] != tag
    assert changed.json()["last_interactions"][0]["subject"] == "Ny merknad"


def test_an_event_through_the_event_api_changes_the_next_answer(api_as, shop, client):
    kari = shop["kari"]
    send_events(client, shop["write_key"], [
        {"type": "identify", "userId": "shop-42", "messageId": "e-1", "traits": {"email": "kari@example.no"}}])
    api = api_as("sales")
    before = _profile(api, "shop-42").json()
    send_events(client, shop["write_key"], [
        {"type": "page", "userId": "shop-42", "messageId": "e-2", "name": "Fjellstøvler"},
        {"type": "track", "userId": "shop-42", "messageId": "e-3", "event": "Order Completed",
         "properties": {"order_id": "W-1", "revenue": 500}}])
    after = _profile(api, "shop-42").json()
    assert after["version"] > before["version"]
    assert after["key_figures"]["orders"] == before["key_figures"]["orders"] + 1 == 3
    assert after["key_figures"]["revenue"] == 2000.0
    assert any(i["subject"] == "Fjellstøvler" for i in after["last_interactions"])
    assert after["party_id"] == kari.pk


def test_a_merged_customer_answers_with_the_survivor_and_an_erased_one_is_gone(api_as, shop):
    from kundebase.parties.models import Party

    kari, ola = shop["kari"], shop["ola"]
    Party.objects.filter(pk=ola.pk).update(merged_into=kari)
    api = api_as("sales")
    assert _profile(api, ola.customer_number).json()["party_id"] == kari.pk
    from django.utils import timezone

    Party.objects.filter(pk=kari.pk).update(erased_at=timezone.now())
    assert _profile(api, kari.customer_number).status_code == 404


def test_rfm_segment_is_the_one_the_rfm_report_gives(api_as, shop):
    from kundebase.analytics import reports
    from kundebase.analytics.sql import Filters
    from kundebase.orders.services import create_order
    from kundebase.parties.services import create_person

    for n in range(6):
        person = create_person(data={"given_name": f"R{n}", "family_name": "Test"})
        for _ in range(n % 3 + 1):
            create_order(party_id=person.pk, data={}, lines=[{"description": "x", "revenue": str(100 * (n + 1))}])
    report = reports.compute("rfm", Filters(), {"customers": 1})
    expected = {row["party_id"]: row["segment"] for row in report["customers"]}
    from kundebase.parties.models import Party

    api = api_as("marketing")
    for party_id, segment in expected.items():
        number = Party.objects.get(pk=party_id).customer_number
        assert _profile(api, number).json()["key_figures"]["rfm_segment"] == segment, party_id


def test_a_cached_profile_is_served_in_a_few_queries(api_as, shop, django_assert_max_num_queries):
    api = api_as("sales")
    number = shop["kari"].customer_number
    assert _profile(api, number).status_code == 200  # builds the row
    with django_assert_max_num_queries(6):  # token, user and permissions, the id, the row — no rebuild
        assert _profile(api, number).status_code == 200
