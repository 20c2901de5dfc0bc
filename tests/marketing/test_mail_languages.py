"""E-mails to customers are written in the person's language: Danish, German and Hungarian as well as
Norwegian and English, and a stored code we have no catalogue for falls back to English."""

from __future__ import annotations

from email.header import decode_header, make_header
from email.message import Message

import pytest
from django.core.cache import cache

from kundebase.core.languages import language_for
from kundebase.marketing import campaigns, newsletters, segments
from kundebase.marketing.models import Newsletter
from kundebase.parties import services as parties
from kundebase.privacy import consent
from tests.marketing.conftest import html_part, text_part


def subject(message: Message) -> str:
    return str(make_header(decode_header(str(message["Subject"]))))


@pytest.mark.parametrize(("stored", "written"), [
    ("da", "da"), ("da-DK", "da"), ("DE", "de"), ("hu_HU", "hu"), ("nn", "nb"), ("no", "nb"), ("nb", "nb"),
    ("sv", "en"), ("", "en"), (None, "en")])
def test_the_language_a_person_is_written_to(stored: str | None, written: str) -> None:
    assert language_for(stored) == written


@pytest.mark.django_db
def test_the_newsletter_confirmation_is_in_danish_for_a_danish_sign_up(smtp) -> None:
    cache.clear()
    newsletter = Newsletter.objects.create(key="nyheder", name="Nyhedsbrev")
    newsletters.request_signup(key=newsletter.key, email="mette@example.dk", name="Mette", language="da",
                               form_token_value=newsletters.form_token(newsletter), client="127.0.0.1")
    message = smtp.to("mette@example.dk")[0]
    body = message.get_payload(decode=True).decode()
    assert subject(message) == "Bekræft dit abonnement på Nyhedsbrev"
    assert "ved at åbne dette link" in body and "se bort fra denne besked" in body


@pytest.mark.django_db
def test_a_campaign_speaks_to_each_recipient_in_their_language(smtp, purposes) -> None:
    people = {"mette@example.dk": "da", "kari@example.no": "nb", "anna@example.se": "sv"}
    for address, language in people.items():
        pid = parties.create_person(data={"given_name": address.split("@")[0].title(), "family_name": "Test",
                                          "preferred_language": language},
                                    contact_points=[{"kind": "email", "value": address}]).pk
        consent.record(party_id=pid, purpose="direct_marketing", channel="email", status="granted")
    segment = segments.create_segment(data={"name": "All", "rule": {"attr": "kind", "op": "eq", "value": "person"}})
    campaign = campaigns.create_campaign(data={
        "name": "Efterår", "segment_id": segment.pk, "subject": "{{ text.subject }}",
        "body": "<p>{{ text.greeting }} {{ given_name }}</p>", "rate_per_second": 1000,
        "text_blocks": {"da": {"greeting": "Hej", "subject": "Tilbud til dig"},
                        "nb": {"greeting": "Hei", "subject": "Tilbud til deg"},
                        "en": {"greeting": "Hello", "subject": "An offer for you"}}})
    campaigns.prepare(campaign_id=campaign.pk)
    campaigns.run_campaign(campaign_id=campaign.pk)
    mette, kari, anna = (smtp.to(address)[0] for address in people)
    assert subject(mette) == "Tilbud til dig" and "Hej Mette" in html_part(mette)
    assert "Afmeld mig" in html_part(mette) and "Afmeld mig" in text_part(mette)
    assert "Hei Kari" in html_part(kari) and "Meld meg av" in html_part(kari)
    assert "Hello Anna" in html_part(anna) and "Unsubscribe" in html_part(anna)


@pytest.mark.django_db
def test_the_sign_up_form_offers_every_language_and_starts_in_the_readers(client) -> None:
    Newsletter.objects.create(key="nyheder", name="Nyhedsbrev")
    page = client.get("/newsletter/nyheder/subscribe", HTTP_ACCEPT_LANGUAGE="da-DK,da;q=0.9").content.decode()
    assert '<html lang="da">' in page and "Abonnér" in page
    for code, name in (("en", "English"), ("nb", "Norsk (bokmål)"), ("da", "Dansk"), ("de", "Deutsch"),
                       ("hu", "Magyar")):
        assert f'<option value="{code}" lang="{code}"' in page and f">{name}</option>" in page, code
    assert '<option value="da" lang="da" selected>' in page


@pytest.mark.django_db
def test_reply_templates_in_the_customers_language_come_first() -> None:
    from kundebase.service import replies
    from kundebase.service.models import ReplyTemplate

    for language, body in (("nb", "Takk"), ("en", "Thanks"), ("da", "Tak")):
        ReplyTemplate.objects.create(name="Thanks", language=language, body=body)
    mette = parties.create_person(data={"given_name": "Mette", "family_name": "Holm", "preferred_language": "da"})
    assert replies.customer_context(mette.pk)["language"] == "da"
    assert [t.language for t in replies.templates_for(mette.pk)][0] == "da"
