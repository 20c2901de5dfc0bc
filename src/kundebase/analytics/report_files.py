"""A report as a downloadable file (CSV, XLSX or PDF): the same file from the report page and the API."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse

from kundebase.analytics import dashboard, exports, presentation, reports


def file_response(key: str, data: dict[str, Any], fmt: str) -> HttpResponse:
    """The report ``key`` with the viewer's ``data`` (already masked for them) as an attachment in ``fmt``."""
    headers, rows = presentation.table(key, data)
    title = str(reports.REPORTS[key].title)
    if fmt == "csv":
        body = exports.to_csv(headers, rows)
    elif fmt == "xlsx":
        body = exports.to_xlsx(title, headers, rows)
    else:
        body = exports.to_pdf(title, dashboard.summary_lines(key, data), headers, rows)
    response = HttpResponse(body, content_type=exports.EXPORT_FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="kundebase-{key}.{fmt}"'
    return response
