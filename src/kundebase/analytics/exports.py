"""Report tables as CSV, XLSX (openpyxl) and PDF (reportlab) — all generated offline, in memory."""

from __future__ import annotations

import io
from typing import Any

from django.http import HttpResponse

from kundebase.core import spreadsheet

EXPORT_FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def _cell(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 4)
    return "" if value is None else value


def report_file(key: str, data: dict[str, Any], fmt: str) -> HttpResponse:
    """A report (as the viewer may see it) as a download in ``fmt`` — the report page's and the API's export."""
    from kundebase.analytics import dashboard, presentation, reports

    headers, rows = presentation.table(key, data)
    title = str(reports.REPORTS[key].title)
    if fmt == "csv":
        body = to_csv(headers, rows)
    elif fmt == "xlsx":
        body = to_xlsx(title, headers, rows)
    else:
        body = to_pdf(title, dashboard.summary_lines(key, data), headers, rows)
    response = HttpResponse(body, content_type=EXPORT_FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="kundebase-{key}.{fmt}"'
    return response


def to_csv(headers: list[str], rows: list[list[Any]]) -> bytes:
    """The table as CSV (UTF-8 with BOM); formula-like text is neutralised by the shared table writer."""
    return spreadsheet.table_bytes("csv", headers, ([_cell(v) for v in row] for row in rows))


def to_xlsx(title: str, headers: list[str], rows: list[list[Any]]) -> bytes:
    """The table as XLSX: text in string cells (never formulas), numbers in numeric cells."""
    return spreadsheet.table_bytes("xlsx", headers, ([_cell(v) for v in row] for row in rows), title=title or "Report")


def to_pdf(title: str, summary: list[tuple[str, str]], headers: list[str], rows: list[list[Any]]) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=landscape(A4), title=title)
    styles = getSampleStyleSheet()
    story: list[Any] = [Paragraph(title, styles["Title"])]
    for label, value in summary:
        story.append(Paragraph(f"<b>{_xml(label)}</b>: {_xml(value)}", styles["Normal"]))
    story.append(Spacer(1, 12))
    body = [[_xml(str(h)) for h in headers]] + [[_xml(str(_cell(v))) for v in row] for row in rows[:2000]]
    grid = Table(body, repeatRows=1)
    grid.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#1f4e79")),
                              ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
                              ("FONTSIZE", (0, 0), (-1, -1), 7),
                              ("GRID", (0, 0), (-1, -1), 0.25, colors.grey)]))
    story.append(grid)
    doc.build(story)
    return out.getvalue()


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
