"""Shared for the profile and offer tests: a private analytics mirror, fresh rate-limit buckets, a seeded shop."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def private_mirror(settings: Any, tmp_path: Any) -> Any:
    """Each test gets its own mirror file, empty token buckets and no acceptance figures kept from another test:
    the operational data is rolled back."""
    from kundebase.offers import ranking, ratelimit

    settings.KUNDEBASE_DATA_DIR = tmp_path
    ratelimit.reset()
    ranking.forget()
    yield tmp_path
    ratelimit.reset()
    ranking.forget()


@pytest.fixture
def shop(db: Any) -> dict[str, Any]:
    """Kari (consent to e-mail and profiling, two orders), Ola (no consent), a product and a write key."""
    from kundebase.ingest import services as ingest
    from kundebase.orders.models import Product
    from kundebase.orders.services import create_order
    from kundebase.parties.services import create_person
    from kundebase.privacy import consent
    from kundebase.privacy.models import Purpose

    Purpose.objects.get_or_create(key="direct_marketing", defaults={
        "name": "Direct marketing", "description": "Offers", "legal_basis": "consent"})
    kari = create_person(data={"given_name": "Kari", "family_name": "Nordmann", "birth_date": "1980-05-17"},
                         contact_points=[{"kind": "email", "value": "kari@example.no"},
                                         {"kind": "mobile", "value": "+4791234567"}],
                         addresses=[{"street": "Storgata 1", "postcode": "0155", "city": "Oslo", "country": "NO"}])
    ola = create_person(data={"given_name": "Ola", "family_name": "Hansen"},
                        contact_points=[{"kind": "email", "value": "ola@example.no"}])
    for channel in ("email", "profiling"):
        consent.record(party_id=kari.pk, purpose="direct_marketing", channel=channel, status="granted")
    create_order(party_id=kari.pk, data={}, lines=[{"description": "Sko", "revenue": "900", "cost": "400"}])
    create_order(party_id=kari.pk, data={}, lines=[{"description": "Sekk", "revenue": "600", "cost": "300"}])
    product = Product.objects.create(sku="BOOT-1", name="Fjellstøvel", list_price="2000", unit_cost="1000")
    key = ingest.add_source(name="webshop")[1]
    return {"kari": kari, "ola": ola, "product": product, "write_key": key}


def send_events(client: Any, key: str, batch: list[dict[str, Any]]) -> None:
    """Through the real event API: stored, acknowledged, processed by the worker (inline in tests)."""
    res = client.generic("POST", "/v1/batch", json.dumps({"batch": batch}), content_type="application/json",
                         HTTP_AUTHORIZATION="Basic " + base64.b64encode(f"{key}:".encode()).decode())
    assert res.status_code == 200, res.content
