"""Segments through the API, the CLI and the builder's count endpoint: counts, saving, and errors with paths."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db

WOMEN = {"attr": "gender", "op": "eq", "value": "female"}


@pytest.fixture
def people(db: object) -> list[int]:
    from kundebase.parties import services

    return [services.create_person(data={"family_name": f"P{i}", "gender": g}).pk
            for i, g in enumerate(["female", "female", "male"])]


def test_count_and_save(api, people) -> None:
    assert api.post("/api/v1/segments/count", {"rule": WOMEN}).json() == {"count": 2}
    created = api.post("/api/v1/segments", {"name": "Women", "rule": WOMEN})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["count"] == 2 and body["kind"] == "dynamic"
    changed = api.patch(f"/api/v1/segments/{body['id']}", {"rule": {"not": WOMEN}})
    assert changed.json()["count"] == 1
    static = api.post("/api/v1/segments", {"name": "Snapshot", "rule": WOMEN, "kind": "static"}).json()
    assert static["count"] == 2 and static["snapshot_at"]
    assert api.delete(f"/api/v1/segments/{body['id']}").status_code == 204


@pytest.mark.parametrize("rule, path, code", [
    ({"and": [WOMEN, WOMEN, {"attr": "age", "op": "gt", "value": "old"}]}, "rule.and[2].value", "invalid_type"),
    ({"and": [{"attr": "shoe", "op": "eq", "value": 1}]}, "rule.and[0].attr", "unknown_attribute"),
    ({"or": [WOMEN, {"attr": "age", "op": "like", "value": 1}]}, "rule.or[1].op", "unknown_operator"),
    ({"not": {"attr": "age", "op": "between", "value": [50, 30]}}, "rule.not.value", "invalid_range"),
    ({"attr": "postcode", "op": "in", "value": ["0150", 5]}, "rule.value[1]", "invalid_type"),
    ({"attr": "gender", "op": "eq", "value": "female", "colour": "red"}, "rule.colour", "unknown_key"),
    ({"and": []}, "rule.and", "invalid_type"),
    ({"and": [WOMEN], "or": [WOMEN]}, "rule", "ambiguous"),
    ([1, 2], "rule", "invalid_type"),
    ({"attr": "gender", "op": "is_empty", "value": 3}, "rule.value", "unexpected_value"),
    ({"attr": "orders.count", "op": "gte", "value": 1, "window": {"days": -1}}, "rule.window.days", "invalid_type"),
    ({"attr": "consent", "op": "granted", "purpose": "nope", "channel": "fax"}, "rule.purpose", "not_found"),
    ({"attr": "birthday", "op": "month", "value": 13}, "rule.value", "invalid_type"),
])
def test_bad_rules_are_422_problems_naming_the_path(api, rule, path, code) -> None:
    response = api.post("/api/v1/segments/count", {"rule": rule})
    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/problem+json")
    errors = response.json()["errors"]
    assert {"field": path, "code": code} in [{"field": e["field"], "code": e["code"]} for e in errors], errors


def test_deep_or_huge_rules_are_refused(api) -> None:
    deep: dict = WOMEN
    for _ in range(20):
        deep = {"not": deep}
    assert api.post("/api/v1/segments/count", {"rule": deep}).json()["errors"][0]["code"] == "too_deep"
    wide = {"or": [WOMEN] * 400}
    assert api.post("/api/v1/segments/count", {"rule": wide}).json()["errors"][0]["code"] == "too_large"
    huge = {"attr": "postcode", "op": "in", "value": ["x" * 100] * 900}
    assert api.post("/api/v1/segments/count", {"rule": huge}).status_code == 422


def test_a_segment_needs_a_valid_name_and_rule(api) -> None:
    response = api.post("/api/v1/segments", {"name": "", "rule": {"attr": "nope"}, "kind": "weird"})
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"name", "kind"} <= fields
    from kundebase.marketing.models import Segment

    assert not Segment.objects.exists()


def test_permissions(api_as, people) -> None:
    service = api_as("service")
    assert service.post("/api/v1/segments/count", {"rule": WOMEN}).status_code == 403
    analyst = api_as("analyst")
    assert analyst.post("/api/v1/segments/count", {"rule": WOMEN}).status_code == 200
    assert analyst.post("/api/v1/segments", {"name": "x", "rule": WOMEN}).status_code == 403


def test_language_description_lists_every_attribute(api) -> None:
    body = api.get("/api/v1/segments/language").json()
    names = {a["name"] for a in body["attributes"]}
    assert {"age", "birthday", "distance", "consent", "orders.days_since_last", "campaign", "segment"} <= names


def test_cli_count_and_errors(people) -> None:
    out = StringIO()
    call_command("segments", "count", json.dumps(WOMEN), stdout=out)
    assert out.getvalue().strip() == "2"
    with pytest.raises(CommandError, match=r"rule\.op"):
        call_command("segments", "count", json.dumps({"attr": "age", "op": "near", "value": 1}))
    with pytest.raises(CommandError, match="JSON"):
        call_command("segments", "count", "{not json")


def test_builder_page_and_live_count(client, make_user, people) -> None:
    user = make_user("mia", "marketing")
    client.force_login(user)
    page = client.get("/marketing/segments/new")
    assert page.status_code == 200 and b"segment_builder.js" in page.content
    counted = client.post("/marketing/segments/count", data=json.dumps({"rule": WOMEN}),
                          content_type="application/json")
    assert counted.json() == {"count": 2}
    bad = client.post("/marketing/segments/count", data=json.dumps({"rule": {"attr": "x"}}),
                      content_type="application/json")
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "rule.attr"
    saved = client.post("/marketing/segments/new", {"name": "Women", "kind": "dynamic", "rule": json.dumps(WOMEN)})
    assert saved.status_code == 302
    invalid = client.post("/marketing/segments/new", {"name": "", "kind": "dynamic", "rule": "{}"})
    assert invalid.status_code == 422


def test_pages_refuse_without_permission(client, make_user) -> None:
    client.force_login(make_user("sam", "service"))
    assert client.get("/marketing/segments/").status_code == 403
    assert client.post("/marketing/segments/count", data="{}", content_type="application/json").status_code == 403
    client.logout()
    res = client.get("/marketing/campaigns/")  # not signed in: sent to sign in first
    assert res.status_code == 302 and res["Location"] == "/login/?next=/marketing/campaigns/"


def test_builder_refuses_a_rule_nested_too_deeply(client, make_user) -> None:
    """A rule nested deeper than the JSON parser recurses is an error beside the rule, never a server error."""
    client.force_login(make_user("mia", "marketing"))
    deep = '{"not":' * 5000 + "{}" + "}" * 5000
    page = client.post("/marketing/segments/new", {"name": "Deep", "kind": "dynamic", "rule": deep})
    assert page.status_code == 422 and "not valid JSON" in page.content.decode()
    counted = client.post("/marketing/segments/count", data='{"rule": ' + deep + "}",
                          content_type="application/json")
    assert counted.status_code == 422 and counted.json()["errors"][0]["field"] == "rule"
