"""Life-event triggers: each event fires once per customer and occurrence, as a task or a campaign message."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from kundebase.interactions.models import Interaction
from kundebase.marketing import campaigns, loyalty, segments, triggers
from kundebase.marketing.models import LoyaltyActionRule, LoyaltyTier, TriggerFire, TriggerRule
from kundebase.orders import services as orders
from kundebase.parties import services as parties
from kundebase.parties.models import Address, ContactRole, Party
from kundebase.privacy import consent

pytestmark = pytest.mark.django_db


@pytest.fixture
def seller(make_user):
    return make_user("selma", "sales")


def _rule(event: str, seller, days: int = 0, **kw) -> TriggerRule:
    return TriggerRule.objects.create(name=f"{event} rule", event=event, days=days, assignee=seller,
                                      task_text=f"Follow up: {event}", **kw)


def _tasks(party_id: int) -> list[Interaction]:
    return list(Interaction.objects.filter(party_id=party_id, kind="note", follow_up_on__isnull=False))


def test_birthday_creates_a_task_once_a_year(seller) -> None:
    today = timezone.localdate()
    born = today.replace(year=today.year - 30) if not (today.month == 2 and today.day == 29) else \
        dt.date(today.year - 32, 2, 29)
    hero = parties.create_person(data={"family_name": "Bursdag", "birth_date": born.isoformat()}).pk
    other = parties.create_person(data={"family_name": "Annen", "birth_date": "1970-01-01" if today.strftime(
        "%m%d") != "0101" else "1970-06-01"}).pk
    _rule("birthday", seller)
    assert triggers.run() == {"birthday rule": 1}
    assert triggers.run() == {"birthday rule": 0}  # idempotent
    task = _tasks(hero)[0]
    assert task.handled_by == seller and task.follow_up_on == today and "birthday" in task.subject
    assert _tasks(other) == []
    assert TriggerFire.objects.get().occurrence == f"birthday:{today.year}"


def test_moved_to_a_new_address(seller) -> None:
    pid = parties.create_person(data={"family_name": "Flytter"},
                                addresses=[{"street": "Old 1", "postcode": "0150", "city": "Oslo",
                                            "country": "NO"}]).pk
    Address.objects.filter(party_id=pid).update(created_at=timezone.now() - dt.timedelta(days=400))
    newcomer = parties.create_person(data={"family_name": "Ny"}, addresses=[
        {"street": "First 1", "postcode": "5003", "city": "Bergen", "country": "NO"}]).pk
    _rule("moved", seller)
    assert triggers.run() == {"moved rule": 0}  # a first address is not a move
    parties.add_address(party_id=pid, data={"street": "New 2", "postcode": "5003", "city": "Bergen",
                                            "country": "NO"})
    assert triggers.run() == {"moved rule": 1}
    assert triggers.run() == {"moved rule": 0}
    assert len(_tasks(pid)) == 1 and _tasks(newcomer) == []


def test_new_job_or_position(seller) -> None:
    person = parties.create_person(data={"family_name": "Sjef"}).pk
    company = parties.create_company(data={"legal_name": "Firma AS"}).pk
    _rule("new_role", seller)
    parties.add_role(person_id=person, company_id=company, data={"position": "CEO"})
    assert triggers.run() == {"new_role rule": 1}
    assert triggers.run() == {"new_role rule": 0}
    ContactRole.objects.update(created_at=timezone.now() - dt.timedelta(days=60))
    parties.add_role(person_id=person, company_id=company, data={"position": "Chair"})
    assert triggers.run() == {"new_role rule": 1}


def test_first_purchase_follow_up_after_n_days(seller) -> None:
    now = timezone.now()
    due = parties.create_person(data={"family_name": "Due"}).pk
    early = parties.create_person(data={"family_name": "Early"}).pk
    repeat = parties.create_person(data={"family_name": "Repeat"}).pk
    orders.create_order(party_id=due, data={"ordered_at": now - dt.timedelta(days=15)},
                        lines=[{"description": "x", "revenue": "10"}])
    orders.create_order(party_id=early, data={"ordered_at": now - dt.timedelta(days=3)},
                        lines=[{"description": "x", "revenue": "10"}])
    orders.create_order(party_id=repeat, data={"ordered_at": now - dt.timedelta(days=300)},
                        lines=[{"description": "x", "revenue": "10"}])
    orders.create_order(party_id=repeat, data={"ordered_at": now - dt.timedelta(days=14)},
                        lines=[{"description": "x", "revenue": "10"}])
    _rule("first_purchase", seller, days=14)
    assert triggers.run() == {"first_purchase rule": 1}
    assert [t.party_id for t in Interaction.objects.filter(kind="note")] == [due]
    assert triggers.run() == {"first_purchase rule": 0}


def test_win_back_fires_once_per_lapse(seller) -> None:
    now = timezone.now()
    lapsed = parties.create_person(data={"family_name": "Borte"}).pk
    active = parties.create_person(data={"family_name": "Aktiv"}).pk
    orders.create_order(party_id=lapsed, data={"ordered_at": now - dt.timedelta(days=200)},
                        lines=[{"description": "x", "revenue": "10"}])
    orders.create_order(party_id=active, data={"ordered_at": now - dt.timedelta(days=20)},
                        lines=[{"description": "x", "revenue": "10"}])
    _rule("win_back", seller, days=180)
    assert triggers.run() == {"win_back rule": 1}
    assert triggers.run() == {"win_back rule": 0}
    # they came back, then lapsed again: a new occurrence
    orders.create_order(party_id=lapsed, data={"ordered_at": now - dt.timedelta(days=190)},
                        lines=[{"description": "x", "revenue": "10"}])
    assert triggers.run() == {"win_back rule": 1}
    assert len(_tasks(lapsed)) == 2 and _tasks(active) == []


def test_tier_change_starts_a_campaign_message(seller, smtp, purposes) -> None:
    pid = parties.create_person(data={"given_name": "Gull", "family_name": "Kunde"},
                                contact_points=[{"kind": "email", "value": "gull@example.org"}]).pk
    consent.record(party_id=pid, purpose="direct_marketing", channel="email", status="granted")
    LoyaltyTier.objects.create(name="Gold", threshold=100)
    LoyaltyActionRule.objects.create(action="review", points=60)
    loyalty.join(party_id=pid, consent_given=True)
    segment = segments.create_segment(data={"name": "Gold", "rule": {"attr": "loyalty.tier", "op": "eq",
                                                                     "value": "Gold"}})
    campaign = campaigns.create_campaign(data={"name": "Welcome to Gold", "segment_id": segment.pk,
                                               "subject": "Gratulerer {{ given_name }}", "body": "<p>Gull!</p>"})
    _rule("tier_change", seller, action="campaign", campaign=campaign)
    loyalty.earn_for_action(party_id=pid, action="review")
    assert triggers.run() == {"tier_change rule": 0}  # still no tier
    loyalty.earn_for_action(party_id=pid, action="review")
    assert triggers.run() == {"tier_change rule": 1}
    assert triggers.run() == {"tier_change rule": 0}
    assert [m["Subject"] for m in smtp.to("gull@example.org")] == ["Gratulerer Gull"]
    assert Interaction.objects.filter(party_id=pid, kind="campaign").count() == 1


def test_erased_customers_are_not_triggered_and_the_command_runs(seller) -> None:
    today = timezone.localdate()
    born = today.replace(year=today.year - 30) if not (today.month == 2 and today.day == 29) else \
        dt.date(today.year - 32, 2, 29)
    pid = parties.create_person(data={"family_name": "Slettet", "birth_date": born.isoformat()}).pk
    Party.objects.filter(pk=pid).update(erased_at=timezone.now())
    _rule("birthday", seller)
    out = StringIO()
    call_command("triggers", "run", stdout=out)
    assert '"birthday rule": 0' in out.getvalue()
