"""The consent ledger: append-only, state derived, withdrawal wins at once, precise errors."""

from __future__ import annotations

import datetime as dt

import pytest

pytestmark = pytest.mark.django_db


def test_default_purposes_are_seeded(api):
    res = api.get("/api/v1/privacy/purposes")
    assert res.status_code == 200
    assert {p["key"] for p in res.json()} >= {"direct_marketing", "newsletter", "loyalty_club", "profiling",
                                               "customer_service"}


def test_consent_without_purpose_gets_a_precise_error(api, make_person):
    from kundebase.privacy.models import ConsentEvent

    person = make_person()
    res = api.post("/api/v1/privacy/consents", {"party_id": person.pk, "channel": "email", "status": "granted"})
    assert res.status_code == 422
    assert ("purpose", "required") in {(e["field"], e["code"]) for e in res.json()["errors"]}
    res = api.post("/api/v1/privacy/consents", {"party_id": person.pk, "purpose": "astrology", "channel": "fax",
                                                "status": "maybe"})
    assert {e["field"] for e in res.json()["errors"]} == {"purpose", "channel", "status"}
    res = api.post("/api/v1/privacy/consents", {"party_id": 999999, "purpose": "newsletter", "channel": "email",
                                                "status": "granted"})
    assert res.status_code == 404
    assert not ConsentEvent.objects.exists()


def test_withdrawal_wins_immediately_everywhere(api, make_person):
    from kundebase.privacy.consent import has_consent, parties_with_consent
    from kundebase.privacy.registers import marketing_allowed, marketing_allowed_ids

    person = make_person()
    grant = {"party_id": person.pk, "purpose": "newsletter", "channel": "email", "status": "granted",
             "source": "form", "notice_version": "privacy-notice-v3", "legal_basis": "consent",
             "explanation": "Signed up in the web shop", "double_opt_in_at": dt.datetime.now(dt.UTC).isoformat()}
    res = api.post("/api/v1/privacy/consents", grant)
    assert res.status_code == 201, res.content
    assert has_consent(person.pk, "newsletter", "email")
    assert marketing_allowed(person.pk, "email", "newsletter") == (True, "consent")
    assert person.pk in set(marketing_allowed_ids("email", "newsletter"))
    res = api.post("/api/v1/privacy/consents", grant | {"status": "withdrawn", "source": "unsubscribe"})
    assert res.status_code == 201
    assert not has_consent(person.pk, "newsletter", "email")
    assert person.pk not in set(parties_with_consent("newsletter", "email"))
    assert marketing_allowed(person.pk, "email", "newsletter") == (False, "consent_withdrawn")
    assert person.pk not in set(marketing_allowed_ids("email", "newsletter"))
    ledger = api.get("/api/v1/privacy/consents", party_id=person.pk).json()
    assert [e["status"] for e in ledger["events"]] == ["granted", "withdrawn"]
    assert ledger["current"] == [{"purpose": "newsletter", "channel": "email", "status": "withdrawn"}]


def test_validity_window_ends_a_consent(make_person):
    from kundebase.privacy import consent

    person = make_person()
    now = dt.datetime.now(dt.UTC)
    consent.record(party_id=person.pk, purpose="profiling", channel="profiling", status="granted",
                   valid_from=now - dt.timedelta(days=30), valid_until=now - dt.timedelta(days=1))
    assert not consent.has_consent(person.pk, "profiling", "profiling")
    with pytest.raises(Exception) as exc:
        consent.record(party_id=person.pk, purpose="profiling", channel="profiling", status="granted",
                       valid_from=now, valid_until=now - dt.timedelta(days=1))
    assert "valid_until" in str(exc.value)


def test_a_merge_never_resurrects_a_withdrawn_consent(make_person):
    from kundebase.privacy import consent

    survivor, merged = make_person("Kari"), make_person("Kari", "Nordman")
    consent.record(party_id=survivor.pk, purpose="newsletter", channel="email", status="granted")
    consent.record(party_id=merged.pk, purpose="newsletter", channel="email", status="withdrawn")
    consent.reconcile_after_merge(survivor_id=survivor.pk, merged_id=merged.pk, actor="test")
    assert not consent.has_consent(survivor.pk, "newsletter", "email")


def test_sales_may_record_but_analyst_may_not(api_as, make_person):
    person = make_person()
    body = {"party_id": person.pk, "purpose": "newsletter", "channel": "email", "status": "granted"}
    assert api_as("sales").post("/api/v1/privacy/consents", body).status_code == 201
    assert api_as("analyst").post("/api/v1/privacy/consents", body).status_code == 403


def test_unknown_legal_basis_and_future_capture_are_refused(api, make_person):
    person = make_person()
    future = (dt.datetime.now(dt.UTC) + dt.timedelta(days=3)).isoformat()
    res = api.post("/api/v1/privacy/consents", {"party_id": person.pk, "purpose": "newsletter", "channel": "email",
                                                "status": "granted", "legal_basis": "because", "captured_at": future})
    assert res.status_code == 422
    assert {(e["field"], e["code"]) for e in res.json()["errors"]} == {("legal_basis", "invalid_choice"),
                                                                       ("captured_at", "future_date")}


def test_times_without_zone_are_read_in_the_installations_zone(api, make_person):
    person = make_person()
    res = api.post("/api/v1/privacy/consents", {"party_id": person.pk, "purpose": "newsletter", "channel": "email",
                                                "status": "granted", "captured_at": "2026-01-02T10:00:00",
                                                "valid_until": "2099-01-01T00:00:00"})
    assert res.status_code == 201, res.content
    assert res.json()["captured_at"].startswith("2026-01-02T")
