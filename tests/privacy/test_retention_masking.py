"""Retention policies with a dry run first; "only active customers" by default; analysts see pseudonyms."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def _age(party, days):
    from kundebase.parties.models import Party

    Party.objects.filter(pk=party.pk).update(updated_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=days))


def test_retention_dry_run_then_apply(make_person, make_order, capsys):
    from kundebase.parties.models import Party, Person
    from kundebase.privacy.models import CountryPolicy

    old_prospect = make_person("Gammel", "Prospekt")
    _age(old_prospect, 800)
    fresh_prospect = make_person("Ny", "Prospekt")
    dk_prospect = make_person("Gammel", "Dansk", country="DK", postcode="1620", street="Vesterbrogade 1")
    _age(dk_prospect, 800)
    CountryPolicy.objects.filter(country="DK").update(prospect_months=36)
    former = make_person("Tidligere", "Kunde", status="inactive")
    make_order(former.pk, days_ago=6 * 365)
    Party.objects.filter(pk=former.pk).update(status="inactive")
    _age(former, 6 * 365)
    call_command("privacy", "retention")
    out = capsys.readouterr().out
    assert "NO\tinactive_prospect\t1" in out and "NO\tformer_customer\t1" in out and "dry run" in out
    assert Person.objects.filter(erased_at__isnull=False).count() == 0
    call_command("privacy", "retention", "--apply")
    erased = set(Person.objects.filter(erased_at__isnull=False).values_list("pk", flat=True))
    assert erased == {old_prospect.pk, former.pk}
    assert fresh_prospect.pk not in erased and dk_prospect.pk not in erased


def test_active_customers_excludes_erased_merged_and_restricted(make_person):
    from kundebase.parties.models import Party
    from kundebase.privacy.erasure import erase, restrict
    from kundebase.privacy.retention import active_customers

    a, b, c, d = (make_person(str(i), "Test") for i in range(4))
    erase(party_id=a.pk)
    restrict(party_id=b.pk)
    Party.objects.filter(pk=c.pk).update(merged_into=d)
    assert set(active_customers().values_list("pk", flat=True)) == {d.pk}


def test_analyst_sees_pseudonyms_in_the_persons_list(api, api_as, person_payload):
    res = api.post("/api/v1/persons", person_payload)
    assert res.status_code == 201
    analyst = api_as("analyst")
    listed = analyst.get("/api/v1/persons").json()["items"][0]
    text = repr(listed)
    for secret in ("Kari", "Nordmann", "kari.nordmann", "41234567", "Storgata", "1980-12-31"):
        assert secret not in text, secret
    assert listed["display_name"].startswith("C-")
    again = analyst.get("/api/v1/persons").json()["items"][0]
    assert again["display_name"] == listed["display_name"]  # stable: counting and joining still work
    assert listed["addresses"][0]["postcode"] == "0155"
    full = api.get("/api/v1/persons").json()["items"][0]
    assert full["family_name"] == "Nordmann"


def test_mask_rows_for_exports_and_analytics(make_user):
    from kundebase.privacy.masking import mask_rows

    analyst, admin = make_user("ana", "analyst"), make_user("adm", "administrator")
    rows = [{"id": 1, "display_name": "Kari Nordmann", "value": "kari@example.no", "birth_date": "1980-12-31",
             "revenue": 100}]
    masked = list(mask_rows(rows, analyst))[0]
    assert masked["display_name"] != "Kari Nordmann" and masked["value"] != "kari@example.no"
    assert masked["birth_date"] == "1980" and masked["revenue"] == 100
    assert list(mask_rows(rows, admin)) == rows


def _order_at(make_order, party_id, when):
    from kundebase.orders.models import Order

    order = make_order(party_id)
    Order.objects.filter(pk=order.pk).update(ordered_at=when)
    return order.pk


def test_anonymised_orders_are_deleted_once_their_bookkeeping_period_is_over(make_person, make_order, settings):
    """Bokføringsloven § 13: kept five years after the end of the financial year, then nothing justifies them."""
    from zoneinfo import ZoneInfo

    from kundebase.core.models import AuditEntry
    from kundebase.orders.models import Order, OrderLine
    from kundebase.privacy import retention
    from kundebase.privacy.erasure import erase

    oslo = ZoneInfo("Europe/Oslo")
    gone, kept = make_person("Borte", "Kunde"), make_person("Aktiv", "Kunde")
    old = _order_at(make_order, gone.pk, dt.datetime(2020, 6, 15, 12, tzinfo=oslo))
    new_year_eve = _order_at(make_order, gone.pk, dt.datetime(2020, 12, 31, 23, 30, tzinfo=oslo))
    next_year = _order_at(make_order, gone.pk, dt.datetime(2021, 1, 1, 0, 30, tzinfo=oslo))
    customers_own = _order_at(make_order, kept.pk, dt.datetime(2015, 3, 1, 12, tzinfo=oslo))
    erase(party_id=gone.pk)
    settings.KUNDEBASE_DEFAULT_COUNTRY = "NO"

    # 31 December 2025: the financial year 2020 is still within its five years.
    plan = retention.plan(now=dt.datetime(2025, 12, 31, 22, tzinfo=oslo))
    assert plan.bookkeeping_years == 5 and plan.expired_orders == []
    # 2 January 2026: 2020's orders are due, 2021's are not; a customer who was not erased keeps every order.
    plan = retention.plan(now=dt.datetime(2026, 1, 2, 10, tzinfo=oslo))
    assert plan.orders_kept_until == dt.datetime(2021, 1, 1, tzinfo=oslo)
    assert plan.expired_orders == sorted([old, new_year_eve])
    assert retention.delete_expired_orders(plan) == 2
    assert set(Order.objects.values_list("pk", flat=True)) == {next_year, customers_own}
    assert not OrderLine.objects.filter(order_id__in=[old, new_year_eve]).exists()
    entry = AuditEntry.objects.get(entity="order", action="erase")
    assert "2 anonymised orders" in entry.note and "5 years" in entry.note

    # German books are kept eight years (the policy of the company's own country applies).
    settings.KUNDEBASE_DEFAULT_COUNTRY = "DE"
    plan = retention.plan(now=dt.datetime(2029, 1, 2, tzinfo=oslo))
    assert plan.bookkeeping_years == 8 and plan.expired_orders == []
    assert retention.plan(now=dt.datetime(2030, 1, 2, tzinfo=oslo)).expired_orders == [next_year]


def test_the_retention_job_reports_then_deletes_expired_bookkeeping(make_person, make_order, capsys, api):
    from kundebase.orders.models import Order
    from kundebase.privacy.erasure import erase

    person = make_person("Lenge", "Siden")
    ancient = _order_at(make_order, person.pk, dt.datetime(2012, 5, 1, tzinfo=dt.UTC))
    recent = make_order(person.pk, days_ago=30).pk
    erase(party_id=person.pk)
    body = api.get("/api/v1/privacy/retention").json()
    assert body["expired_orders"] == 1 and body["bookkeeping_years"] == 5
    call_command("privacy", "retention")
    assert "1 anonymised orders placed before" in capsys.readouterr().out
    assert Order.objects.filter(pk=ancient).exists()
    call_command("privacy", "retention", "--apply")
    assert "deleted 1 anonymised orders" in capsys.readouterr().out
    assert list(Order.objects.values_list("pk", flat=True)) == [recent]
