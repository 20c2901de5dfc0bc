"""Bulk imports hold back rows with special-category text instead of storing them silently.

The import code calls ``screen_row`` on the free-text columns of each row; when it returns findings it calls
``hold`` and skips the row.  A reviewer then releases the row (the import writes it with the recorded reason)
or rejects it (its data is blanked, only the reason stays).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kundebase.core.errors import Conflict, NotFound, ValidationFailed
from kundebase.privacy import audit
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


@transaction.atomic
def hold(*, source: str, row: dict[str, Any], findings: dict[str, list[Finding]], source_row: str = "",
         actor: object = None) -> Quarantine:
    """Keep the row for review; the reason names the columns and categories (not the words)."""
    if not source:
        raise ValidationFailed.one("source", _("Name the import the row came from"), "required")
    if len(str(row)) > MAX_ROW_CHARS:
        raise ValidationFailed.one("row_data", _("The row is too large to quarantine"), "too_long")
    cats = sorted({f.category for found in findings.values() for f in found})
    reason = "; ".join(f"{column}: {', '.join(CATEGORIES[c] for c in categories(found))}"
                       for column, found in findings.items()) or _("flagged by the importer")
    item = Quarantine.objects.create(source=source[:200], source_row=str(source_row)[:60],
                                     row_data={str(k): (v if isinstance(v, (str, int, float, bool)) or v is None
                                                        else str(v)) for k, v in row.items()},
                                     reason=reason, categories=cats)
    audit.record(action="create", actor=actor, entity="quarantine", record_id=item.pk, channel="import",
                 fields=sorted(findings), note=f"quarantined ({', '.join(cats)}) from {source[:100]}")
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
