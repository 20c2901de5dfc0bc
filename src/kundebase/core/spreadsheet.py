"""Tables written as CSV or XLSX files that people open in a spreadsheet — the one writer every export uses.

A cell whose text begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return is read by Excel, LibreOffice and Google Sheets as a formula
(``=1+HYPERLINK("http://evil", "click")``, ``@SUM(...)``, ``-2+3+cmd|...``),
whatever follows the first character — so a name or note typed by anyone
outside could run in the spreadsheet of whoever opens the export.  OWASP's
advice ("CSV Injection") is followed:

* CSV: such text is written with a leading apostrophe (``'=1+1``), which
  spreadsheets show as text and never evaluate.  The full-width look-alikes
  (``＝ ＋ － ＠``) are treated the same, since some spreadsheet locales fold
  them into their ASCII forms.  Numbers (``int``, ``float``, ``Decimal``) are
  written as numbers, so a negative amount stays a number.
* XLSX: every text is written as a string cell (``data_type 's'``, an inline
  string), which no spreadsheet evaluates, so the text is kept exactly as it
  is (a phone number ``+47 412 34 567`` stays that); numbers are numeric
  cells.  openpyxl would otherwise store any text starting with ``=`` as a
  real formula.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

FORMULA_STARTS = frozenset("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20")
"""First characters a spreadsheet may read as the start of a formula (ASCII and full-width forms)."""
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
"""Control characters an XLSX file cannot hold (openpyxl refuses them); they are dropped from text cells."""


def is_formula_like(text: str) -> bool:
    """Whether a spreadsheet could evaluate this text (after any leading spaces) as a formula."""
    if not text:
        return False
    if text[0] in FORMULA_STARTS:
        return True
    stripped = text.lstrip(" \u00a0\u3000")
    return bool(stripped) and stripped[0] in FORMULA_STARTS


def csv_cell(value: Any) -> Any:
    """A value made safe for a CSV cell: numbers stay numbers, formula-like text gets a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    text = str(value)
    # Text that itself begins with an apostrophe gets one too, so that reading the cell back is exact.
    return "'" + text if is_formula_like(text) or text.startswith("'") else text


def csv_text(cell: str) -> str:
    """The text a CSV cell written by :func:`csv_cell` stands for: its neutralising apostrophe taken off again,
    for code that reads an export back (a masked copy must pseudonymise ``+47…``, not ``'+47…``)."""
    if cell.startswith("'") and (is_formula_like(cell[1:]) or cell[1:].startswith("'")):
        return cell[1:]
    return cell


def xlsx_value(value: Any) -> tuple[Any, bool]:
    """``(value, is_text)`` for an XLSX cell: numbers and dates keep their type, everything else is text."""
    if value is None:
        return None, False
    if isinstance(value, bool):
        return value, False
    if isinstance(value, int | float | Decimal | dt.date | dt.datetime):
        return value, False
    return _XML_ILLEGAL.sub("", str(value)), True


def sheet_title(title: str) -> str:
    """A worksheet name Excel accepts: at most 31 characters, none of ``[]:*?/\\``."""
    safe = "".join(" " if ch in "[]:*?/\\" else ch for ch in title)[:31].strip()
    return safe or "Sheet"


class TableWriter:
    """Writes a header and rows to a CSV or XLSX file (or an open text handle for CSV), one row at a time.

    Memory stays flat for CSV; XLSX uses openpyxl's write-only workbook.  Every
    cell goes through :func:`csv_cell` or :func:`xlsx_value`, so no export can
    carry a formula.
    """

    def __init__(self, fmt: str, header: list[str], *, path: Path | None = None,
                 handle: IO[str] | io.TextIOBase | None = None,
                 delimiter: str = ",", title: str = "Sheet") -> None:
        if fmt not in ("csv", "xlsx"):
            raise ValueError(f"unknown table format {fmt}")
        self.fmt = fmt
        self.path = path
        self._own_handle = False
        if fmt == "csv":
            if handle is None:
                if path is None:
                    raise ValueError("a CSV table needs a path or a handle")
                handle = path.open("w", newline="", encoding="utf-8-sig")
                self._own_handle = True
            self.handle: IO[str] | io.TextIOBase = handle
            self._csv = csv.writer(handle, delimiter=delimiter)
        else:
            from openpyxl import Workbook

            self.book = Workbook(write_only=True)
            self.sheet = self.book.create_sheet(sheet_title(title))
        self.row(header)

    def row(self, values: list[Any]) -> None:
        if self.fmt == "csv":
            self._csv.writerow([csv_cell(v) for v in values])
            return
        from openpyxl.cell import WriteOnlyCell

        cells = []
        for raw in values:
            value, is_text = xlsx_value(raw)
            cell = WriteOnlyCell(self.sheet)
            if is_text:
                cell._value = value  # type: ignore[attr-defined]  # private slot: bypass openpyxl's guess, which makes text starting with "=" a formula
                cell.data_type = "s"
            else:
                cell.value = value
            cells.append(cell)
        self.sheet.append(cells)

    def rows(self, rows: Any) -> None:
        for values in rows:
            self.row(list(values))

    def close(self, target: Path | IO[bytes] | None = None) -> None:
        """Finish the file (XLSX is saved to ``target`` or the path given at the start)."""
        if self.fmt == "csv":
            if self._own_handle:
                self.handle.close()
            return
        destination = target if target is not None else self.path
        if destination is None:
            raise ValueError("an XLSX table needs a path at the start or a target at the close")
        self.book.save(destination)


def table_bytes(fmt: str, header: list[str], rows: Any, *, title: str = "Sheet", delimiter: str = ",") -> bytes:
    """A whole table as the bytes of a CSV (UTF-8 with BOM, for Excel) or XLSX file."""
    if fmt == "csv":
        buffer = io.StringIO()
        writer = TableWriter("csv", header, handle=buffer, delimiter=delimiter)
        writer.rows(rows)
        return ("\ufeff" + buffer.getvalue()).encode("utf-8")
    out = io.BytesIO()
    writer = TableWriter("xlsx", header, title=title)
    writer.rows(rows)
    writer.close(out)
    return out.getvalue()
