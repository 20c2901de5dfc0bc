"""Bulk imports hold back rows with special-category text instead of storing them silently.

The import code calls ``flagged_columns`` on the free-text columns of each row; when it finds something it
calls ``hold_import_row`` and skips the row.  An import keeps none of the flagged text — not in the quarantine,
its error rows, its error file nor the audit log: they name the column and the category, and the reviewer goes
back to the source for the words.  ``hold`` keeps a whole row for a reviewer to read (for callers that must
show the text).  A reviewer then releases the row (with a recorded reason) or rejects it (its data is blanked,
only the reason stays).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kundebase.core import audit
from kundebase.core.errors import Conflict, NotFound, ValidationFailed
from kundebase.privacy.models import Quarantine
from kundebase.privacy.screen import CATEGORIES, Finding, categories, screen_text

MAX_ROW_CHARS = 200_000


def screen_row(row: dict[str, Any], columns: list[str] | None = None) -> dict[str, list[Finding]]:
    """``{column: findings}`` for the given (default: all) text columns of an import row; empty when clean."""
    out: dict[str, list[Finding]] = {}
    for column in columns or list(row):
        value = row.get(column)
        if isinstance(value, str) and value:
            found = screen_text(value)
            if found:
                out[column] = found
    return out


def flagged_columns(row: dict[str, Any]) -> dict[str, list[str]]:
    """``{column: [categories]}`` for the text cells of a row that look like special-category data."""
    return {column: categories(found) for column, found in screen_row(row).items()}


def redacted(row: dict[str, Any], columns: Iterable[str]) -> dict[str, Any]:
    """The row with the flagged columns emptied: what may be stored of it."""
    flagged = set(columns)
    return {str(k): "" if k in flagged else (v if isinstance(v, (str, int, float, bool)) or v is None else str(v))
            for k, v in row.items()}


@transaction.atomic
def hold(*, source: str, row: dict[str, Any], findings: dict[str, list[Finding]], source_row: str = "",
         actor: object = None) -> Quarantine:
    """Keep the whole row for a reviewer to read; the reason names the columns and categories (not the words).
    Rejecting it blanks the row.  Imports use :func:`hold_import_row`, which keeps none of the flagged text."""
    return _store(source=source, row=row, flagged={c: categories(f) for c, f in findings.items()},
                  source_row=source_row, actor=actor, kept=row)


@transaction.atomic
def hold_import_row(*, source: str, row: dict[str, Any], flagged: dict[str, list[str]], source_row: str = "",
                    actor: object = None) -> Quarantine:
    """Keep an imported row for review: its other cells, and per flagged column the categories (not the words)."""
    return _store(source=source, row=row, flagged=flagged, source_row=source_row, actor=actor,
                  kept=redacted(row, flagged))


def _store(*, source: str, row: dict[str, Any], flagged: dict[str, list[str]], source_row: str, actor: object,
           kept: dict[str, Any]) -> Quarantine:
    if not source:
        raise ValidationFailed.one("source", _("Name the import the row came from"), "required")
    if len(str(row)) > MAX_ROW_CHARS:
        raise ValidationFailed.one("row_data", _("The row is too large to quarantine"), "too_long")
    cats = sorted({c for found in flagged.values() for c in found})
    reason = "; ".join(f"{column}: {', '.join(CATEGORIES.get(c, c) for c in found)}"
                       for column, found in flagged.items()) or _("flagged by the importer")
    item = Quarantine.objects.create(source=source[:200], source_row=str(source_row)[:60],
                                     row_data=redacted(kept, ()), reason=reason, categories=cats)
    audit.record(action="create", actor=actor, entity="quarantine", record_id=item.pk, channel="import",
                 fields=sorted(flagged), note=f"quarantined ({', '.join(cats)}) from {source[:100]}")
    return item


@transaction.atomic
def review(*, quarantine_id: int, decision: str, note: str, actor: object = None, channel: str = "api") -> Quarantine:
    """Release or reject a quarantined row; a note (the recorded reason) is mandatory."""
    item = Quarantine.objects.select_for_update().filter(pk=quarantine_id).first()
    if item is None:
        raise NotFound(_("Quarantined row"), quarantine_id)
    if decision not in ("release", "reject"):
        raise ValidationFailed.one("decision", _("Must be release or reject"), "invalid_choice")
    if len((note or "").strip()) < 10:
        raise ValidationFailed.one("note", _("Explain the decision in at least 10 characters"), "too_short")
    if item.status != Quarantine.Status.PENDING:
        raise Conflict(_("This row was already reviewed"), code="already_reviewed")
    item.status = Quarantine.Status.RELEASED if decision == "release" else Quarantine.Status.REJECTED
    if decision == "reject":
        item.row_data = {}
    item.reviewed_at = timezone.now()
    item.reviewed_by = (getattr(actor, "username", "") or str(actor or ""))[:150]
    item.review_note = note.strip()[:2000]
    item.save()
    audit.record(action="change", actor=actor, entity="quarantine", record_id=item.pk, channel=channel,
                 fields=["status"], note=f"{decision}: {note.strip()}")
    return item
