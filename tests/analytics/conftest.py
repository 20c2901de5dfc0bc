"""A small fixed book of customers, orders and contacts whose report figures are worked out by hand.

Customers A–E buy in the first five months of 2026 (F never buys):

======  =======  ==========================================  ========  =======  =====================
party   country  orders (date: revenue/cost)                 revenue   margin   contacts
======  =======  ==========================================  ========  =======  =====================
A       NO Oslo  01-10, 02-10, 03-10: 1000/400 each (web)    3000      1800     1 meeting (450)
B       NO Vest. 01-10 … 05-10 monthly: 100/90 (store)       500       50       5 calls (5 × 60)
C       DK       01-20: 400/100 (web, newsletter)            400       300
D       DE       02-15, 04-15: 50/20 (phone)                 100       60
E       HU       05-01: 100/30 (web, google)                 100       70
F       NO Oslo  —
======  =======  ==========================================  ========  =======  =====================
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

UTC = dt.UTC


def at(month: int, day: int) -> dt.datetime:
    return dt.datetime(2026, month, day, 12, 0, tzinfo=UTC)


def delete_orders_behind_the_services(party_id: int) -> None:
    """Remove a customer's orders with raw SQL (as a restore or a script would): no change marks are left."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("DELETE FROM orders_orderline WHERE order_id IN (SELECT id FROM orders_order WHERE party_id = %s)",
                    [party_id])
        cur.execute("DELETE FROM orders_order WHERE party_id = %s", [party_id])


@pytest.fixture(autouse=True)
def fresh_mirror(settings: Any, tmp_path: Any) -> Any:
    """Each test gets its own mirror file: the operational data is rolled back between tests."""
    settings.KUNDEBASE_DATA_DIR = tmp_path
    yield tmp_path


@pytest.fixture
def book(db: Any) -> dict[str, Any]:
    from kundebase.analytics.models import ServiceCostRate
    from kundebase.interactions.services import log_interaction
    from kundebase.orders.services import create_order
    from kundebase.parties.services import create_person

    ServiceCostRate.objects.create(kind="call", cost=Decimal("60"))
    ServiceCostRate.objects.create(kind="meeting", cost=Decimal("450"))

    def person(given: str, country: str, region: str, municipality: str, postcode: str, born: str,
               gender: str) -> int:
        return create_person(data={"given_name": given, "family_name": "Testesen", "birth_date": born,
                                   "gender": gender},
                             addresses=[{"street": "Gate 1", "postcode": postcode, "city": municipality,
                                         "municipality": municipality, "region": region, "country": country}]).pk

    ids = {
        "A": person("Anna", "NO", "Oslo", "Oslo", "0150", "1980-03-01", "female"),
        "B": person("Bjørn", "NO", "Vestland", "Bergen", "5003", "1992-07-15", "male"),
        "C": person("Camilla", "DK", "Hovedstaden", "København", "1050", "1975-01-01", "female"),
        "D": person("Dieter", "DE", "Bayern", "München", "80331", "1960-05-05", "male"),
        "E": person("Erzsébet", "HU", "Budapest", "Budapest", "1051", "2001-09-09", "female"),
        "F": person("Frida", "NO", "Oslo", "Oslo", "0151", "1990-02-02", "female"),
    }

    def order(key: str, when: dt.datetime, revenue: str, cost: str, channel: str, source: str = "") -> None:
        create_order(party_id=ids[key], data={"ordered_at": when, "channel": channel, "source": source},
                     lines=[{"description": "x", "revenue": revenue, "cost": cost}])

    for month in (1, 2, 3):
        order("A", at(month, 10), "1000", "400", "web", "google")
    for month in (1, 2, 3, 4, 5):
        order("B", at(month, 10), "100", "90", "store")
    order("C", at(1, 20), "400", "100", "web", "newsletter")
    order("D", at(2, 15), "50", "20", "phone")
    order("D", at(4, 15), "50", "20", "phone")
    order("E", at(5, 1), "100", "30", "web", "google")
    log_interaction(party_id=ids["A"], data={"kind": "meeting", "channel": "in_person", "occurred_at": at(2, 1)})
    for month in (1, 2, 3, 4, 5):
        log_interaction(party_id=ids["B"], data={"kind": "call", "channel": "phone", "occurred_at": at(month, 11),
                                                  "subject": "Reklamasjon"})
    return ids
