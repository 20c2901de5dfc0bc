"""Setting up campaigns in the browser: create and change a draft with the API's rules, errors beside the fields,
a preview for a chosen customer and a test message to the signed-in user over the real (loopback) SMTP server."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.marketing.conftest import html_part

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_role(make_user):
    def make(role: str, email: str = "") -> Client:
        user = make_user(f"{role}-c", role)
        user.email = email
        user.save()
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def segment(purposes):
    from kundebase.marketing import segments

    return segments.create_segment(data={"name": "Everyone", "kind": "dynamic",
                                         "rule": {"attr": "kind", "op": "eq", "value": "person"}})


@pytest.fixture
def ingrid(db):
    from kundebase.parties import services

    return services.create_person(data={"given_name": "Ingrid", "family_name": "Bakke", "preferred_language": "nb"},
                                  contact_points=[{"kind": "email", "value": "ingrid.bakke@example.no"}])


def _form(segment, **extra):
    return {"name": "Spring sale", "segment_id": str(segment.pk), "channel": "email", "purpose": "direct_marketing",
            "from_email": "news@example.no", "subject": "Hello {{ given_name }}",
            "body": "<p>Dear {{ given_name }}, customer {{ customer_number }}</p>", "conversion_days": "14",
            "rate_per_second": "50", **extra}


def test_a_campaign_is_created_and_changed_with_the_apis_rules(as_role, segment):
    from kundebase.marketing.models import Campaign

    client = as_role("marketing")
    assert client.get("/marketing/campaigns/new").status_code == 200
    res = client.post("/marketing/campaigns/new", _form(segment, name="", body="{% if %}"))
    page = res.content.decode()
    assert res.status_code == 422 and not Campaign.objects.exists()
    assert 'id="id_name_error"' in page and "Give a name of at most 150 characters" in page
    assert 'id="id_body_error"' in page
    res = client.post("/marketing/campaigns/new", _form(segment))
    campaign = Campaign.objects.get()
    assert res.status_code == 302 and res["Location"] == f"/marketing/campaigns/{campaign.pk}/"
    assert (campaign.subject, campaign.segment_id, campaign.from_email) == ("Hello {{ given_name }}", segment.pk,
                                                                           "news@example.no")
    res = client.post(f"/marketing/campaigns/{campaign.pk}/", _form(segment, name="Spring sale 2", subject=""))
    assert res.status_code == 422 and "An e-mail campaign needs a subject and a body" in res.content.decode()
    res = client.post(f"/marketing/campaigns/{campaign.pk}/", _form(segment, name="Spring sale 2"))
    assert res.status_code == 302
    campaign.refresh_from_db()
    assert campaign.name == "Spring sale 2"
    listing = client.get("/marketing/campaigns/").content.decode()
    assert 'href="/marketing/campaigns/new"' in listing and f'href="/marketing/campaigns/{campaign.pk}/"' in listing


def test_a_started_campaign_is_not_changed(as_role, segment):
    from kundebase.marketing import campaigns
    from kundebase.marketing.models import Campaign

    campaign = campaigns.create_campaign(data={"name": "Sent", "segment_id": segment.pk, "subject": "Hi",
                                               "body": "Hello"})
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.DONE)
    client = as_role("marketing")
    assert "can no longer be changed" in client.get(f"/marketing/campaigns/{campaign.pk}/").content.decode()
    res = client.post(f"/marketing/campaigns/{campaign.pk}/", _form(segment, name="Changed"))
    assert res.status_code == 422 and "can no longer be changed" in res.content.decode()
    assert Campaign.objects.get(pk=campaign.pk).name == "Sent"


def test_preview_and_test_send_for_a_chosen_customer(as_role, segment, ingrid, smtp):
    from kundebase.marketing.models import Campaign, CampaignRecipient

    client = as_role("marketing", email="marketer@example.org")
    res = client.post("/marketing/campaigns/new", _form(segment, action="preview", preview_customer="Ingrid Bakke"))
    page = res.content.decode()
    assert res.status_code == 200 and "Hello Ingrid" in page
    assert f"customer {ingrid.customer_number}" in page
    assert not Campaign.objects.exists()  # a preview saves nothing
    res = client.post("/marketing/campaigns/new", _form(segment, action="preview", preview_customer="Nobody Here"))
    assert res.status_code == 422 and 'id="id_preview_customer_error"' in res.content.decode()
    res = client.post("/marketing/campaigns/new", _form(segment, action="test",
                                                        preview_customer=ingrid.customer_number), follow=True)
    assert "A test message was sent to marketer@example.org" in res.content.decode()
    [message] = smtp.to("marketer@example.org")
    assert message["Subject"] == "[Test] Hello Ingrid" and "Dear Ingrid" in html_part(message)
    assert not smtp.to("ingrid.bakke@example.no") and not CampaignRecipient.objects.exists()


def test_a_test_send_without_an_address_says_so_beside_the_field(as_role, segment, ingrid, smtp):
    client = as_role("administrator", email="")
    res = client.post("/marketing/campaigns/new", _form(segment, action="test",
                                                        preview_customer=ingrid.customer_number))
    assert res.status_code == 422 and 'id="id_test_to_error"' in res.content.decode()
    assert "has no valid e-mail address" in res.content.decode() and not smtp.messages


@pytest.mark.parametrize(("role", "status"), [("administrator", 200), ("marketing", 200), ("sales", 403),
                                              ("service", 403), ("analyst", 403)])
def test_campaign_pages_follow_the_apis_roles(as_role, segment, role, status):
    from kundebase.marketing import campaigns
    from kundebase.marketing.models import Campaign

    campaign = campaigns.create_campaign(data={"name": "Draft", "segment_id": segment.pk, "subject": "Hi",
                                               "body": "Hello"})
    client = as_role(role)
    assert client.get("/marketing/campaigns/new").status_code == status
    assert client.get(f"/marketing/campaigns/{campaign.pk}/").status_code == status
    res = client.post("/marketing/campaigns/new", _form(segment, name="By " + role))
    assert res.status_code == (302 if status == 200 else 403)
    assert Campaign.objects.filter(name="By " + role).exists() == (status == 200)


def test_the_campaign_form_speaks_norwegian(as_role, segment, ingrid):
    client = as_role("marketing")
    client.post("/i18n/setlang/", {"language": "nb", "next": "/"})
    page = client.get("/marketing/campaigns/new").content.decode()
    assert "Ny kampanje" in page and "Vis forhåndsvisning" in page and "Send en test til meg" in page
    res = client.post("/marketing/campaigns/new", _form(segment, action="preview", preview_customer="Ingen Slik"))
    assert "Ingen kunde funnet" in res.content.decode()
