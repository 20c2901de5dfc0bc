"""The sales API over HTTP: CRUD, moves, win/lose, pipelines, rates, tasks; problem+json naming the field."""

from __future__ import annotations

import pytest

from tests.sales.conftest import later

pytestmark = pytest.mark.django_db


def problem(res, status: int) -> dict:
    assert res.status_code == status, res.content
    assert res["Content-Type"].startswith("application/problem+json")
    return res.json()


def test_deal_journey_over_the_api(api_as, world):
    api = api_as("sales", "api-seller")
    stages = api.get("/api/v1/pipelines").json()[0]["stages"]
    assert [s["probability"] for s in stages] == [10, 25, 50, 75]
    res = api.post("/api/v1/deals", {"title": "Lisens", "party_id": world.company.pk, "amount": "5000",
                                     "contact_person_id": world.contact.pk, "expected_close_on": later()})
    assert res.status_code == 201, res.content
    deal = res.json()
    assert deal["stage_id"] == stages[0]["id"] and deal["owner_id"] == api.user.pk and deal["probability"] == 10
    moved = api.post(f"/api/v1/deals/{deal['id']}/move", {"stage_id": stages[2]["id"]}).json()
    assert moved["stage_id"] == stages[2]["id"] and moved["probability"] == 50 and len(moved["history"]) == 2
    patched = api.patch(f"/api/v1/deals/{deal['id']}", {"amount": "7000", "probability": 60}).json()
    assert patched["amount"] == "7000.00" and patched["weighted_amount"] == "4200.00"
    won = api.post(f"/api/v1/deals/{deal['id']}/win", {"note": "Signert"}).json()
    assert won["status"] == "won" and won["history"][-1]["status"] == "won"
    body = problem(api.post(f"/api/v1/deals/{deal['id']}/lose", {"reason": "price"}), 409)
    assert body["code"] == "deal_closed"
    listed = api.get("/api/v1/deals", status="won").json()
    assert [d["id"] for d in listed["items"]] == [deal["id"]]


@pytest.mark.parametrize(("body", "field", "code"), [
    ({"currency": "EUR"}, "currency", "no_exchange_rate"),
    ({"expected_close_on": "2001-01-01"}, "expected_close_on", "past_date"),
    ({"party_id": 999999}, "party_id", "not_found"),
    ({"probability": 101}, "probability", "out_of_range"),
    ({"amount": "-1"}, "amount", "invalid"),
])
def test_bad_deals_are_problems_naming_the_field(api, world, body, field, code):
    payload = {"title": "X", "party_id": world.person.pk, **body}
    data = problem(api.post("/api/v1/deals", payload), 422)
    assert {"field": field, "code": code} in [{"field": e["field"], "code": e["code"]} for e in data["errors"]]
    assert api.get("/api/v1/deals").json()["items"] == []


def test_stage_of_another_pipeline_over_the_api(api, world):
    res = api.post("/api/v1/pipelines", {"name": "Partner", "stages": [{"name": "Intro", "probability": 5}]})
    assert res.status_code == 201, res.content
    foreign = res.json()["stages"][0]["id"]
    deal = api.post("/api/v1/deals", {"title": "X", "party_id": world.person.pk}).json()
    data = problem(api.post(f"/api/v1/deals/{deal['id']}/move", {"stage_id": foreign}), 422)
    assert data["errors"][0]["field"] == "stage_id" and data["errors"][0]["code"] == "wrong_pipeline"
    stage = api.post(f"/api/v1/pipelines/{res.json()['id']}/stages",
                     {"name": "Avtale", "probability": 90}).json()
    assert stage["position"] == 2


def test_exchange_rates_over_the_api(api, world):
    assert api.put("/api/v1/exchange-rates/EUR", {"rate": "11.40"}).status_code == 200
    assert api.get("/api/v1/exchange-rates").json()[0]["currency"] == "EUR"
    deal = api.post("/api/v1/deals", {"title": "X", "party_id": world.person.pk, "currency": "EUR",
                                      "amount": "10"}).json()
    assert deal["amount_base"] == "114.00"
    assert problem(api.put("/api/v1/exchange-rates/NOK", {"rate": "1"}), 422)["errors"][0]["field"] == "currency"


def test_salesperson_is_limited_to_own_deals_and_tasks(api_as, world):
    mine, theirs = api_as("sales", "s1"), api_as("sales", "s2")
    admin = api_as("administrator", "boss")
    deal = theirs.post("/api/v1/deals", {"title": "Theirs", "party_id": world.person.pk}).json()
    task = theirs.post("/api/v1/tasks", {"title": "T", "due_at": later() + "T10:00:00"}).json()
    assert mine.get("/api/v1/deals").json()["items"] == []
    for res in (mine.get(f"/api/v1/deals/{deal['id']}"), mine.patch(f"/api/v1/deals/{deal['id']}", {"title": "y"}),
                mine.post(f"/api/v1/deals/{deal['id']}/win", {}), mine.get(f"/api/v1/tasks/{task['id']}"),
                mine.patch(f"/api/v1/tasks/{task['id']}", {"done": True})):
        problem(res, 404)
    assert [d["id"] for d in admin.get("/api/v1/deals").json()["items"]] == [deal["id"]]
    assert admin.patch(f"/api/v1/tasks/{task['id']}", {"done": True}).json()["completed_at"]
    problem(mine.post("/api/v1/pipelines", {"name": "Mine", "stages": [{"name": "A", "probability": 1}]}), 403)
    problem(api_as("marketing", "m").get("/api/v1/deals"), 403)


def test_tasks_over_the_api(api, world):
    res = api.post("/api/v1/tasks", {"title": "Ring", "due_at": later() + "T09:30:00", "party_id": world.person.pk})
    assert res.status_code == 201, res.content
    task = res.json()
    assert task["priority"] == "normal" and task["assigned_to_id"] == api.user.pk
    assert api.get("/api/v1/tasks", open=True).json()["items"][0]["id"] == task["id"]
    done = api.patch(f"/api/v1/tasks/{task['id']}", {"done": True}).json()
    assert done["completed_at"] is not None
    assert api.get("/api/v1/tasks", open=True).json()["items"] == []
    data = problem(api.post("/api/v1/tasks", {"title": "x", "due_at": later() + "T09:00:00", "priority": "asap"}),
                   422)
    assert data["errors"][0]["field"] == "priority"


def test_sales_routes_are_in_the_openapi_schema(api):
    paths = api.get("/api/v1/openapi.json").json()["paths"]
    for path in ("/api/v1/deals", "/api/v1/deals/{deal_id}/move", "/api/v1/deals/{deal_id}/win",
                 "/api/v1/deals/{deal_id}/lose", "/api/v1/pipelines", "/api/v1/pipelines/{pipeline_id}/stages",
                 "/api/v1/tasks", "/api/v1/tasks/{task_id}", "/api/v1/exchange-rates/{currency}"):
        assert path in paths, path
