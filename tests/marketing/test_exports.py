"""Consent-aware target-list exports: only the fields the use needs, exclusions counted per reason, logged."""

from __future__ import annotations

import csv
import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from kundebase.core.models import AuditEntry
from kundebase.marketing import eligibility, exports, segments
from kundebase.marketing.models import Export
from kundebase.parties import services as parties
from kundebase.parties.models import Party
from kundebase.privacy import consent
from kundebase.privacy.models import OptOutEntry, Suppression

pytestmark = pytest.mark.django_db
ADDRESS = [{"street": "Storgata 1", "postcode": "0150", "city": "Oslo", "country": "NO"}]


def person(name: str, *, email: str | None = None, mobile: str | None = None, address: bool = True) -> int:
    cps = ([{"kind": "email", "value": email}] if email else []) + ([{"kind": "mobile", "value": mobile}]
                                                                   if mobile else [])
    return parties.create_person(data={"family_name": name, "given_name": "Test"}, contact_points=cps,
                                 addresses=ADDRESS if address else []).pk


@pytest.fixture
def crowd(purposes) -> dict[str, int]:
    ids = {
        "ok": person("Ok", email="ok@example.org", mobile="+4741000001"),
        "no_consent": person("Noconsent", email="nc@example.org", mobile="+4741000002"),
        "withdrawn": person("Withdrawn", email="wd@example.org", mobile="+4741000003"),
        "erased": person("Erased", email="er@example.org", mobile="+4741000004"),
        "restricted": person("Restricted", email="rs@example.org", mobile="+4741000005"),
        "merged": person("Merged", email="mg@example.org", mobile="+4741000006"),
        "suppressed": person("Suppressed", email="sp@example.org", mobile="+4741000007"),
        "registered": person("Registered", email="rg@example.org", mobile="+4741000008"),
        "customer_in_register": person("Customer", email="cu@example.org", mobile="+4741000009"),
        "no_email": person("Noemail", mobile="+4741000010", address=False),
    }
    for key in ids:
        if key != "no_consent":
            consent.record(party_id=ids[key], purpose="direct_marketing", channel="email", status="granted")
    consent.record(party_id=ids["withdrawn"], purpose="direct_marketing", channel="email", status="withdrawn")
    consent.record(party_id=ids["withdrawn"], purpose="direct_marketing", channel="phone", status="withdrawn")
    Party.objects.filter(pk=ids["erased"]).update(erased_at=timezone.now())
    Party.objects.filter(pk=ids["restricted"]).update(restricted_at=timezone.now())
    Suppression.objects.create(key_hash=eligibility.identity_key("sp@example.org"), kind="email")
    for number in ("+4741000008", "+4741000009"):
        OptOutEntry.objects.create(register="no_reservasjon", channel="phone",
                                   key_hash=eligibility.identity_key(number))
    from kundebase.orders import services as orders

    orders.create_order(party_id=ids["customer_in_register"], data={"ordered_at": timezone.now() - dt.timedelta(
        days=40)}, lines=[{"description": "x", "revenue": "10"}])
    return ids


def _static_segment(crowd: dict[str, int]) -> int:
    """Snapshot everyone, then merge one member away (as a later duplicate merge would)."""
    segment = segments.create_segment(data={"name": "All test people", "kind": "static",
                                            "rule": {"attr": "kind", "op": "eq", "value": "person"}})
    Party.objects.filter(pk=crowd["merged"]).update(merged_into_id=crowd["ok"])
    return segment.pk


def _rows(path) -> list[dict[str, str]]:
    return list(csv.DictReader(StringIO(path.read_text(encoding="utf-8-sig")), delimiter=";"))


def test_email_export_needs_granted_consent_and_counts_every_reason(crowd) -> None:
    segment_id = _static_segment(crowd)
    result = exports.export_segment(segment_id=segment_id, use="email")
    rows = _rows(result.path)
    assert [r["name"] for r in rows] == ["Test Ok", "Test Registered", "Test Customer"]
    assert list(rows[0]) == ["customer_number", "name", "email", "language"]  # only what e-mail needs
    assert result.excluded == {"no_consent": 2, "erased": 1, "restricted": 1, "merged": 1, "suppressed": 1,
                               "no_contact_data": 1}
    export = Export.objects.get(pk=result.export.pk)
    assert export.rows == 3 and export.excluded == result.excluded
    entry = AuditEntry.objects.filter(action="export", entity="segment", record_id=segment_id).get()
    assert "3 rows" in entry.note


