"""Customers, orders and notes made through the real services, for the privacy tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest


@pytest.fixture
def make_person(db: Any) -> Callable[..., Any]:
    from kundebase.parties import services

    counter = {"n": 0}

    def make(given: str = "Kari", family: str = "Nordmann", *, email: str | None = None, phone: str | None = None,
             street: str = "Storgata 1", postcode: str = "0155", city: str = "Oslo", country: str = "NO",
             birth_date: str | None = "1980-12-31", language: str = "nb", status: str = "prospect") -> Any:
        counter["n"] += 1
        cps = []
        if email is not False:
            cps.append({"kind": "email", "value": email or f"{given}.{family}{counter['n']}@example.no".lower()})
        if phone:
            cps.append({"kind": "mobile", "value": phone})
        addresses = [{"street": street, "postcode": postcode, "city": city, "country": country}] if street else []
        return services.create_person(
            data={"given_name": given, "family_name": family, "birth_date": birth_date,
                  "preferred_language": language, "status": status},
            contact_points=cps, addresses=addresses, actor="test", channel="test")

    return make


@pytest.fixture
def make_order(db: Any) -> Callable[..., Any]:
    from kundebase.orders import services

    def make(party_id: int, revenue: str = "100.00", *, days_ago: int = 10, cost: str = "40.00") -> Any:
        when = dt.datetime.now(dt.UTC) - dt.timedelta(days=days_ago)
        return services.create_order(party_id=party_id, data={"ordered_at": when, "source": "shop:4711"},
                                     lines=[{"description": "Kaffe", "revenue": Decimal(revenue),
                                             "cost": Decimal(cost)}], actor="test", channel="test")

    return make
