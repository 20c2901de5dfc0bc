"""The sales benchmark's bulk load (COPY on PostgreSQL, with the secondary indexes built again after it) writes
the rows the reports read, and leaves every index as it was."""

from __future__ import annotations

import pytest
from django.db import connection

from benchmarks.sales import generate_customers, generate_deals
from kundebase.sales import reports
from kundebase.sales.models import Deal

pytestmark = pytest.mark.django_db


def _indexes() -> set[str]:
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SELECT indexdef FROM pg_indexes WHERE tablename IN "
                        "('sales_deal', 'parties_party', 'parties_person', 'parties_company')")
        else:
            cur.execute("SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN "
                        "('sales_deal', 'parties_party', 'parties_person', 'parties_company')")
        return {row[0] for row in cur.fetchall()}


def test_bulk_load_of_customers_and_deals(make_user):
    from kundebase.parties.models import Company, Party, Person

    before = _indexes()
    owners = [make_user(f"bench-{i}", "sales").pk for i in range(3)]
    generate_customers(40)
    generate_deals(40, 30, 50, owners)
    assert (Party.objects.count(), Company.objects.count(), Person.objects.count()) == (40, 4, 36)
    assert Deal.objects.filter(status="open").count() == 30 and Deal.objects.exclude(status="open").count() == 50
    assert _indexes() == before
    forecast = reports.forecast_report(Deal.objects.all(), months=36)
    placed = sum(m["deals"] for m in forecast["months"]) + forecast["undated"]["deals"] + forecast["later"]["deals"]
    assert placed == 30