def test_phone_list_applies_the_register_with_the_existing_customer_exemption(crowd) -> None:
    segment_id = _static_segment(crowd)
    result = exports.export_segment(segment_id=segment_id, use="call", file_format="csv")
    names = {r["name"] for r in _rows(result.path)}
    assert "Test Customer" in names  # in the register, but an existing customer
    assert "Test Registered" not in names
    assert "Test Noconsent" in names  # phone marketing needs no prior consent, only no objection
    assert "Test Withdrawn" not in names
    assert result.excluded["opt_out_register"] == 1
    assert result.excluded["no_consent"] == 1
    assert set(_rows(result.path)[0]) == {"customer_number", "name", "phone", "language"}


def test_mailing_house_gets_addresses_only_as_xlsx(crowd) -> None:
    from openpyxl import load_workbook

    segment_id = _static_segment(crowd)
    result = exports.export_segment(segment_id=segment_id, use="mailing_house", file_format="xlsx")
    sheet = load_workbook(result.path).active
    header = [c.value for c in next(sheet.iter_rows())]
    assert header == ["name", "street", "postcode", "city", "country"]
    assert result.rows == sheet.max_row - 1 > 0


def test_formula_injection_is_neutralised(purposes) -> None:
    pid = parties.create_person(data={"family_name": "=HYPERLINK(\"http://evil\")"},
                                contact_points=[{"kind": "email", "value": "f@example.org"}]).pk
    consent.record(party_id=pid, purpose="direct_marketing", channel="email", status="granted")
    segment_id = segments.create_segment(data={"name": "f", "rule": {"attr": "kind", "op": "eq",
                                                                     "value": "person"}}).pk
    rows = _rows(exports.export_segment(segment_id=segment_id, use="email").path)
    assert rows[0]["name"].startswith("'")


@pytest.mark.parametrize("name", ["=1+HYPERLINK(\"http://evil\")", "+1+cmd|' /C calc'!A0", "-1+1", "@SUM(1)",
                                  "\t=1+1", "\uff1d1+1"])
def test_formula_injection_with_a_digit_second_is_neutralised_in_both_formats(purposes, name) -> None:
    from openpyxl import load_workbook

    pid = parties.create_person(data={"family_name": name},
                                contact_points=[{"kind": "email", "value": "f@example.org"},
                                                {"kind": "mobile", "value": "+4741000009"}]).pk
    consent.record(party_id=pid, purpose="direct_marketing", channel="email", status="granted")
    segment_id = segments.create_segment(data={"name": "f", "rule": {"attr": "kind", "op": "eq",
                                                                     "value": "person"}}).pk
    rows = _rows(exports.export_segment(segment_id=segment_id, use="email").path)
    assert rows[0]["name"] == "'" + Party.objects.get(pk=pid).display_name
    book = load_workbook(exports.export_segment(segment_id=segment_id, use="email", file_format="xlsx").path)
    cell = book.active.cell(row=2, column=2)
    assert cell.data_type == "s" and cell.value == Party.objects.get(pk=pid).display_name


def test_bad_export_requests(api, crowd) -> None:
    segment_id = _static_segment(crowd)
    bad = api.post(f"/api/v1/segments/{segment_id}/exports", {"use": "fax", "format": "pdf"})
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"use", "format"}
    assert api.post("/api/v1/segments/9999/exports", {"use": "email"}).status_code == 404
    assert not Export.objects.exists()
    ok = api.post(f"/api/v1/segments/{segment_id}/exports", {"use": "email"})
    assert ok.status_code == 201 and ok.json()["rows"] == 3
    download = api.get(ok.json()["download"])
    assert download.status_code == 200 and b"Test Ok" in b"".join(download.streaming_content)


def test_cli_export(crowd, tmp_path) -> None:
    segment_id = _static_segment(crowd)
    out = StringIO()
    target = tmp_path / "list.csv"
    call_command("segments", "export", str(segment_id), "--use", "letter", "--output", str(target), stdout=out)
    assert '"rows": ' in out.getvalue()
    assert _rows(target)[0]["postcode"] == "0150"
