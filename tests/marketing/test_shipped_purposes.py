"""The purposes the code names are the purposes the product ships, and every message carries Date and Message-ID.

These tests use the purposes as the migration seeded them (no fixture adds any), so a key the code uses but
the database lacks shows up here as the 422 a customer would get.
"""

from __future__ import annotations

import email.utils
import importlib
from email.message import EmailMessage

import pytest
from django.core.cache import cache

from kundebase.marketing import api as marketing_api
from kundebase.marketing import exports, newsletters, segments
from kundebase.marketing.mailer import Mailer
from kundebase.marketing.models import Campaign, LoyaltyProgramme, Newsletter
from kundebase.parties import services as parties
from kundebase.privacy import consent, purposes
from kundebase.privacy.models import Purpose


@pytest.mark.django_db
def test_every_purpose_the_code_defaults_to_is_seeded() -> None:
    seeded = set(Purpose.objects.values_list("key", flat=True))
    assert {p.key for p in purposes.SHIPPED} <= seeded
    defaults = {
        "Campaign.purpose": Campaign._meta.get_field("purpose").default,
        "Newsletter.purpose": Newsletter._meta.get_field("purpose").default,
        "LoyaltyProgramme.purpose": LoyaltyProgramme._meta.get_field("purpose").default,
        "exports.DEFAULT_PURPOSE": exports.DEFAULT_PURPOSE,
        "CampaignIn.purpose": marketing_api.CampaignIn.model_fields["purpose"].default,
        "ExportIn.purpose": marketing_api.ExportIn.model_fields["purpose"].default,
        "NewsletterIn.purpose": marketing_api.NewsletterIn.model_fields["purpose"].default,
    }
    assert {name: key for name, key in defaults.items() if key not in seeded} == {}


@pytest.mark.django_db
def test_joining_the_loyalty_club_over_the_api(api) -> None:
    pid = parties.create_person(data={"given_name": "Kari", "family_name": "Nordmann"}).pk
    response = api.post("/api/v1/loyalty/members", {"party_id": pid, "consent": True, "notice_version": "2"})
    assert response.status_code == 201, response.content
    assert consent.has_consent(pid, purposes.LOYALTY_CLUB, "email")


@pytest.mark.django_db
def test_a_campaign_with_the_default_purpose_is_created(api) -> None:
    segment = segments.create_segment(data={"name": "All", "rule": {"attr": "kind", "op": "eq", "value": "person"}})
    response = api.post("/api/v1/campaigns", {"name": "Autumn", "segment_id": segment.pk, "subject": "Hello",
                                              "body": "<p>Hello {{ given_name }}</p>"})
    assert response.status_code == 201, response.content
    assert Campaign.objects.get(pk=response.json()["id"]).purpose == purposes.DIRECT_MARKETING


@pytest.mark.django_db
def test_an_export_for_an_undefined_purpose_is_refused(api) -> None:
    segment = segments.create_segment(data={"name": "All", "rule": {"attr": "kind", "op": "eq", "value": "person"}})
    response = api.post(f"/api/v1/segments/{segment.pk}/exports", {"use": "letter", "purpose": "marketing"})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["purpose"]
    assert api.post(f"/api/v1/segments/{segment.pk}/exports", {"use": "letter"}).status_code == 201


@pytest.mark.django_db
def test_stored_rows_naming_unseeded_keys_are_pointed_at_the_shipped_ones() -> None:
    from django.apps import apps

    programme = LoyaltyProgramme.objects.create(purpose="loyalty")
    segment = segments.create_segment(data={"name": "All", "rule": {"attr": "kind", "op": "eq", "value": "person"}})
    campaign = Campaign.objects.create(name="Old", segment=segment, purpose="marketing")
    migration = importlib.import_module("kundebase.marketing.migrations.0003_shipped_purpose_keys")
    migration.forward(apps, None)
    programme.refresh_from_db()
    campaign.refresh_from_db()
    assert (programme.purpose, campaign.purpose) == (purposes.LOYALTY_CLUB, purposes.DIRECT_MARKETING)


def _assert_dated_and_identified(message: EmailMessage) -> str:
    assert message["Date"], dict(message.items())
    sent = email.utils.parsedate_to_datetime(message["Date"])
    assert sent.tzinfo is not None
    message_id = message["Message-ID"]
    assert message_id and message_id.startswith("<") and message_id.endswith(">") and "@" in message_id
    return message_id


def test_the_mailer_stamps_date_and_message_id_on_what_it_sends(smtp) -> None:
    with Mailer() as mailer:
        for n in range(2):
            message = EmailMessage()
            message["From"] = "Kundeklubben <club@shop.example.org>"
            message["To"] = f"member{n}@example.org"
            message["Subject"] = "Welcome"
            message.set_content("Hello")
            mailer.send(message)
    ids = [_assert_dated_and_identified(smtp.to(f"member{n}@example.org")[0]) for n in range(2)]
    assert len(set(ids)) == 2 and all(i.endswith("@shop.example.org>") for i in ids)


@pytest.mark.django_db
def test_the_newsletter_confirmation_carries_date_and_message_id(smtp) -> None:
    cache.clear()
    newsletter = Newsletter.objects.create(key="nyheter", name="Nyhetsbrev")
    newsletters.request_signup(key=newsletter.key, email="ola@example.org", name="Ola", language="nb",
                               form_token_value=newsletters.form_token(newsletter), client="127.0.0.1")
    _assert_dated_and_identified(smtp.to("ola@example.org")[0])


@pytest.mark.django_db
def test_campaign_mail_carries_date_and_message_id(smtp) -> None:
    from kundebase.marketing import campaigns

    pid = parties.create_person(data={"given_name": "Kari", "family_name": "Nordmann"},
                                contact_points=[{"kind": "email", "value": "kari@example.org"}]).pk
    consent.record(party_id=pid, purpose=purposes.DIRECT_MARKETING, channel="email", status="granted")
    segment = segments.create_segment(data={"name": "All", "rule": {"attr": "kind", "op": "eq", "value": "person"}})
    campaign = campaigns.create_campaign(data={"name": "Autumn", "segment_id": segment.pk, "subject": "Hei",
                                               "body": "<p>Hei {{ given_name }}</p>", "rate_per_second": 1000})
    campaigns.prepare(campaign_id=campaign.pk)
    campaigns.run_campaign(campaign_id=campaign.pk)
    _assert_dated_and_identified(smtp.to("kari@example.org")[0])
