"""Data subject requests: the one-month clock and the outcome of every access, erasure and restriction."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from kundebase.privacy.models import DataSubjectRequest

RESPONSE_DAYS = 30
"""GDPR Art. 12(3): without undue delay and at the latest within one month of receipt."""


def due_date(received: dt.datetime) -> dt.datetime:
    """One calendar month after receipt (the last day of the next month when that day does not exist)."""
    month = received.month % 12 + 1
    year = received.year + (received.month == 12)
    for day in (received.day, 30, 29, 28):
        try:
            return received.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    return received + dt.timedelta(days=RESPONSE_DAYS)


def open_request(*, kind: str, party_id: int, actor: object = None, requested_by: str = "") -> DataSubjectRequest:
    now = timezone.now()
    return DataSubjectRequest.objects.create(
        kind=kind, party_id_at_request=party_id, received_at=now, due_at=due_date(now),
        requested_by=(requested_by or "")[:150], handled_by=(getattr(actor, "username", "") or str(actor or ""))[:150])


def close_request(request: DataSubjectRequest, outcome: str, status: str = DataSubjectRequest.Status.DONE) -> None:
    request.status = status
    request.completed_at = timezone.now()
    request.outcome = outcome
    request.save(update_fields=["status", "completed_at", "outcome"])
