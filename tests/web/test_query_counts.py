"""Pinned query counts of the main pages, so an N+1 (a query per row) fails a test instead of a customer call.

The counts are fixed numbers (``query_counts.json``), and each page is also read again after its
lists have grown: the count must not change with the amount of history.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db
PINNED = json.loads((Path(__file__).parent / "query_counts.json").read_text())


def _pages(seeded) -> dict[str, str]:
    return {
        "dashboard": "/",
        "search": "/search/?q=kari&fragment=1",
        "customer_list": "/customers/?place=oslo&last_contact=365",
        "person_360": f"/customers/{seeded.kari.pk}/",
        "company_360": f"/customers/{seeded.company.pk}/",
        "screen_pop": "/lookup?phone=93000000",
        "edit_form": f"/customers/{seeded.kari.pk}/edit/",
    }


def _count(client, path: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200, path
    return len(ctx.captured_queries)


def _grow(seeded, user) -> None:
    """More of everything the pages list: contacts, orders, roles, group members, customers."""
    from django.utils import timezone

    from kundebase.interactions import services as interactions
    from kundebase.orders import services as orders
    from kundebase.parties import services as parties

    for i in range(8):
        interactions.log_interaction(party_id=seeded.kari.pk, actor=user, data={
            "kind": "call", "subject": f"Samtale {i}", "occurred_at": timezone.now() - dt.timedelta(hours=i),
            "follow_up_on": "2001-01-01"})
        orders.create_order(party_id=seeded.kari.pk, data={}, lines=[{"description": "x", "revenue": "10"}])
        person = parties.create_person(data={"given_name": f"Ny{i}", "family_name": "Nordmann"},
                                       addresses=[{"city": "Oslo", "country": "NO"}],
                                       contact_points=[{"kind": "email", "value": f"ny{i}@example.no"}])
        parties.add_role(person_id=person.pk, company_id=seeded.company.pk, data={"position": "Selger"})
        parties.add_role(person_id=seeded.kari.pk, company_id=parties.create_company(
            data={"legal_name": f"Søster {i} AS", "parent_id": seeded.parent.pk}).pk, data={})


def test_page_query_counts_are_pinned_and_do_not_grow(client_as, seeded):
    from kundebase.interactions import services as interactions

    client = client_as("sales")
    interactions.log_interaction(party_id=seeded.ola.pk, actor=client.user, data={"kind": "note"})
    client.get("/")  # the user's permissions are read once and kept (core.permission_cache): count what follows
    counts = {name: _count(client, path) for name, path in _pages(seeded).items()}
    _grow(seeded, client.user)
    grown = {name: _count(client, path) for name, path in _pages(seeded).items()}
    assert grown == counts, "a page's query count grows with its data (N+1)"
    assert counts == PINNED, f"query counts changed: {counts}; update query_counts.json if this is intended"
