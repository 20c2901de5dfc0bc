"""Customer service's periodic work, queued by the worker (see :mod:`kundebase.core.periodic`).

``fetch_mail`` fetches every mailbox that is not waiting out a back-off (every ``KUNDEBASE_MAIL_FETCH_SECONDS``);
``escalate_cases`` escalates the cases whose answer is due (every ``KUNDEBASE_ESCALATION_SECONDS``).  Both are
idempotent and keep their state in the database.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django_tasks import task

from kundebase.service import escalation, fetching

log = logging.getLogger(__name__)


@task()
def fetch_mail() -> int:
    """Fetch the mailboxes that are due; returns how many messages were stored."""
    stored = 0
    for result in fetching.fetch_due():
        if result.error:
            log.warning("mailbox %s is down, tried again later: %s", result.mailbox, result.error)
        stored += result.stored
    return stored


@task()
def escalate_cases() -> int:
    """Escalate the open cases whose answer is due; returns how many."""
    return len(escalation.escalate_due())


def fetch_every() -> float:
    return float(settings.KUNDEBASE_MAIL_FETCH_SECONDS)


def escalate_every() -> float:
    return float(settings.KUNDEBASE_ESCALATION_SECONDS)
