"""An integration's day over real HTTP with a token: find, read, edit, report, segment, export, campaign,
loyalty, duplicates, merge and the data subject's rights — against `kundebase serve` in each mode."""

from __future__ import annotations

from typing import Any

import pytest

from tests.journeys.conftest import Api
from tests.journeys.server import Server

pytestmark = [pytest.mark.journey, pytest.mark.slow]


def first_person(api: Api, **filters: Any) -> dict[str, Any]:
    items = api.get("/persons", params={"limit": 50, **filters}).json()["items"]
    people = [p for p in items if p["contact_points"] and p["addresses"]]
    assert people, "the demo data holds persons with contact points and addresses"
    return people[0]


def test_find_read_and_edit_a_customer(api: Api) -> None:
    person = first_person(api)
    found = api.get("/search", params={"q": person["family_name"]}).json()["items"]
    assert person["id"] in [hit["id"] for hit in found]
    email = next(cp["value"] for cp in person["contact_points"] if cp["kind"] == "email")
    assert [hit["id"] for hit in api.get("/lookup", params={"q": email.upper()}).json()["items"]][:1] == [
        person["id"]]
    # One letter wrong in the family name still finds the customer.
    name = person["family_name"]
    typo = name[:-2] + name[-1] + name[-2] if len(name) > 3 else name + "x"
    hits = api.get("/search", params={"q": f"{person['given_name']} {typo}"}).json()["items"]
    assert person["id"] in [hit["id"] for hit in hits], f"a typo ({typo}) loses {name}"

    # The customer 360 as an integration assembles it.
    res = api.get(f"/persons/{person['id']}")
    etag = res.headers["ETag"]
    api.get("/interactions", params={"party_id": person["id"]})
    api.get("/orders", params={"party_id": person["id"]})
    api.get(f"/analytics/customers/{person['id']}/key-figures")
    api.get(f"/provenance/person/{person['id']}")
    api.get("/privacy/consents", params={"party_id": person["id"]})
    company = api.get("/companies", params={"limit": 1}).json()["items"][0]
    api.get(f"/companies/{company['id']}/group")

    # Edit with the ETag; the stale ETag is refused afterwards and changes nothing.
    edited = api.patch(f"/persons/{person['id']}", {"given_name": "Journey"}, headers={"If-Match": etag}).json()
    assert edited["given_name"] == "Journey"
    api.patch(f"/persons/{person['id']}", {"given_name": "Stale"}, headers={"If-Match": etag}, expect=412)
    assert api.get(f"/persons/{person['id']}").json()["given_name"] == "Journey"
    api.post(f"/parties/{person['id']}/contact-points", {"kind": "phone", "value": "+47 22 33 44 55"}, expect=201)
    api.post("/interactions", {"party_id": person["id"], "kind": "call", "subject": "Journey call"}, expect=201)


def test_every_report_and_the_dashboard(api: Api) -> None:
    reports = api.get("/analytics/reports").json()
    assert len(reports) >= 6
    for report in reports:
        assert api.get(f"/analytics/reports/{report['key']}").json()
        for fmt in ("csv", "xlsx"):
            res = api.get(f"/analytics/reports/{report['key']}/export", params={"format": fmt})
            assert res.content, f"{report['key']} exported as {fmt} is empty"
    api.get("/analytics/dashboard")
    api.get("/analytics/text")
    api.get("/analytics/suggestions")
    api.get("/analytics/reports/no-such-report", expect=404)


def test_segment_and_its_exports(api: Api) -> None:
    api.get("/segments/language")
    rule = {"and": [{"attr": "country", "op": "in", "value": ["NO", "DK", "DE", "HU", "GB"]}]}
    count = api.post("/segments/count", {"rule": rule}).json()
    assert count["count"] > 0
    segment = api.post("/segments", {"name": "Journey: the whole of Europe", "rule": rule}, expect=201).json()
    api.get(f"/segments/{segment['id']}")
    api.get("/segments")
    static = api.post("/segments", {"name": "Journey: a list frozen today", "rule": rule, "kind": "static"},
                      expect=201).json()
    api.post(f"/segments/{static['id']}/snapshot")
    for use, fmt in (("email", "csv"), ("letter", "xlsx")):
        export = api.post(f"/segments/{segment['id']}/exports", {"use": use, "format": fmt}).json()
        api.get(f"/exports/{export['id']}")
        api.get(f"/exports/{export['id']}/file")


