"""Escalation: an open case whose answer is due is raised one priority, handed to the escalation owner and noted.

Run periodically by the worker (``service.tasks.escalate_cases``) and by ``kundebase cases escalate``.  It is
idempotent: a case is escalated once per due time (``escalated_at`` at or after ``due_at``), so running it again
changes nothing; a case the customer reopened gets a new due time and is escalated again only when that passes.
A case waiting for the customer (``pending``) or closed is never escalated.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from kundebase.core import audit
from kundebase.core.errors import DomainError
from kundebase.service.models import Case, Priority

log = logging.getLogger(__name__)

LADDER = [Priority.LOW, Priority.NORMAL, Priority.HIGH, Priority.URGENT]


def raised(priority: str) -> str:
    """The next priority up (urgent stays urgent)."""
    index = LADDER.index(Priority(priority)) if priority in Priority.values else 1
    return LADDER[min(index + 1, len(LADDER) - 1)]


def escalation_owner() -> Any:
    """The active user named by ``KUNDEBASE_ESCALATE_TO``, or ``None`` (then the assignee is kept)."""
    name = settings.KUNDEBASE_ESCALATE_TO
    if not name:
        return None
    user = get_user_model().objects.filter(username=name, is_active=True).first()
    if user is None:
        log.error("KUNDEBASE_ESCALATE_TO names %r, who is no active user: cases are escalated unassigned", name)
    return user


def due_for_escalation(now: dt.datetime) -> QuerySet[Case]:
    """Open cases past their due time that were not escalated since that due time."""
    return (Case.objects.filter(status=Case.Status.OPEN, due_at__lte=now)
            .filter(Q(escalated_at__isnull=True) | Q(escalated_at__lt=F("due_at"))))


def escalate_due(*, now: dt.datetime | None = None) -> list[int]:
    """Escalate every case due now, each in its own transaction; returns the ids escalated."""
    now = now or timezone.now()
    owner = escalation_owner()
    done = []
    for case_id in list(due_for_escalation(now).order_by("due_at", "id").values_list("pk", flat=True)):
        try:
            if _escalate_one(case_id, now, owner):
                done.append(case_id)
        except DomainError:  # e.g. the customer was erased meanwhile: the next run tries again
            log.exception("case %s could not be escalated", case_id)
    return done


@transaction.atomic
def _escalate_one(case_id: int, now: dt.datetime, owner: Any) -> bool:
    case = due_for_escalation(now).select_for_update().filter(pk=case_id).first()
    if case is None:
        return False  # answered, closed or escalated by another run meanwhile
    before = case.priority
    case.priority = raised(case.priority)
    if owner is not None:
        case.assigned_to = owner
    case.escalated_at = now
    case.save(update_fields=["priority", "assigned_to", "escalated_at", "updated_at"])
    due = formats.date_format(timezone.localtime(case.due_at), "DATETIME_FORMAT") if case.due_at else ""
    note = _("Case #%(id)s escalated: the answer was due %(due)s. Priority %(before)s → %(after)s.") % {
        "id": case.pk, "due": due, "before": Priority(before).label, "after": Priority(case.priority).label}
    if owner is not None:
        note += " " + _("Handed to %(user)s.") % {"user": owner.get_username()}
    audit.record(action="change", actor="escalation", entity="case", record_id=case.pk, party_id=case.party_id,
                 channel="job", fields=["assigned_to", "escalated_at", "priority"], note=str(note)[:500])
    if case.party_id is not None:
        _on_timeline(case, str(note))
    return True


def _on_timeline(case: Case, note: str) -> None:
    from kundebase.interactions.services import log_interaction
    from kundebase.parties.models import Party

    party_id = case.party_id
    if party_id is None or not Party.objects.filter(pk=party_id, erased_at__isnull=True).exists():
        return
    log_interaction(party_id=party_id, actor="escalation", channel="job", source_record_id=f"case:{case.pk}",
                    data={"kind": "note", "subject": _("Case #%(id)s escalated") % {"id": case.pk},
                          "body": note, "occurred_at": timezone.now(), "source": "service:escalation"})
