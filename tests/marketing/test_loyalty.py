"""The loyalty ledger: earning, tiers, redemption (refused beyond the balance, concurrency-safe), FIFO expiry."""

from __future__ import annotations

import datetime as dt
import threading
import time
from decimal import Decimal

import pytest
from django.db import OperationalError, connection
from django.utils import timezone

from kundebase.core.errors import Conflict, ValidationFailed
from kundebase.marketing import loyalty
from kundebase.marketing.models import LoyaltyActionRule, LoyaltyEntry, LoyaltyTier
from kundebase.orders import services as orders
from kundebase.parties import services as parties
from kundebase.privacy import consent


@pytest.fixture
def member(purposes) -> int:
    pid = parties.create_person(data={"family_name": "Medlem"}).pk
    loyalty.programme()
    LoyaltyTier.objects.create(name="Silver", threshold=500)
    LoyaltyTier.objects.create(name="Gold", threshold=2000)
    LoyaltyActionRule.objects.create(action="review", points=25)
    loyalty.join(party_id=pid, consent_given=True)
    return pid


def _earn_at(pid: int, points: int, when: dt.datetime) -> None:
    LoyaltyEntry.objects.create(party_id=pid, kind="earn", points=points, occurred_at=when,
                                expires_at=loyalty.add_months(when, 24))


@pytest.mark.django_db
def test_join_needs_consent_and_records_it(purposes) -> None:
    pid = parties.create_person(data={"family_name": "X"}).pk
    with pytest.raises(ValidationFailed):
        loyalty.join(party_id=pid, consent_given=False)
    loyalty.join(party_id=pid, consent_given=True)
    assert consent.has_consent(pid, "loyalty_club", "email")
    with pytest.raises(Conflict):
        loyalty.join(party_id=pid, consent_given=True)


@pytest.mark.django_db
def test_points_from_orders_and_actions_and_tiers(member) -> None:
    order = orders.create_order(party_id=member, data={}, lines=[{"description": "x", "revenue": "612.90"}])
    entry = loyalty.earn_for_order(order_id=order.pk)
    assert entry is not None and entry.points == 612  # one point per whole currency unit, rounded down
    with pytest.raises(Conflict):
        loyalty.earn_for_order(order_id=order.pk)  # once per order
    loyalty.earn_for_action(party_id=member, action="review")
    assert loyalty.balance(member) == 637
    summary = loyalty.summary(member)
    assert summary["tier"] == "Silver" and summary["balance"] == 637
    with pytest.raises(ValidationFailed):
        loyalty.earn_for_action(party_id=member, action="nothing")
    outsider = parties.create_person(data={"family_name": "Y"}).pk
    other = orders.create_order(party_id=outsider, data={}, lines=[{"description": "x", "revenue": "100"}])
    assert loyalty.earn_for_order(order_id=other.pk) is None
    assert loyalty.points_for(Decimal("99.99")) == 99


@pytest.mark.django_db
def test_redemption_is_refused_beyond_the_balance(member, api) -> None:
    _earn_at(member, 300, timezone.now())
    loyalty.redeem(party_id=member, points=120)
    assert loyalty.balance(member) == 180
    with pytest.raises(Conflict) as caught:
        loyalty.redeem(party_id=member, points=181)
    assert caught.value.extra["available"] == 180
    for bad in (0, -5, 1.5, True):
        with pytest.raises(ValidationFailed):
            loyalty.redeem(party_id=member, points=bad)
    response = api.post(f"/api/v1/loyalty/members/{member}/redeem", {"points": 1000})
    assert response.status_code == 409 and response.json()["code"] == "insufficient_points"
    assert api.post(f"/api/v1/loyalty/members/{member}/redeem", {"points": 80}).json()["balance"] == 100


@pytest.mark.django_db
def test_expiry_is_first_in_first_out(member) -> None:
    now = timezone.now()
    _earn_at(member, 100, now - dt.timedelta(days=800))  # expired ~2 months ago
    _earn_at(member, 50, now - dt.timedelta(days=760))  # expired ~1 month ago
    _earn_at(member, 70, now - dt.timedelta(days=30))
    LoyaltyEntry.objects.create(party_id=member, kind="redeem", points=-120, occurred_at=now - dt.timedelta(
        days=750))  # used all of the first lot and 20 of the second
    assert loyalty.run_expiry(now=now) == {"members": 1, "points": 30}
    assert loyalty.balance(member) == 70
    assert loyalty.run_expiry(now=now) == {"members": 0, "points": 0}  # idempotent
    later = now + dt.timedelta(days=24 * 31)
    assert loyalty.run_expiry(now=later)["points"] == 70
    assert loyalty.balance(member) == 0


def test_fifo_arithmetic_without_a_database() -> None:
    t0 = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)

    def at(days: int) -> dt.datetime:
        return t0 + dt.timedelta(days=days)

    entries = [("earn", 100, at(0), at(100)), ("earn", 100, at(50), at(150)), ("redeem", -150, at(60), None)]
    assert loyalty.expiring_amount(entries, at(99)) == 0
    assert loyalty.expiring_amount(entries, at(100)) == 0  # the first lot was spent
    assert loyalty.expiring_amount(entries, at(150)) == 50
    # a redemption after a lot lapsed cannot use the lapsed points
    late = [("earn", 100, at(0), at(10)), ("earn", 100, at(5), at(200)), ("redeem", -60, at(20), None)]
    assert loyalty.expiring_amount(late, at(30)) == 100
    assert loyalty.expiring_amount([*late, ("expire", -100, at(30), None)], at(30)) == 0
    assert loyalty.add_months(dt.datetime(2024, 1, 31), 1) == dt.datetime(2024, 2, 29)


@pytest.mark.django_db(transaction=True)
def test_concurrent_redemptions_never_overspend(member) -> None:
    _earn_at(member, 100, timezone.now())
    results: list[str] = []
    barrier = threading.Barrier(4)

    def spend() -> None:
        barrier.wait()
        try:
            for _attempt in range(200):
                try:
                    loyalty.redeem(party_id=member, points=40)
                    results.append("ok")
                    return
                except Conflict:
                    results.append("refused")
                    return
                except OperationalError:
                    # the in-memory SQLite test database reports a busy table at once instead of waiting
                    time.sleep(0.01)
        finally:
            connection.close()

    threads = [threading.Thread(target=spend) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["ok", "ok", "refused", "refused"]
    assert loyalty.balance(member) == 20


@pytest.mark.django_db
def test_earning_command_gives_points_for_new_member_orders_once(member) -> None:
    from io import StringIO

    from django.core.management import call_command

    orders.create_order(party_id=member, data={}, lines=[{"description": "x", "revenue": "250"}])
    before = orders.create_order(party_id=member, data={"ordered_at": timezone.now() - dt.timedelta(days=30)},
                                 lines=[{"description": "x", "revenue": "999"}])
    assert before  # ordered before joining: no points
    out = StringIO()
    call_command("loyalty", "earn", stdout=out)
    assert '"orders": 1' in out.getvalue()
    call_command("loyalty", "earn", stdout=StringIO())
    assert loyalty.balance(member) == 250


@pytest.mark.django_db
def test_a_merge_moves_the_ledger_to_the_survivor(member) -> None:
    from kundebase.core import hooks

    _earn_at(member, 120, timezone.now())
    survivor = parties.create_person(data={"family_name": "Overlevende"}).pk
    for hook in hooks.after_merge:
        hook(survivor_id=survivor, merged_id=member, actor=None)
    assert loyalty.balance(survivor) == 120 and loyalty.balance(member) == 0
    assert loyalty.summary(survivor)["balance"] == 120
