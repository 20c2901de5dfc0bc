"""A fetched message into Kundebase: stored once, matched to a customer, threaded, on the timeline and its case."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kundebase.service import cases
from kundebase.service.models import Attachment, Case, LeadProposal, Mailbox, MailMessage
from kundebase.service.parsing import Parsed, parse

CUSTOMER_WROTE = "Written by the customer in an e-mail to customer service"
"""Recorded (with the categories, never the words) when an inbound message holds special-category words."""


def max_attachment() -> int:
    return int(settings.KUNDEBASE_MAIL_MAX_ATTACHMENT)


def attachment_types() -> tuple[str, ...]:
    return tuple(settings.KUNDEBASE_MAIL_ATTACHMENT_TYPES)


def match_party(address: str) -> int | None:
    """The customer with this e-mail address (the register's exact look-up), or ``None``."""
    from kundebase.parties.lookup import lookup
    from kundebase.parties.models import Party

    if "@" not in address:
        return None
    for party_id in lookup(address, limit=5):
        if Party.objects.filter(pk=party_id, erased_at__isnull=True, merged_into__isnull=True).exists():
            return party_id
    return None


def _thread_case(parsed: Parsed) -> Case | None:
    """The case of the nearest earlier message this one answers."""
    ids = parsed.thread_ids
    if not ids:
        return None
    earlier = {m.message_id: m for m in MailMessage.objects.filter(message_id__in=ids).select_related("case")}
    for message_id in ids:
        if message_id in earlier:
            return earlier[message_id].case
    return None


def _when(parsed: Parsed) -> dt.datetime:
    now = timezone.now()
    return parsed.sent_at if parsed.sent_at and parsed.sent_at <= now + dt.timedelta(hours=1) else now


def _store_attachments(message: MailMessage, parsed: Parsed) -> None:
    limit, allowed = max_attachment(), attachment_types()
    for part in parsed.attachments:
        refused = ""
        if part.content_type not in allowed:
            refused = _("Type %(t)s is not allowed") % {"t": part.content_type}
        elif len(part.payload) > limit:
            refused = _("Larger than %(n)d bytes") % {"n": limit}
        Attachment.objects.create(message=message, filename=part.filename, content_type=part.content_type[:127],
                                  size=len(part.payload), content=None if refused else part.payload,
                                  refused=refused[:200])


def _timeline(party_id: int, parsed: Parsed, sent_at: dt.datetime, mailbox: Mailbox) -> Any:
    from kundebase.interactions.services import MAX_BODY, log_interaction

    data: dict[str, Any] = {"kind": "email", "direction": "in", "channel": "email", "subject": parsed.subject,
                            "body": parsed.text[:MAX_BODY], "occurred_at": sent_at,
                            "source": f"mail:{mailbox.name}"[:120],
                            "confirm_special_category_reason": CUSTOMER_WROTE, "_party_id": party_id,
                            "_channel": "mail"}
    return log_interaction(party_id=party_id, data=data, channel="mail", source_record_id=parsed.message_id)


@transaction.atomic
def receive(mailbox: Mailbox, raw: bytes, *, uid: int | None = None) -> MailMessage | None:
    """Store one message; ``None`` when it was stored before (the same Message-ID), so nothing is kept twice."""
    parsed = parse(raw)
    if parsed.message_id and MailMessage.objects.filter(message_id=parsed.message_id).exists():
        return None
    case = _thread_case(parsed)
    # Only the sender's own address names the customer: a third person writing in a customer's thread must
    # not land on that customer's timeline.
    party_id = match_party(parsed.from_address)
    sent_at = _when(parsed)
    if mailbox.opens_cases:
        if case is None or case.status == Case.Status.CLOSED:
            case = cases.open_case(party_id=party_id, subject=parsed.subject, text=parsed.text, mailbox=mailbox,
                                   opened_at=sent_at)
        else:
            cases.reopen_for_customer(case)
            if case.party_id is None and party_id is not None:
                case.party_id = party_id
                case.save(update_fields=["party", "updated_at"])
    interaction = _timeline(party_id, parsed, sent_at, mailbox) if party_id is not None else None
    message = MailMessage.objects.create(
        mailbox=mailbox, case=case, party_id=party_id, interaction=interaction, direction=MailMessage.Direction.INBOUND,
        uid=uid,
        message_id=parsed.message_id, in_reply_to=parsed.in_reply_to, references=" ".join(parsed.references),
        from_address=parsed.from_address, from_name=parsed.from_name, to_addresses=", ".join(parsed.to),
        subject=parsed.subject, sent_at=sent_at, text_body=parsed.text, html_body=parsed.html,
        defects=", ".join(parsed.defects)[:2000])
    _store_attachments(message, parsed)
    if party_id is None and parsed.from_address and parsed.from_address != mailbox.address.lower():
        LeadProposal.objects.get_or_create(address=parsed.from_address, defaults={"name": parsed.from_name})
    return message
