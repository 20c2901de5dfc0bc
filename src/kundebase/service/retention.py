"""The retention period of e-mail: bodies and attachments go after ``KUNDEBASE_MAIL_RETENTION_DAYS``.

What a customer wrote is kept only as long as it serves the case; after the period the text, the sanitised
HTML, the attachments' content and the timeline's copy of the text are removed.  What the case needs to be
counted and followed up stays: sender, subject, date, threading headers, the case with its category, priority
and times, the attachments' names and sizes.  Run by ``kundebase privacy retention --apply`` (an
:class:`~kundebase.privacy.retention.Expiry` registered by the app), in batches, each one transaction with
one audit entry naming the messages it emptied.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce

from kundebase.core import audit
from kundebase.service.models import Attachment, MailMessage

BATCH = 500
REMOVED = "Removed after the retention period for e-mail"
"""Why an attachment's content is gone (stored in ``Attachment.refused``, shown on the case page)."""


def cutoff(now: dt.datetime) -> dt.datetime:
    """Messages sent (or stored, when they carry no date) before this moment are past their period."""
    return now - dt.timedelta(days=int(settings.KUNDEBASE_MAIL_RETENTION_DAYS))


def expired(now: dt.datetime) -> QuerySet[MailMessage]:
    """Messages past the period whose body has not been removed yet."""
    return (MailMessage.objects.alias(moment=Coalesce("sent_at", "created_at"))
            .filter(moment__lt=cutoff(now), body_removed_at__isnull=True))


def count_expired(now: dt.datetime) -> int:
    return expired(now).count()


def remove_expired(now: dt.datetime, actor: object = "retention") -> int:
    """Empty every message past the period, ``BATCH`` at a time; returns how many were emptied."""
    done = 0
    while True:
        ids = list(expired(now).order_by("pk").values_list("pk", flat=True)[:BATCH])
        if not ids:
            return done
        done += _remove_batch(ids, now, actor)


@transaction.atomic
def _remove_batch(ids: list[int], now: dt.datetime, actor: object) -> int:
    from kundebase.interactions.services import clear_bodies

    rows = list(expired(now).filter(pk__in=ids).select_for_update().values_list("pk", "party_id", "interaction_id"))
    if not rows:
        return 0
    pks = [pk for pk, _party, _interaction in rows]
    MailMessage.objects.filter(pk__in=pks).update(text_body="", html_body="", body_removed_at=now)
    Attachment.objects.filter(message_id__in=pks).filter(Q(content__isnull=False) | Q(refused="")).update(
        content=None, refused=REMOVED)
    clear_bodies(interaction_ids=[i for _pk, _party, i in rows if i is not None])
    audit.record_batch(action="erase", actor=actor, entity="mail", channel="retention",
                       records=[("mail", pk, party) for pk, party, _i in rows],
                       fields=["attachments", "html_body", "text_body"],
                       note=f"e-mail bodies sent before {cutoff(now):%Y-%m-%d} removed: retention period of "
                            f"{settings.KUNDEBASE_MAIL_RETENTION_DAYS} days is over")
    return len(rows)
