"""The ledger from a file through the importer's readers: CSV (any delimiter, decimal comma) and XLSX (real
date and number cells), idempotent on invoice number, a bad row named with its row in the file and nothing
written; the same over the API (multipart), the upload page and the command line."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from kundebase.core.errors import ValidationFailed
from kundebase.sales import ledger_file
from kundebase.sales.models import Invoice

pytestmark = pytest.mark.django_db
HEADER = ["Customer number", "Invoice number", "Issued on", "Due on", "Amount", "Paid"]


def workbook(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def good_rows(world) -> list[list[object]]:
    number = world.company.customer_number
    return [[number, "X-1", dt.date(2030, 5, 1), dt.date(2030, 5, 31), 10000, 4000],
            [number, "X-2", dt.date(2030, 6, 1), dt.date(2030, 6, 20), 5000.5, None]]


def test_xlsx_is_imported_and_again_updates(world, tmp_path):
    path = tmp_path / "ledger.xlsx"
    path.write_bytes(workbook(good_rows(world)))
    assert ledger_file.import_file(path) == {"created": 2, "updated": 0}
    assert ledger_file.import_file(path) == {"created": 0, "updated": 2}
    got = {i.invoice_number: (i.issued_on, i.due_on, i.amount, i.paid) for i in Invoice.objects.all()}
    assert got == {"X-1": (dt.date(2030, 5, 1), dt.date(2030, 5, 31), Decimal("10000"), Decimal("4000")),
                   "X-2": (dt.date(2030, 6, 1), dt.date(2030, 6, 20), Decimal("5000.50"), Decimal("0"))}


def test_csv_with_semicolons_and_decimal_commas(world, tmp_path):
    path = tmp_path / "ledger.csv"
    path.write_text("customer_number;invoice_number;issued_on;due_on;amount;paid\n"
                    f"{world.company.customer_number};C-1;2030-01-01;2030-01-31;1 250,75;250\n", encoding="utf-8")
    assert ledger_file.import_file(path) == {"created": 1, "updated": 0}
    assert Invoice.objects.get().amount == Decimal("1250.75")


def test_bad_rows_are_named_with_their_row_and_nothing_is_written(world, tmp_path):
    rows = good_rows(world)
    rows.append([world.company.customer_number, "X-1", dt.date(2030, 6, 1), dt.date(2030, 6, 30), 10, 0])
    rows.append([world.company.customer_number, "X-4", dt.date(2030, 6, 1), dt.date(2030, 6, 30), "lots", 0])
    path = tmp_path / "ledger.xlsx"
    path.write_bytes(workbook(rows))
    with pytest.raises(ValidationFailed) as exc:
        ledger_file.import_file(path)
    named = {(e.field, e.code, e.message.split(":")[0]) for e in exc.value.errors}
    assert ("rows[2].invoice_number", "duplicate", "Row 4") in named  # the header is row 1
    assert ("rows[3].amount", "invalid_number", "Row 5") in named
    assert not Invoice.objects.exists()


def test_missing_columns_and_unreadable_files_are_refused(world, tmp_path):
    path = tmp_path / "ledger.csv"
    path.write_text("invoice_number;amount\nF-1;100\n", encoding="utf-8")
    with pytest.raises(ValidationFailed) as exc:
        ledger_file.import_file(path)
    assert exc.value.errors[0].field == "file" and "customer_number" in exc.value.errors[0].message
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(ValidationFailed) as exc:
        ledger_file.import_file(broken)
    assert exc.value.errors[0].code == "unreadable"


def test_upload_over_the_api_and_on_the_page(world, api, client_as):
    from django.core.files.uploadedfile import SimpleUploadedFile

    auth = {"HTTP_AUTHORIZATION": f"Bearer {api.token}"}
    ok = api.client.post("/api/v1/ledger/file", {"file": SimpleUploadedFile("l.xlsx", workbook(good_rows(world)))},
                         **auth)
    assert ok.status_code == 200 and ok.json() == {"created": 2, "updated": 0}
    bad = good_rows(world)
    bad[1][5] = 9999  # paid more than the invoice
    refused = api.client.post("/api/v1/ledger/file", {"file": SimpleUploadedFile("l.xlsx", workbook(bad))}, **auth)
    assert refused.status_code == 422 and refused["Content-Type"].startswith("application/problem+json")
    assert refused.json()["errors"][0]["field"] == "rows[1].paid"
    assert Invoice.objects.get(invoice_number="X-2").paid == 0

    admin = client_as("administrator", "boss")
    page = admin.post("/sales/ledger/", {"file": SimpleUploadedFile("l.xlsx", workbook(bad))})
    assert page.status_code == 422 and "Row 3: Payments of 9999.00 exceed" in page.content.decode()
    done = admin.post("/sales/ledger/", {"file": SimpleUploadedFile("l.xlsx", workbook(good_rows(world)))},
                      follow=True)
    assert "0 invoices created, 2 updated." in done.content.decode()
    assert client_as("sales", "sara").get("/sales/ledger/").status_code == 403


def test_command_line_reads_xlsx(world, tmp_path):
    path = tmp_path / "ledger.xlsx"
    path.write_bytes(workbook(good_rows(world)))
    out = io.StringIO()
    call_command("sales", "ledger", str(path), stdout=out)
    assert out.getvalue() == "2 invoices created, 0 updated\n"
    bad = good_rows(world)
    bad[0][2] = "first of May"
    path.write_bytes(workbook(bad))
    with pytest.raises(CommandError, match=r"rows\[0\]\.issued_on: Row 2: "):
        call_command("sales", "ledger", str(path), stdout=io.StringIO())


def test_a_party_id_no_record_can_have_is_named_not_a_crash(world, tmp_path):
    path = tmp_path / "ledger.csv"
    path.write_text("party_id;invoice_number;issued_on;amount\n" + "9" * 5000 + ";Z-1;2030-01-01;100\n"
                    "١٢;Z-2;2030-01-01;100\n", encoding="utf-8")
    with pytest.raises(ValidationFailed) as exc:
        ledger_file.import_file(path)
    assert [(e.field, e.code) for e in exc.value.errors] == [("rows[0].party_id", "not_found"),
                                                             ("rows[1].party_id", "not_found")]