def test_a_campaign_with_the_default_purpose(api: Api) -> None:
    rule = {"and": [{"attr": "country", "op": "eq", "value": "NO"}]}
    segment = api.post("/segments", {"name": "Journey: Norway", "rule": rule}, expect=201).json()
    campaign = api.post("/campaigns", {"name": "Journey newsletter", "segment_id": segment["id"],
                                       "subject": "Hei {{ first_name }}", "body": "Nytt i butikken"},
                        expect=201).json()
    api.get(f"/campaigns/{campaign['id']}")


def test_a_customer_joins_the_loyalty_programme(api: Api) -> None:
    person = first_person(api, country="NO")
    member = api.post("/loyalty/members", {"party_id": person["id"], "consent": True}, expect=(200, 201)).json()
    assert member
    api.get(f"/loyalty/members/{person['id']}")


def test_duplicates_review_and_merge(api: Api, server: Server) -> None:
    server.cli("match", "run", "--full")
    pairs = api.get("/matching/review").json()["items"]
    assert len(pairs) >= 2, "the demo's duplicates are found and held for review"
    accepted = api.post(f"/matching/review/{pairs[0]['id']}/accept", {}).json()
    merge_id = accepted.get("merge_id") or accepted.get("id")
    if merge_id:
        api.get(f"/matching/merges/{merge_id}")
    api.post(f"/matching/review/{pairs[1]['id']}/reject", {})
    api.post("/matching/runs", {"mode": "incremental"}, expect=(200, 201, 202))


def test_merge_a_known_duplicate(api: Api, server: Server) -> None:
    truth = (server.folder / "demo_duplicates.csv").read_text().splitlines()[1:]
    original, duplicate = truth[-1].split(",")[:2]
    ids = []
    for number in (original, duplicate):
        hits = api.get("/lookup", params={"q": number}).json()["items"]
        assert hits, f"customer number {number} of the demo's ground truth is found"
        ids.append(hits[0]["id"])
    merge = api.post("/matching/merges", {"survivor_id": ids[0], "merged_id": ids[1]}).json()
    api.get(f"/matching/merges/{merge['id']}")
    assert api.get(f"/persons/{ids[1]}", expect=(200, 404, 410)).status_code != 200 or (
        api.get(f"/persons/{ids[1]}").json()["merged_into_id"] == ids[0])


def test_access_erasure_and_the_requests_list(api: Api) -> None:
    person = first_person(api, country="DK")
    report = api.post(f"/privacy/persons/{person['id']}/access", params={"format": "json"}).json()
    assert report
    api.post(f"/privacy/persons/{person['id']}/access", params={"format": "html"})
    api.post(f"/privacy/persons/{person['id']}/erasure", {"requested_by": "the person, by letter"})
    after = api.get(f"/persons/{person['id']}", expect=(200, 404, 410))
    if after.status_code == 200:
        assert person["family_name"] not in after.text
    assert api.get("/privacy/requests").json()["items"]
    # The erased person is suppressed: registering them again is refused, whatever the phone's spelling.
    email = next(cp["value"] for cp in person["contact_points"] if cp["kind"] == "email")
    again = api.post("/persons", {"given_name": person["given_name"], "family_name": person["family_name"],
                                  "contact_points": [{"kind": "email", "value": email.upper()}]}, expect=409)
    assert again.json()["code"] == "suppressed"
    api.get("/privacy/audit/verify")
    api.get("/privacy/retention")
    api.get("/privacy/quarantine")


def customer_numbers(data: Any) -> set[str]:
    """Every ``customer_number`` anywhere in a report's JSON."""
    if isinstance(data, list):
        return set().union(*(customer_numbers(v) for v in data)) if data else set()
    if isinstance(data, dict):
        found = {str(data["customer_number"])} if data.get("customer_number") else set()
        return found.union(*(customer_numbers(v) for v in data.values()))
    return set()


def test_the_analyst_reads_reports_pseudonymised_and_may_not_write(server: Server, server_errors: Any,
                                                                    api: Api) -> None:
    analyst = Api(server, server.analyst_token, server_errors)
    for report in analyst.get("/analytics/reports").json():
        seen = analyst.get(f"/analytics/reports/{report['key']}").text
        real = customer_numbers(api.get(f"/analytics/reports/{report['key']}").json())
        shown = sorted(number for number in real if f'"{number}"' in seen)
        assert not shown, f"the analyst sees real customer numbers in {report['key']}: {shown[:5]}"
    analyst.get("/analytics/dashboard")
    analyst.post("/persons", {"given_name": "Not", "family_name": "Allowed"}, expect=403)
    analyst.http.close()
