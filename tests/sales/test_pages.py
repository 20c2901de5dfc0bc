"""The sales pages without JavaScript: board, move by the select + button form, deal page, new deal with errors
beside the fields, filtered list, tasks on the dashboard; someone else's deal is a 404."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from kundebase.sales import services
from kundebase.sales.models import Deal, Task

pytestmark = pytest.mark.django_db


def csrf(client) -> str:
    return client.cookies["csrftoken"].value


def test_board_shows_columns_and_moves_by_form(client_as, world):
    client = client_as("sales", "board-seller")
    deal = services.create_deal(data={"title": "Tavle", "party_id": world.person.pk, "amount": "900"},
                                actor=client.user)
    html = client.get("/sales/").content.decode()
    for stage in world.stages:
        assert f'data-stage-id="{stage.pk}"' in html
    assert "Tavle" in html and f'id="move-{deal.pk}"' in html and "sales/board.js" in html
    res = client.post(f"/sales/deals/{deal.pk}/move/", {"stage_id": world.stages[3].pk, "next": "/sales/",
                                                         "csrfmiddlewaretoken": csrf(client)})
    assert res.status_code == 302 and res["Location"] == "/sales/"
    deal.refresh_from_db()
    assert deal.stage == world.stages[3]
    assert "The deal is moved." in client.get("/sales/").content.decode()


def test_move_to_a_foreign_stage_is_a_message_not_a_500(client_as, world):
    client = client_as("sales", "s")
    other = services.create_pipeline(name="Other", stages=[{"name": "X", "probability": 1}])
    deal = services.create_deal(data={"title": "T", "party_id": world.person.pk}, actor=client.user)
    res = client.post(f"/sales/deals/{deal.pk}/move/", {"stage_id": other.stages.get().pk}, follow=True)
    assert res.status_code == 200 and "another pipeline" in res.content.decode()
    deal.refresh_from_db()
    assert deal.stage == world.stages[0]


def test_deal_page_win_and_lose(client_as, world):
    client = client_as("sales", "s")
    deal = services.create_deal(data={"title": "Side", "party_id": world.person.pk}, actor=client.user)
    html = client.get(f"/sales/deals/{deal.pk}/").content.decode()
    assert "Mark as won" in html and "Stage history" in html
    client.post(f"/sales/deals/{deal.pk}/lose/", {"reason": "competitor", "note": "Valgte andre"})
    deal.refresh_from_db()
    assert deal.status == "lost" and deal.lost_reason == "competitor"
    html = client.get(f"/sales/deals/{deal.pk}/").content.decode()
    assert "Chose a competitor" in html and "Mark as won" not in html


def test_new_deal_form_puts_errors_beside_fields(client_as, world):
    client = client_as("sales", "s")
    res = client.post("/sales/deals/new/", {"title": "Eksport", "party_id": world.company.pk,
                                            "pipeline_id": world.pipeline.pk, "amount": "10", "currency": "USD",
                                            "expected_close_on": "2001-01-01"})
    assert res.status_code == 422
    html = res.content.decode()
    assert 'id="id_currency_error"' in html and "No exchange rate for USD" in html
    assert 'id="id_expected_close_on_error"' in html
    assert not Deal.objects.exists()
    res = client.post("/sales/deals/new/", {"title": "Eksport", "party_id": world.company.pk,
                                            "pipeline_id": world.pipeline.pk, "amount": "10", "currency": "NOK"})
    deal = Deal.objects.get()
    assert res.status_code == 302 and res["Location"] == f"/sales/deals/{deal.pk}/"


def test_deal_list_filters(client_as, world):
    client = client_as("sales", "s")
    a = services.create_deal(data={"title": "Alfa", "party_id": world.person.pk}, actor=client.user)
    services.create_deal(data={"title": "Beta", "party_id": world.person.pk}, actor=client.user)
    services.win_deal(deal_id=a.pk, actor=client.user)
    html = client.get("/sales/deals/", {"status": "won"}).content.decode()
    assert "Alfa" in html and "Beta" not in html
    html = client.get("/sales/deals/", {"q": "bet"}).content.decode()
    assert "Beta" in html and "Alfa" not in html


def test_someone_elses_deal_is_not_found(client_as, world):
    client = client_as("sales", "s")
    theirs = services.create_deal(data={"title": "Hemmelig", "party_id": world.person.pk},
                                  actor=world.other_seller)
    assert client.get(f"/sales/deals/{theirs.pk}/").status_code == 404
    assert client.post(f"/sales/deals/{theirs.pk}/move/", {"stage_id": world.stages[1].pk}).status_code == 404
    assert "Hemmelig" not in client.get("/sales/").content.decode()
    assert "Hemmelig" in client_as("administrator", "a").get("/sales/").content.decode()


def test_dashboard_lists_my_tasks_today_and_overdue_and_completes_them(client_as, world):
    client = client_as("sales", "s")
    now = timezone.localtime()
    today = services.create_task(data={"title": "I dag", "due_at": now.replace(hour=23, minute=0)},
                                 actor=client.user)
    late = services.create_task(data={"title": "Forsinket", "due_at": now - dt.timedelta(days=2)},
                                actor=client.user)
    services.create_task(data={"title": "Neste uke", "due_at": now + dt.timedelta(days=7)}, actor=client.user)
    html = client.get("/").content.decode()
    assert "My tasks" in html and "I dag" in html and "Forsinket" in html and "Neste uke" not in html
    res = client.post(f"/sales/tasks/{late.pk}/done/", {"next": "/"})
    assert res.status_code == 302 and res["Location"] == "/"
    assert Task.objects.get(pk=late.pk).completed_at is not None
    assert "Forsinket" not in client.get("/").content.decode()
    assert Task.objects.get(pk=today.pk).completed_at is None


def test_task_page_form_and_calendar_address(client_as, world):
    client = client_as("sales", "s")
    res = client.post("/sales/tasks/", {"title": "", "due_at": "", "priority": "normal"})
    assert res.status_code == 422
    res = client.post("/sales/tasks/", {"title": "Møte", "due_at": "2031-05-04T10:30", "priority": "high"})
    assert res.status_code == 302
    task = Task.objects.get()
    assert timezone.localtime(task.due_at).hour == 10 and task.priority == "high"
    client.post("/sales/calendar/rotate/")
    html = client.get("/sales/tasks/").content.decode()
    secret = client.user.calendar_feed.secret
    assert f"/sales/calendar/{secret}.ics" in html


def test_a_full_column_shows_the_first_cards_and_links_to_the_rest(client_as, world):
    from kundebase.sales.board import BOARD_LIMIT

    client = client_as("sales", "full-seller")
    for n in range(BOARD_LIMIT + 2):
        services.create_deal(data={"title": f"Mange {n:03d}", "party_id": world.person.pk, "amount": "10"},
                             actor=client.user)
    html = client.get("/sales/").content.decode()
    assert html.count('class="deal-card"') == BOARD_LIMIT
    assert f"({BOARD_LIMIT + 2})" in html  # the column's count covers every deal
    assert (f"/sales/deals/?status=open&amp;pipeline={world.pipeline.pk}&amp;stage={world.stages[0].pk}" in html
            and f"{BOARD_LIMIT + 2} in all: open the list" in html)
