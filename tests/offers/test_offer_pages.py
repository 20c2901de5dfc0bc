"""The offer pages: marketing lists offers with their acceptance rates and creates/edits them with the API's
validation (errors beside the field, nothing saved); the menu links them; Norwegian labels."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def marketer(client, make_user):
    client.force_login(make_user("mia", "marketing"))
    return client


def test_create_refuses_bad_fields_beside_them_and_saves_good_ones(marketer, shop):
    from kundebase.offers.models import Offer

    bad = marketer.post("/marketing/offers/new", {"name": "Vår", "kind": "content", "channel": "web",
                                                  "cap_total": "-3", "eligibility": '{"attr": "nope"}',
                                                  "valid_from": "2026-05-01T00:00", "valid_until": "2026-04-01T00:00"})
    assert bad.status_code == 422
    text = bad.content.decode()
    assert "A cap cannot be negative" in text and "Unknown attribute" in text and "must end after it starts" in text
    assert not Offer.objects.exists()
    good = marketer.post("/marketing/offers/new", {"name": "Vår", "kind": "product", "product_sku": "BOOT-1",
                                                   "discount_pct": "10", "channel": "web", "priority": "1",
                                                   "cap_per_customer": "2", "active": "on",
                                                   "eligibility": '{"attr": "kind", "op": "eq", "value": "person"}'})
    assert good.status_code == 302
    offer = Offer.objects.get()
    assert offer.product.sku == "BOOT-1" and offer.cap_per_customer == 2 and offer.active
    edit = marketer.post(f"/marketing/offers/{offer.pk}/", {"name": "Vår 2", "kind": "product",
                                                            "product_sku": "BOOT-1", "channel": "email",
                                                            "priority": "1", "eligibility": "{not json"})
    assert edit.status_code == 422 and "segment language" in edit.content.decode()
    offer.refresh_from_db()
    assert offer.name == "Vår"


def test_list_shows_acceptance_rates_and_menu_links_it(marketer, shop):
    from kundebase.offers import services
    from kundebase.offers.models import OfferEvent

    offer = services.create_offer(data={"name": "Sokker", "kind": "content", "margin": "5"})
    for _ in range(4):
        OfferEvent.objects.create(offer=offer, party_id=shop["kari"].pk, kind="shown")
    OfferEvent.objects.create(offer=offer, party_id=shop["kari"].pk, kind="accepted")
    page = marketer.get("/marketing/offers/").content.decode()
    assert "Sokker" in page and "25%" in page
    assert 'href="/marketing/offers/"' in marketer.get("/").content.decode()


def test_pages_are_translated(marketer, shop):
    marketer.cookies["django_language"] = "nb"
    page = marketer.get("/marketing/offers/new").content.decode()
    assert "Nytt tilbud" in page and "Godtatt totalt" in page


def test_sales_may_not_open_the_offer_pages(client, make_user):
    client.force_login(make_user("sam", "sales"))
    assert client.get("/marketing/offers/").status_code == 403
