"""Managers see their team: the deals and tasks of the salespeople they manage, in the API, on the pages and in
the reports, and no one else's; the team is set by administrators and its end takes effect at once."""

from __future__ import annotations

import pytest
from django.utils import timezone

from kundebase.core.errors import ValidationFailed
from kundebase.sales import services, teams
from tests.sales.conftest import later

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(world, api_as):
    """Mona manages Selma (not Sigurd); each salesperson has one deal and one task."""
    manager = api_as("sales", "mona")
    teams.set_manager(member_id=world.seller.pk, manager_id=manager.user.pk)
    mine = services.create_deal(data={"title": "Selmas", "party_id": world.company.pk,
                                      "expected_close_on": later()}, actor=world.seller)
    theirs = services.create_deal(data={"title": "Sigurds", "party_id": world.company.pk}, actor=world.other_seller)
    due = (timezone.now() + timezone.timedelta(days=1)).isoformat()
    task = services.create_task(data={"title": "Ring Siri", "due_at": due}, actor=world.seller)
    other_task = services.create_task(data={"title": "Sigurds oppgave", "due_at": due}, actor=world.other_seller)
    return manager, mine, theirs, task, other_task


def test_manager_sees_and_works_on_the_teams_deals_and_tasks_only(world, team):
    manager, mine, theirs, task, other_task = team
    listed = {d["title"] for d in manager.get("/api/v1/deals").json()["items"]}
    assert listed == {"Selmas"}
    assert manager.get(f"/api/v1/deals/{mine.pk}").status_code == 200
    assert manager.get(f"/api/v1/deals/{theirs.pk}").status_code == 404
    moved = manager.post(f"/api/v1/deals/{mine.pk}/move", {"stage_id": world.stages[1].pk})
    assert moved.status_code == 200 and moved.json()["stage_id"] == world.stages[1].pk
    assert {t["title"] for t in manager.get("/api/v1/tasks").json()["items"]} == {"Ring Siri"}
    assert manager.get(f"/api/v1/tasks/{other_task.pk}").status_code == 404
    made = manager.post("/api/v1/deals", {"title": "Til Selma", "party_id": world.company.pk,
                                          "owner_id": world.seller.pk})
    assert made.status_code == 201 and made.json()["owner_id"] == world.seller.pk
    refused = manager.post("/api/v1/deals", {"title": "Til Sigurd", "party_id": world.company.pk,
                                             "owner_id": world.other_seller.pk})
    assert refused.status_code == 422 and refused.json()["errors"][0]["code"] == "forbidden_owner"
    pipeline = manager.get("/api/v1/sales-reports/pipeline").json()
    assert pipeline["deals"] == 2 and [g["label"] for g in pipeline["by_owner"]] == ["selma"]


def test_a_member_does_not_see_the_managers_deals(world, team):
    manager, *_rest = team
    services.create_deal(data={"title": "Monas", "party_id": world.company.pk}, actor=manager.user)
    from kundebase.sales.access import deals_for

    assert set(deals_for(world.seller).values_list("title", flat=True)) == {"Selmas"}


def test_pages_follow_the_team(world, team, client_as):
    manager, mine, theirs, task, _other = team
    from django.test import Client

    client = Client()
    client.force_login(manager.user)
    assert client.get(f"/sales/deals/{mine.pk}/").status_code == 200
    assert client.get(f"/sales/deals/{theirs.pk}/").status_code == 404
    html = client.get("/sales/tasks/").content.decode()
    assert 'id="team-tasks"' in html and "Ring Siri" in html and "Sigurds oppgave" not in html
    board = client.get("/sales/").content.decode()
    assert "Selmas" in board and "Sigurds" not in board
    teams.set_manager(member_id=world.seller.pk, manager_id=None)  # the team ends: at once
    assert client.get(f"/sales/deals/{mine.pk}/").status_code == 404


def test_teams_are_set_by_administrators(world, api, api_as, client_as):
    res = api.put(f"/api/v1/sales-teams/{world.seller.pk}", {"manager_id": world.other_seller.pk})
    assert res.json() == {"member_id": world.seller.pk, "manager_id": world.other_seller.pk}
    assert api.get("/api/v1/sales-teams").json() == [{"member_id": world.seller.pk,
                                                      "manager_id": world.other_seller.pk}]
    me = api.put(f"/api/v1/sales-teams/{world.seller.pk}", {"manager_id": world.seller.pk})
    assert me.status_code == 422 and me.json()["errors"][0]["field"] == "manager_id"
    assert api.put("/api/v1/sales-teams/999999", {"manager_id": None}).status_code == 404
    assert api_as("sales", "s9").put(f"/api/v1/sales-teams/{world.seller.pk}",
                                     {"manager_id": None}).status_code == 403
    with pytest.raises(ValidationFailed):
        teams.set_manager(member_id=world.seller.pk, manager_id=999999)
    admin = client_as("administrator", "boss")
    page = admin.post("/sales/teams/", {"member_id": world.other_seller.pk, "manager_id": world.seller.pk})
    assert page.status_code == 302
    assert "sigurd" in admin.get("/sales/teams/").content.decode()
    assert client_as("sales", "s8").get("/sales/teams/").status_code == 403
