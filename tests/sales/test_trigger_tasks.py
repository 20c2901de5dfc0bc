"""A marketing trigger creates a sales task: for the rule's salesperson or the customer's deal owner, due a set
number of days after the event; the task is on the assignee's list and completing it closes the follow-up."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from kundebase.interactions.models import Interaction
from kundebase.sales import services
from kundebase.sales.models import Task
from tests.sales.conftest import later

pytestmark = pytest.mark.django_db


def test_trigger_task_for_the_deal_owner_due_days_later_end_to_end(api, api_as, world):
    owner_api = api_as("sales", "deal-owner")
    deal = services.create_deal(data={"title": "Lager", "party_id": world.contact.pk, "amount": "9000",
                                      "expected_close_on": later(), "owner_id": owner_api.user.pk},
                                actor=world.admin)
    res = api.post("/api/v1/triggers", {"name": "New job: call", "event": "new_role", "action": "task",
                                        "assignee_id": world.seller.pk, "assign_to": "deal_owner",
                                        "task_due_days": 3, "task_text": "Congratulate on the new job"})
    assert res.status_code == 201, res.content
    listed = api.get("/api/v1/triggers").json()
    assert (listed[0]["assign_to"], listed[0]["task_due_days"]) == ("deal_owner", 3)

    out = StringIO()
    call_command("triggers", "run", stdout=out)
    assert '"New job: call": 1' in out.getvalue()
    call_command("triggers", "run", stdout=StringIO())  # a second run fires nothing new

    mine = owner_api.get("/api/v1/tasks", open=True).json()["items"]
    assert [t["title"] for t in mine] == ["Follow up: Congratulate on the new job"]
    task = mine[0]
    due = timezone.localtime(dt.datetime.fromisoformat(task["due_at"]))
    assert due.date() == timezone.localdate() + dt.timedelta(days=3) and due.hour == 9
    assert task["party_id"] == world.contact.pk and deal.owner_id == owner_api.user.pk
    assert not Task.objects.filter(assigned_to=world.seller).exists()  # the rule's salesperson is the fallback

    done = owner_api.patch(f"/api/v1/tasks/{task['id']}", {"done": True}).json()
    assert done["completed_at"] is not None
    note = Interaction.objects.get(pk=task["interaction_id"])
    assert note.follow_up_done_at is not None and note.handled_by_id == owner_api.user.pk


def test_without_an_open_deal_the_rules_salesperson_gets_the_task(api, world):
    api.post("/api/v1/triggers", {"name": "New job", "event": "new_role", "assignee_id": world.seller.pk,
                                  "assign_to": "deal_owner"})
    call_command("triggers", "run", stdout=StringIO())
    task = Task.objects.get()
    assert task.assigned_to == world.seller and timezone.localtime(task.due_at).date() == timezone.localdate()


@pytest.mark.parametrize(("change", "field"), [({"task_due_days": 400}, "task_due_days"),
                                               ({"task_due_days": -1}, "task_due_days"),
                                               ({"assign_to": "nobody"}, "assign_to")])
def test_bad_task_settings_on_a_rule_are_named(api, world, change, field):
    from kundebase.marketing.models import TriggerRule

    res = api.post("/api/v1/triggers", {"name": "R", "event": "new_role", "assignee_id": world.seller.pk,
                                        **change})
    assert res.status_code == 422 and res["Content-Type"].startswith("application/problem+json")
    assert field in [e["field"] for e in res.json()["errors"]]
    assert not TriggerRule.objects.exists()
