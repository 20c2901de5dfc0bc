"""One customer's RFM segment from cached boundaries is the one the RFM report gives, ties included."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from kundebase.analytics import engine, reports, rfm_lookup
from kundebase.analytics.sql import Filters

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("count", [0, 1, 3, 4, 5, 7, 12, 103])
def test_bucket_starts_are_where_duckdbs_ntile_starts_them(count: int) -> None:
    import duckdb

    rows = duckdb.sql(f"SELECT i + 1, NTILE(5) OVER (ORDER BY i) FROM range({count}) t(i) ORDER BY i").fetchall()
    firsts = [row for row, bucket in rows if bucket > 1 and (row == 1 or rows[row - 2][1] != bucket)]
    assert [s for s in rfm_lookup.starts(count) if s <= count] == firsts


def test_every_customer_scores_as_in_the_report_with_ties(book: dict[str, Any]) -> None:
    from kundebase.orders.services import create_order
    from kundebase.parties.services import create_person

    for n in range(11):  # equal order counts and revenues, so the customer id breaks the ties
        person = create_person(data={"given_name": f"T{n}", "family_name": "Tie"})
        for _ in range(n % 2 + 1):
            create_order(party_id=person.pk, data={}, lines=[{"revenue": str(100 * (n % 3 + 1)), "cost": "10"}])
    report = reports.compute("rfm", Filters(), {"customers": 1})
    expected = {row["party_id"]: row["segment"] for row in report["customers"]}
    assert len(expected) >= 15
    with engine.reading() as con:
        for party_id, segment in expected.items():
            assert rfm_lookup.segment(con, party_id, timezone.now(), path="t") == segment, party_id
        assert rfm_lookup.segment(con, book["F"], timezone.now(), path="t") == ""  # never bought
