"""Saved views of the deal list: named filter sets per user, private or shared, on the page and over the API;
bad filters are named and nothing is saved."""

from __future__ import annotations

import pytest

from kundebase.core.errors import ValidationFailed
from kundebase.sales import deal_views, services
from kundebase.sales.models import SavedDealView
from tests.sales.conftest import later

pytestmark = pytest.mark.django_db


def _deals(user, person):
    made = {}
    for title in ("Tak Nord", "Tak Sør", "Vegg Vest"):
        made[title] = services.create_deal(data={"title": title, "party_id": person.pk,
                                                 "expected_close_on": later()}, actor=user)
    services.win_deal(deal_id=made["Tak Sør"].pk, actor=user)
    return made


def test_views_over_the_api_private_and_shared(api_as, world):
    selma, sigurd = api_as("sales", "view-selma"), api_as("sales", "view-sigurd")
    _deals(selma.user, world.person)
    _deals(sigurd.user, world.person)
    res = selma.post("/api/v1/deal-views", {"name": "Open roofs", "filters": {"status": "open", "q": "tak"}})
    assert res.status_code == 201, res.content
    private = res.json()
    assert private["filters"] == {"status": "open", "q": "tak"} and private["shared"] is False
    listed = selma.get("/api/v1/deals", view_id=private["id"]).json()["items"]
    assert [d["title"] for d in listed] == ["Tak Nord"]  # hers only, open, title contains "tak"

    assert sigurd.get("/api/v1/deal-views").json() == []
    assert sigurd.get("/api/v1/deals", view_id=private["id"]).status_code == 404  # a private view is not found
    shared = selma.post("/api/v1/deal-views", {"name": "All won", "filters": {"status": "won"},
                                                "shared": True}).json()
    assert [v["name"] for v in sigurd.get("/api/v1/deal-views").json()] == ["All won"]
    theirs = sigurd.get("/api/v1/deals", view_id=shared["id"]).json()["items"]
    assert [(d["title"], d["owner_id"]) for d in theirs] == [("Tak Sør", sigurd.user.pk)]  # still only his deals
    assert sigurd.delete(f"/api/v1/deal-views/{shared['id']}").status_code == 404  # not his to remove

    again = selma.post("/api/v1/deal-views", {"name": "Open roofs", "filters": {"status": "open"}}).json()
    assert again["id"] == private["id"] and again["filters"] == {"status": "open"}  # the same name replaces
    assert selma.delete(f"/api/v1/deal-views/{private['id']}").status_code == 204
    assert [v["name"] for v in selma.get("/api/v1/deal-views").json()] == ["All won"]
    paths = selma.get("/api/v1/openapi.json").json()["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/deal-views"]) and "delete" in paths["/api/v1/deal-views/{view_id}"]


@pytest.mark.parametrize(("name", "filters", "field", "code"), [
    ("", {}, "name", "required"),
    ("x" * 81, {}, "name", "too_long"),
    ("V", {"status": "maybe"}, "filters.status", "invalid_choice"),
    ("V", {"stage": "first"}, "filters.stage", "invalid"),
    ("V", {"colour": "red"}, "filters.colour", "unknown_filter"),
])
def test_bad_views_are_named_and_nothing_is_saved(world, name, filters, field, code):
    with pytest.raises(ValidationFailed) as exc:
        deal_views.save_view(actor=world.seller, name=name, filters=filters)
    assert (field, code) in [(e.field, e.code) for e in exc.value.errors]
    assert not SavedDealView.objects.exists()


def test_bad_view_over_the_api_is_a_problem(api, world):
    res = api.post("/api/v1/deal-views", {"name": "V", "filters": {"status": "maybe"}})
    assert res.status_code == 422 and res["Content-Type"].startswith("application/problem+json")
    assert [e["field"] for e in res.json()["errors"]] == ["filters.status"]


def test_save_use_and_remove_a_view_on_the_page(client_as, world):
    client = client_as("sales", "page-viewer")
    _deals(client.user, world.person)
    page = client.get("/sales/deals/", {"status": "open", "q": "vegg"}).content.decode()
    assert "Vegg Vest" in page and "Tak Nord" not in page and "Save these filters as" in page
    res = client.post("/sales/deals/views/", {"name": "Walls", "status": "open", "q": "vegg", "shared": "on"})
    view = SavedDealView.objects.get()
    assert res.status_code == 302 and res["Location"] == f"/sales/deals/?view={view.pk}"
    assert (view.filters, view.shared, view.owner_id) == ({"status": "open", "q": "vegg"}, True, client.user.pk)
    page = client.get(res["Location"]).content.decode()
    assert "Vegg Vest" in page and "Tak Nord" not in page and 'aria-current="page">Walls<' in page
    other = client_as("sales", "page-other")
    assert "Walls" in other.get("/sales/deals/").content.decode()  # shared: offered to others
    bad = client.post("/sales/deals/views/", {"name": "", "status": "open"}, follow=True)
    assert bad.status_code == 200 and "Required" in bad.content.decode()
    client.post(f"/sales/deals/views/{view.pk}/delete/")
    assert not SavedDealView.objects.exists()
    assert client.get(f"/sales/deals/?view={view.pk}").status_code == 404
