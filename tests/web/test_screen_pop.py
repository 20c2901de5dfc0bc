"""The call-centre screen pop: one match, several, none, and nonsense."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest

pytestmark = pytest.mark.django_db


def test_one_match_opens_the_customer(client_as, seeded):
    res = client_as("service").get("/lookup", {"phone": "0047 55 12 34 56"})
    assert res.status_code == 302 and res["Location"] == f"/customers/{seeded.ola.pk}/"


def test_several_matches_ask_which(client_as, seeded):
    res = client_as("service").get("/lookup", {"phone": "412 34 567"})
    page = res.content.decode()
    assert res.status_code == 200
    assert f"/customers/{seeded.kari.pk}/" in page and f"/customers/{seeded.twin.pk}/" in page


def test_merged_record_leads_to_the_survivor(client_as, seeded):
    from kundebase.parties.models import Party

    Party.objects.filter(pk=seeded.twin.pk).update(merged_into=seeded.kari.pk)
    res = client_as("service").get("/lookup", {"phone": "+4741234567"})
    assert res.status_code == 302 and res["Location"] == f"/customers/{seeded.kari.pk}/"


def test_no_match_offers_a_new_customer_with_the_number(client_as, seeded):
    client = client_as("service")
    res = client.get("/lookup", {"phone": "+47 930 00 000"})
    page = res.content.decode()
    assert res.status_code == 200 and "New customer with this number" in page
    link = next(part.split('"')[0] for part in page.split('href="')[1:] if "/customers/new/person/" in part)
    assert parse_qs(urlparse(link.replace("&amp;", "&")).query)["phone"] == ["+4793000000"]
    form = client.get(link.replace("&amp;", "&")).content.decode()
    assert 'value="+4793000000"' in form


def test_missing_or_bad_number(client_as, seeded):
    client = client_as("service")
    assert client.get("/lookup").status_code == 400
    res = client.get("/lookup", {"phone": "12"})
    assert res.status_code == 200 and "does not look like a valid phone number" in res.content.decode()
    assert client.get("/lookup", {"phone": "9" * 5000}).status_code == 200
