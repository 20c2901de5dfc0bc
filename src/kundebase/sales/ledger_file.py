"""The receivables ledger from a file (CSV or XLSX), read by the importer's readers (format, encoding and
delimiter detection, the same size limits as every import) and written by :func:`credit.import_ledger` in one
transaction: a file with a bad row writes nothing. Every bad field is named like the API's (``rows[i].field``,
``i`` counting the invoices from 0) and its message starts with the row as the spreadsheet or text editor shows
it (the header is row 1)."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from kundebase.core.errors import ErrorCollector, FieldError, ValidationFailed
from kundebase.sales import credit

FORMATS = ("csv", "xlsx")
COLUMNS = ("customer_number", "party_id", "invoice_number", "issued_on", "due_on", "amount", "paid")
_ROW_FIELD = re.compile(r"^rows\[(\d+)\]\.(.+)$")


def _column(header: str) -> str:
    return header.strip().lower().replace(" ", "_").replace("-", "_")


def read_rows(path: Path, name: str = "") -> tuple[list[dict[str, Any]], list[int]]:
    """The file's rows as ledger rows, with each one's row number in the file; an unreadable file or row is
    refused naming it."""
    from kundebase.ingest import readers

    try:
        info, _sample = readers.sniff(path, name)
        if info.format not in FORMATS:
            raise ValidationFailed.one("file", _("Give a CSV or XLSX file"), "unsupported_format")
        rows: list[dict[str, Any]] = []
        numbers: list[int] = []
        errors = ErrorCollector()
        for line, raw in readers.open_rows(path, info):
            if "_error" in raw:
                errors.add("file", _("Row %(n)d cannot be read: %(e)s") % {"n": line + 1, "e": raw["_error"]},
                           "unreadable_row")
                continue
            row = {_column(k): v for k, v in raw.items() if not k.startswith("_")}
            rows.append({k: v for k, v in row.items() if k in COLUMNS})
            numbers.append(line + 1)  # the reader counts from the first row under the header
    except readers.UnreadableFile as exc:
        raise ValidationFailed.one("file", _("The file cannot be read: %(e)s") % {"e": exc}, "unreadable") from exc
    missing = [c for c in ("invoice_number", "issued_on", "amount") if rows and c not in rows[0]]
    if rows and "customer_number" not in rows[0] and "party_id" not in rows[0]:
        missing.insert(0, "customer_number")
    if missing:
        errors.add("file", _("Columns missing: %(c)s") % {"c": ", ".join(missing)}, "missing_columns")
    if not rows and not errors:
        errors.add("file", _("The file holds no invoices"), "empty")
    errors.raise_if_any()
    return rows, numbers


def _by_row(errors: Iterable[FieldError], numbers: list[int]) -> list[FieldError]:
    out = []
    for err in errors:
        found = _ROW_FIELD.match(err.field)
        if found and int(found.group(1)) < len(numbers):
            line = numbers[int(found.group(1))]
            message = _("Row %(n)d: %(m)s") % {"n": line, "m": err.message}
            out.append(FieldError(err.field, message, err.code))
        else:
            out.append(err)
    return out


def import_file(path: Path, *, name: str = "", source: str = "") -> dict[str, int]:
    """Import a ledger file: all of it or, when any row is bad, nothing (every bad field named, with its row)."""
    rows, numbers = read_rows(path, name)
    try:
        return credit.import_ledger(rows, source=source or name or path.name)
    except ValidationFailed as exc:
        raise ValidationFailed(_by_row(exc.errors, numbers)) from exc


def import_upload(upload: Any, *, source: str = "") -> dict[str, int]:
    """An uploaded file (web form or API), kept on disk only while it is read; one over the import size limit
    is refused before it is read."""
    from kundebase.ingest import limits

    try:
        limits.check_size(int(getattr(upload, "size", 0) or 0))
    except limits.LimitExceeded as exc:
        raise ValidationFailed.one("file", str(exc), "too_large") from exc
    suffix = Path(str(getattr(upload, "name", "") or "")).suffix[:10]
    with tempfile.NamedTemporaryFile(suffix=suffix) as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
        handle.flush()
        return import_file(Path(handle.name), name=str(upload.name or ""), source=source or str(upload.name or ""))

