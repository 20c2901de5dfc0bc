"""The pseudonymised analyst: target-list downloads (CSV and XLSX, API and page) and provenance show pseudonyms in
place of names and contact details, and people cannot be looked up or searched by their identifiers."""

from __future__ import annotations

import csv
from io import BytesIO, StringIO
from typing import Any

import pytest

from kundebase.marketing import exports, segments
from kundebase.privacy import consent
from kundebase.privacy.masking import pseudonym

pytestmark = pytest.mark.django_db


@pytest.fixture
def listed(make_person: Any) -> Any:

    person = make_person("Zelmira", "Quorvath", email="zq@example.org", phone="+4741987653", street="Kvernveien 7")
    consent.record(party_id=person.pk, purpose="direct_marketing", channel="phone", status="granted")
    segment = segments.create_segment(data={"name": "All", "kind": "static",
                                            "rule": {"attr": "kind", "op": "eq", "value": "person"}})
    return person, segment


def _body(res: Any) -> bytes:
    return b"".join(res.streaming_content)


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_analyst_downloads_a_pseudonymised_target_list(api_as, listed, file_format) -> None:
    person, segment = listed
    export = exports.export_segment(segment_id=segment.pk, use="call", file_format=file_format).export
    analyst, marketer = api_as("analyst"), api_as("marketing")
    raw = _body(marketer.get(f"/api/v1/exports/{export.pk}/file"))
    masked = _body(analyst.get(f"/api/v1/exports/{export.pk}/file"))
    if file_format == "csv":
        rows = list(csv.DictReader(StringIO(masked.decode("utf-8-sig")), delimiter=";"))
        assert b"Quorvath" in raw and b"41987653" in raw
    else:
        from openpyxl import load_workbook

        sheet = load_workbook(BytesIO(masked)).active
        lines = [[c or "" for c in row] for row in sheet.iter_rows(values_only=True)]
        rows = [dict(zip(lines[0], line, strict=True)) for line in lines[1:]]
    assert len(rows) == 1
    assert rows[0]["name"] == pseudonym("name", "Zelmira Quorvath")
    assert rows[0]["phone"] == pseudonym("phone", "+4741987653")
    assert b"Quorvath" not in masked and b"41987653" not in masked
    analyst.client.force_login(analyst.user)
    page = _body(analyst.client.get(f"/marketing/exports/{export.pk}/file"))
    assert b"Quorvath" not in page and b"41987653" not in page


def test_analyst_sees_pseudonyms_in_provenance(api_as, listed) -> None:
    person, _segment = listed
    body = api_as("analyst").get(f"/api/v1/provenance/person/{person.pk}").content.decode()
    assert "Quorvath" not in body and "zq@example.org" not in body and "41987653" not in body
    assert pseudonym("family_name", "Quorvath") in body
    assert "Quorvath" in api_as("sales").get(f"/api/v1/provenance/person/{person.pk}").content.decode()


@pytest.mark.parametrize("path", ["/api/v1/search?q=Quorvath", "/api/v1/lookup?q=zq@example.org",
                                  "/api/v1/lookup?q=41987653", "/api/v1/search?q=nobody-by-this-name"])
def test_analyst_cannot_look_people_up_by_identifiers(api_as, listed, path) -> None:
    res = api_as("analyst").get(path)
    assert res.status_code == 403
    assert res["Content-Type"].startswith("application/problem+json")
    assert "pseudonymised" in res.json()["detail"]
    assert api_as("sales").get(path).status_code == 200


def test_the_analyst_reads_no_words_written_about_a_customer(api_as, listed) -> None:
    """Notes and subjects name people and quote them: the analyst sees that an interaction happened, not what
    was written, in the list and one by one."""
    person, _segment = listed
    note = api_as("sales").post("/api/v1/interactions", {
        "party_id": person.pk, "kind": "call", "subject": "Zelmira Quorvath rang about her order",
        "body": "Call back Zelmira on 419 87 653", "outcome": "Quorvath satisfied"})
    assert note.status_code == 201, note.content
    analyst = api_as("analyst")
    listed_items = analyst.get("/api/v1/interactions", party_id=person.pk)
    one = analyst.get(f"/api/v1/interactions/{note.json()['id']}")
    for res in (listed_items, one):
        assert res.status_code == 200
        assert b"Zelmira" not in res.content and b"Quorvath" not in res.content and b"419 87" not in res.content
    assert one.json()["kind"] == "call" and one.json()["subject"] == "•••"
    assert b"Zelmira" in api_as("service").get(f"/api/v1/interactions/{note.json()['id']}").content
