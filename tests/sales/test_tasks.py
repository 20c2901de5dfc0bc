"""Tasks: made by hand and from a timeline follow-up, completed (closing the follow-up), and the iCalendar feed
read back with the ``icalendar`` package over real HTTP."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from kundebase.core.errors import NotFound, ValidationFailed
from kundebase.sales import services
from kundebase.sales.models import Task

pytestmark = pytest.mark.django_db


def soon(hours: int = 2) -> str:
    return (timezone.now() + dt.timedelta(hours=hours)).isoformat()


def test_task_by_hand_links_deal_and_customer(world):
    deal = services.create_deal(data={"title": "D", "party_id": world.company.pk}, actor=world.seller)
    task = services.create_task(data={"title": "Ring Siri", "due_at": soon(), "priority": "high",
                                      "deal_id": deal.pk}, actor=world.seller)
    assert task.assigned_to == world.seller and task.party_id == world.company.pk and task.deal == deal


@pytest.mark.parametrize(("data", "bad"), [
    ({"title": "", "due_at": "2030-01-01T10:00"}, {"title"}),
    ({"title": "x"}, {"due_at"}),
    ({"title": "x", "due_at": "tomorrow"}, {"due_at"}),
    ({"title": "x", "due_at": "2030-01-01T10:00", "priority": "urgent"}, {"priority"}),
    ({"title": "x", "due_at": "2030-01-01T10:00", "party_id": 999999}, {"party_id"}),
    ({"title": "x", "due_at": "2030-01-01T10:00", "deal_id": 999999}, {"deal_id"}),
    ({"title": "x", "due_at": "2030-01-01T10:00", "assigned_to_id": 999999}, {"assigned_to_id"}),
])
def test_bad_tasks_are_refused_whole(world, data, bad):
    with pytest.raises(ValidationFailed) as exc:
        services.create_task(data=data, actor=world.seller)
    assert {e.field for e in exc.value.errors} == bad
    assert not Task.objects.exists()


def test_salesperson_cannot_assign_to_others_or_see_their_tasks(world):
    with pytest.raises(ValidationFailed) as exc:
        services.create_task(data={"title": "x", "due_at": soon(), "assigned_to_id": world.other_seller.pk},
                             actor=world.seller)
    assert exc.value.errors[0].code == "forbidden_assignee"
    theirs = services.create_task(data={"title": "x", "due_at": soon(), "assigned_to_id": world.other_seller.pk},
                                  actor=world.admin)
    with pytest.raises(NotFound):
        services.complete_task(task_id=theirs.pk, actor=world.seller)
    theirs_deal = services.create_deal(data={"title": "T", "party_id": world.person.pk}, actor=world.other_seller)
    with pytest.raises(ValidationFailed) as exc:
        services.create_task(data={"title": "x", "due_at": soon(), "deal_id": theirs_deal.pk}, actor=world.seller)
    assert exc.value.errors[0].field == "deal_id"


def test_follow_up_on_a_logged_contact_becomes_a_task_and_closes_with_it(world):
    from kundebase.interactions import services as interactions

    day = timezone.localdate() + dt.timedelta(days=3)
    logged = interactions.log_interaction(party_id=world.person.pk, actor=world.seller, data={
        "kind": "call", "subject": "Wants an offer", "follow_up_on": day.isoformat()})
    task = Task.objects.get(interaction=logged)
    assert task.assigned_to == world.seller and task.party_id == world.person.pk
    assert timezone.localtime(task.due_at).date() == day and "Wants an offer" in task.title
    moved = day + dt.timedelta(days=1)
    interactions.update_interaction(interaction_id=logged.pk, changes={"follow_up_on": moved.isoformat()},
                                    actor=world.seller)
    task.refresh_from_db()
    assert timezone.localtime(task.due_at).date() == moved
    services.complete_task(task_id=task.pk, actor=world.seller)
    logged.refresh_from_db()
    assert logged.follow_up_done_at is not None
    # And the other way: closing the follow-up on the timeline completes its task.
    other = interactions.log_interaction(party_id=world.person.pk, actor=world.seller, data={
        "kind": "note", "follow_up_on": day.isoformat()})
    interactions.update_interaction(interaction_id=other.pk, changes={"follow_up_done": True}, actor=world.seller)
    assert Task.objects.get(interaction=other).completed_at is not None
    # A contact without a follow-up date makes no task.
    interactions.log_interaction(party_id=world.person.pk, actor=world.seller, data={"kind": "note"})
    assert Task.objects.count() == 2


def test_update_task_done_and_reopen(world):
    task = services.create_task(data={"title": "x", "due_at": soon()}, actor=world.seller)
    task = services.update_task(task_id=task.pk, changes={"done": True, "priority": "low"}, actor=world.seller)
    assert task.completed_at is not None and task.priority == "low"
    task = services.update_task(task_id=task.pk, changes={"done": False}, actor=world.seller)
    assert task.completed_at is None
    with pytest.raises(ValidationFailed):
        services.update_task(task_id=task.pk, changes={"priority": "x", "done": True}, actor=world.seller)
    task.refresh_from_db()
    assert task.completed_at is None and task.priority == "low"


def test_calendar_feed_is_read_by_icalendar(world, live_server):
    import urllib.error
    import urllib.request

    from icalendar import Calendar

    due = timezone.now().replace(microsecond=0) + dt.timedelta(days=1)
    deal = services.create_deal(data={"title": "Stor avtale", "party_id": world.company.pk}, actor=world.seller)
    services.create_task(data={"title": "Send tilbud", "due_at": due.isoformat(), "deal_id": deal.pk,
                               "priority": "high", "notes": "Husk rabatt"}, actor=world.seller)
    done = services.create_task(data={"title": "Ferdig", "due_at": soon()}, actor=world.seller)
    services.complete_task(task_id=done.pk, actor=world.seller)
    services.create_task(data={"title": "Not mine", "due_at": soon(), "assigned_to_id": world.other_seller.pk},
                         actor=world.admin)
    secret = services.calendar_secret(world.seller)
    assert services.calendar_secret(world.seller) == secret
    with urllib.request.urlopen(f"{live_server.url}/sales/calendar/{secret}.ics") as res:
        assert res.headers["Content-Type"].startswith("text/calendar")
        cal = Calendar.from_ical(res.read())
    events = cal.walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == ["Send tilbud"]
    event = events[0]
    assert event.decoded("DTSTART") == due and int(event["PRIORITY"]) == 1
    assert "Husk rabatt" in str(event["DESCRIPTION"]) and "Fjordkraft Handel AS" in str(event["DESCRIPTION"])
    new = services.calendar_secret(world.seller, rotate=True)
    assert new != secret
    for bad in (secret, "nonsense"):
        with pytest.raises(urllib.error.HTTPError) as exc:
            urllib.request.urlopen(f"{live_server.url}/sales/calendar/{bad}.ics")
        assert exc.value.code == 404
