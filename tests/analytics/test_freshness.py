"""The mirror follows the operational data: new, changed and deleted rows show within the documented delay."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.core.management import call_command

from kundebase.analytics import engine, reports
from kundebase.analytics.sql import Filters
from tests.analytics.conftest import at, delete_orders_behind_the_services

PERIOD = Filters(start=at(1, 1), end=at(6, 1))


def test_new_order_visible_after_the_staleness_delay(book: dict[str, int]) -> None:
    from kundebase.orders.services import create_order

    before = reports.compute("pareto", PERIOD)["revenue"]
    create_order(party_id=book["F"], data={"ordered_at": at(5, 20), "channel": "web"},
                 lines=[{"revenue": "700", "cost": "100"}])
    committed = time.monotonic()
    while reports.compute("pareto", PERIOD)["revenue"] == before:
        assert time.monotonic() - committed < engine.MAX_STALENESS + 3, "the order never showed"
        time.sleep(0.2)
    assert reports.compute("pareto", PERIOD)["revenue"] == pytest.approx(before + 700)
    assert time.monotonic() - committed <= engine.MAX_STALENESS + 3


def test_a_new_order_shows_in_the_very_next_read(book: dict[str, int]) -> None:
    """No staleness window: the read sees that the source has rows the mirror has not, and loads just those."""
    from kundebase.orders.services import create_order

    before = reports.compute("pareto", PERIOD)["revenue"]  # the mirror is now fresh, well within MAX_STALENESS
    create_order(party_id=book["F"], data={"ordered_at": at(5, 21), "channel": "web"},
                 lines=[{"revenue": "250", "cost": "100"}])
    started = time.monotonic()
    assert reports.compute("pareto", PERIOD)["revenue"] == pytest.approx(before + 250)
    assert time.monotonic() - started < 1.0
    with engine.mirror().open() as con:
        assert not engine.mirror().behind(con)  # and a read with nothing new does not refresh again


def test_changes_and_deletions_follow(book: dict[str, int]) -> None:
    from kundebase.interactions.models import Interaction
    from kundebase.interactions.services import delete_interaction
    from kundebase.parties.models import Address
    from kundebase.parties.services import update_address

    assert reports.compute("quadrant", PERIOD)["rows"][0]["service_cost"] == 300.0
    for interaction in Interaction.objects.filter(party_id=book["B"], kind="call")[:2]:
        delete_interaction(interaction_id=interaction.pk)
    address = Address.objects.get(party_id=book["D"])
    update_address(party_id=book["D"], address_id=address.pk, data={"country": "AT", "region": "Tirol"})
    engine.refresh()
    assert reports.compute("quadrant", PERIOD)["rows"][0]["service_cost"] == 180.0
    countries = {r["country"] for r in reports.compute("geography", PERIOD)["rows"]}
    assert "AT" in countries and "DE" not in countries


def test_reconciliation_finds_writes_that_bypass_the_services(book: dict[str, int]) -> None:
    engine.refresh()
    delete_orders_behind_the_services(book["C"])
    stats = engine.refresh(reconcile=True)
    assert "orders" in stats.reconciled
    assert reports.compute("pareto", PERIOD)["revenue"] == pytest.approx(4100 - 400)


def test_refresh_command(book: dict[str, int], capsys: Any) -> None:
    call_command("analytics", "refresh", "--text")
    out = capsys.readouterr().out
    assert "mirror loaded" in out and "orders +12" in out
    call_command("analytics", "refresh")
    assert "mirror refreshed" in capsys.readouterr().out
    call_command("analytics", "reset")
    assert "mirror loaded" in capsys.readouterr().out


def test_mirror_belongs_to_one_database(book: dict[str, int]) -> None:
    from kundebase.analytics.engine import Mirror

    mirror = Mirror()
    with mirror.open() as con:
        mirror.refresh(con)
        con.execute("UPDATE _meta SET value = 'sqlite:::/elsewhere' WHERE key = 'source'")
    with mirror.open() as con:  # another source: the mirror starts over instead of mixing data
        assert con.execute("SELECT COUNT(*) FROM orders").fetchall()[0][0] == 0


def test_old_marks_pruned_and_a_long_idle_mirror_rebuilt(book: dict[str, int]) -> None:
    import datetime as dt

    from django.utils import timezone

    from kundebase.analytics.engine import KEEP_MARKS, Mirror
    from kundebase.analytics.models import ChangeMark

    old = ChangeMark.objects.create(table="orders", row_id=1)
    ChangeMark.objects.filter(pk=old.pk).update(at=timezone.now() - dt.timedelta(seconds=KEEP_MARKS + 60))
    mirror = Mirror()
    with mirror.open() as con:
        mirror.refresh(con)
        con.execute("UPDATE _sync SET refreshed_at = refreshed_at - ?", [KEEP_MARKS])
        stats = mirror.refresh(con, reconcile=True)
    assert stats.full and stats.loaded["orders"] == 12
    assert not ChangeMark.objects.filter(pk=old.pk).exists()
