"""Target lists: a segment exported for letters, calls, a mailing house, e-mail or SMS.

The *use* decides both the channel whose consent rules apply and the fields
written — a mailing house gets names and postal addresses, never phone
numbers or customer history.  Every export is logged (an ``Export`` row and an
audit entry) with how many people were left out and why.
"""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from kundebase.core import audit, spreadsheet
from kundebase.core.errors import ErrorCollector
from kundebase.marketing import audience
from kundebase.marketing.models import Export, Segment
from kundebase.marketing.segments import get_segment
from kundebase.privacy import purposes

USES: dict[str, tuple[str, tuple[str, ...]]] = {
    "letter": ("post", ("customer_number", "name", "street", "postcode", "city", "country")),
    "mailing_house": ("post", ("name", "street", "postcode", "city", "country")),
    "call": ("phone", ("customer_number", "name", "phone", "language")),
    "email": ("email", ("customer_number", "name", "email", "language")),
    "sms": ("sms", ("name", "mobile")),
}
"""use → (channel, fields): only the fields the use needs."""
FORMATS = ("csv", "xlsx")
DEFAULT_PURPOSE = purposes.CAMPAIGN_DEFAULT


@dataclass
class ExportResult:
    export: Export
    path: Path
    rows: int
    excluded: dict[str, int]


def field_value(row: dict[str, Any], name: str) -> str:
    address = row.get("address")
    if name == "name":
        return row["display_name"] or ""
    if name == "language":
        return row["preferred_language"] or ""
    if name in ("street", "postcode", "city", "country"):
        return getattr(address, name, "") if address is not None else ""
    return str(row.get(name) or "")


def export_dir() -> Path:
    folder = Path(settings.MEDIA_ROOT) / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def export_segment(*, segment_id: int, use: str, file_format: str = "csv", purpose: str = DEFAULT_PURPOSE,
                   extra_fields: dict[str, Any] | None = None, actor: object = None,
                   channel: str = "api") -> ExportResult:
    """Write the target list and log it; people we may not contact are counted per reason, not written."""
    errors = ErrorCollector()
    if use not in USES:
        errors.add("use", _("Must be one of %(c)s") % {"c": ", ".join(USES)}, "invalid_choice")
    if file_format not in FORMATS:
        errors.add("format", _("Must be one of %(c)s") % {"c": ", ".join(FORMATS)}, "invalid_choice")
    purposes.require_defined(purpose, errors)
    errors.raise_if_any()
    segment = get_segment(segment_id)
    contact_channel, fields = USES[use]
    header = list(fields) + list(extra_fields or {})
    with transaction.atomic():
        export = Export.objects.create(segment=segment, purpose=use, channel=contact_channel, file_format=file_format,
                                       fields=header, created_by=getattr(actor, "username", "") or "")
        path = export_dir() / f"export-{export.pk}.{file_format}"
        writer = spreadsheet.TableWriter(file_format, header, path=path, delimiter=";", title="list")
        rows = 0
        excluded: dict[str, int] = {}
        try:
            for allowed, left_out in audience.chunks(segment, purpose=purpose, channel=contact_channel):
                for reason, n in left_out.items():
                    excluded[reason] = excluded.get(reason, 0) + n
                for row in allowed:
                    values = [field_value(row, f) for f in fields]
                    values += [str(fn(row)) for fn in (extra_fields or {}).values()]
                    writer.row(values)
                    rows += 1
        finally:
            writer.close()
        export.rows = rows
        export.excluded = excluded
        export.save(update_fields=["rows", "excluded"])
        audit.record(action="export", actor=actor, entity="segment", record_id=segment.pk, channel=channel,
                     fields=header, note=f"export {export.pk}: {rows} rows for {use}; "
                                         f"excluded {sum(excluded.values())}")
    return ExportResult(export=export, path=path, rows=rows, excluded=excluded)


def export_path(export: Export) -> Path:
    return export_dir() / f"export-{export.pk}.{export.file_format}"


def open_for(export: Export, user: object) -> BinaryIO:
    """The export's file as the user may download it: as written, or for the pseudonymised role a copy with
    every identifying column pseudonymised (``privacy.masking.mask_rows``), in the same format."""
    from kundebase.privacy.masking import is_pseudonymised, mask_rows

    path = export_path(export)
    if not is_pseudonymised(user):
        return path.open("rb")
    if export.file_format == "csv":
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle, delimiter=";")
            header = next(reader, [])
            rows = [dict(zip(header, map(spreadsheet.csv_text, row), strict=False)) for row in reader]
    else:
        from openpyxl import load_workbook

        sheet = load_workbook(path, read_only=True).active
        lines = [["" if v is None else str(v) for v in row]
                 for row in (sheet.iter_rows(values_only=True) if sheet is not None else ())]
        header, rows = (lines[0] if lines else []), [dict(zip(lines[0], row, strict=False)) for row in lines[1:]]
    masked = export_dir() / f"masked-{export.pk}-{uuid.uuid4().hex}.{export.file_format}"
    writer = spreadsheet.TableWriter(export.file_format, list(header), path=masked, delimiter=";", title="list")
    try:
        for row in mask_rows(rows, user):
            writer.row([str(row.get(column, "")) for column in header])
    finally:
        writer.close()
    data = masked.read_bytes()
    masked.unlink()
    return io.BytesIO(data)


def preview_counts(segment: Segment, *, use: str, purpose: str = DEFAULT_PURPOSE) -> dict[str, Any]:
    """How many would be exported and excluded, without writing a file (for the UI before exporting)."""
    contact_channel, _fields = USES[use]
    total = 0
    excluded: dict[str, int] = {}
    for allowed, left_out in audience.chunks(segment, purpose=purpose, channel=contact_channel):
        total += len(allowed)
        for reason, n in left_out.items():
            excluded[reason] = excluded.get(reason, 0) + n
    return {"rows": total, "excluded": excluded}
