"""E-mail is personal data: declared field by field, in the person's access export, gone with their erasure.

The declarations join the privacy field registry (``privacy.declarations.declare``) when the app starts, so the
registry's test fails when a service model gains a field without a stated purpose and legal basis.  Erasure of
a person deletes their messages (and attachments) and empties their cases' subjects (:func:`erase_mail`); the
retention period of e-mail bodies is :mod:`kundebase.service.retention`.
"""

from __future__ import annotations

from typing import Any

from kundebase.core.models import DataCategory as C
from kundebase.core.models import LegalBasis as B
from kundebase.service.models import Attachment, Case, LeadProposal, MailMessage

DELETE, KEEP = "delete", "keep"
SERVICE = "Answer the customer's inquiries and complaints within the agreed service levels"
MAIL = "Keep what the customer wrote and was answered, to serve the inquiry and follow it up"
LEAD = "Let an employee decide whether an unknown sender becomes a customer"
TECH = "Technical record keeping (timestamps, versions, links)"
SETUP = "Configure the mailboxes, service levels and reply texts of customer service (no personal data)"

_T = (C.OTHER, TECH, B.LEGITIMATE_INTEREST, False, KEEP)
_S = (C.OTHER, SETUP, B.LEGITIMATE_INTEREST, False, KEEP)
_M = (C.COMMUNICATION, MAIL, B.LEGITIMATE_INTEREST)

DECLARED = ["service.Mailbox", "service.SlaRule", "service.ReplyTemplate", "service.Case", "service.MailMessage",
            "service.Attachment", "service.LeadProposal"]

FIELDS: list[tuple[str, str, str, str, str, bool, str]] = [
    *[("service.Mailbox", f, *_S) for f in (
        "id", "created_at", "updated_at", "name", "kind", "address", "host", "port", "use_tls", "username", "password",
        "folder", "path", "opens_cases", "active", "uidvalidity", "last_uid", "last_fetched_at", "last_error",
        "failures", "retry_at")],
    *[("service.SlaRule", f, *_S) for f in ("id", "category", "category_name", "priority", "hours")],
    *[("service.ReplyTemplate", f, *_S) for f in ("id", "created_at", "updated_at", "name", "language", "subject",
                                                   "body")],
    *[("service.Case", f, *_T) for f in ("id", "created_at", "updated_at", "mailbox")],
    ("service.Case", "party", C.OTHER, SERVICE, B.LEGITIMATE_INTEREST, False, DELETE),
    ("service.Case", "subject", C.COMMUNICATION, SERVICE, B.LEGITIMATE_INTEREST, True, DELETE),
    *[("service.Case", f, C.COMMUNICATION, SERVICE, B.LEGITIMATE_INTEREST, False, KEEP) for f in (
        "channel", "category", "priority", "status", "due_at", "closed_at", "escalated_at")],
    ("service.Case", "assigned_to", C.OTHER, "Know which employee handles the case", B.LEGITIMATE_INTEREST, False,
     KEEP),
    *[("service.MailMessage", f, C.OTHER, TECH, B.LEGITIMATE_INTEREST, False, DELETE) for f in (
        "id", "created_at", "updated_at", "mailbox", "case", "party", "interaction", "uid", "defects",
        "body_removed_at")],
    *[("service.MailMessage", f, *_M, False, DELETE) for f in (
        "direction", "message_id", "in_reply_to", "references", "sent_at")],
    *[("service.MailMessage", f, *_M, True, DELETE) for f in (
        "from_address", "from_name", "to_addresses", "subject", "text_body", "html_body")],
    *[("service.Attachment", f, C.OTHER, TECH, B.LEGITIMATE_INTEREST, False, DELETE) for f in (
        "id", "message", "size", "refused")],
    *[("service.Attachment", f, *_M, True, DELETE) for f in ("filename", "content")],
    ("service.Attachment", "content_type", *_M, False, DELETE),
    *[("service.LeadProposal", f, C.OTHER, TECH, B.LEGITIMATE_INTEREST, False, DELETE) for f in (
        "id", "created_at", "updated_at", "status", "party")],
    *[("service.LeadProposal", f, C.IDENTITY, LEAD, B.LEGITIMATE_INTEREST, True, DELETE) for f in (
        "address", "name")],
]
"""Every field of the service models: ``(model, field, category, purpose, legal basis, identifier, erasure)``.
A person's messages, attachments and lead proposals are deleted whole on erasure; a case keeps its figures
(category, priority, times) without its subject or customer."""


def access_section(*, party_id: int) -> dict[str, Any]:
    """The ``other`` section of the access report: every message to and from the person, and their cases
    (nothing when there are none, so the report lists only what is held)."""
    messages = list(MailMessage.objects.filter(party_id=party_id).order_by("sent_at", "id").values(
        "id", "direction", "sent_at", "from_address", "to_addresses", "subject", "text_body", "case_id"))
    files = list(Attachment.objects.filter(message__party_id=party_id).order_by("id").values(
        "message_id", "filename", "content_type", "size"))
    cases = list(Case.objects.filter(party_id=party_id).order_by("id").values(
        "id", "subject", "category", "priority", "status", "created_at", "closed_at"))
    if not (messages or cases):
        return {}
    return {"e_mails": messages, "e_mail_attachments": files, "cases": cases}


def register() -> None:
    """Join the privacy registry, the access report and erasure (from ``AppConfig.ready``)."""
    from kundebase.privacy import access, declarations, erasure

    declarations.declare(DECLARED, FIELDS)
    if access_section not in access.access_sections:
        access.access_sections.append(access_section)
    if erase_mail not in erasure.on_erase:
        erasure.on_erase.append(erase_mail)


def erase_mail(*, party_id: int) -> int:
    """Delete the person's messages and attachments, empty their cases' subjects; returns rows touched."""
    addresses = list(MailMessage.objects.filter(party_id=party_id, direction="in")
                     .values_list("from_address", flat=True).distinct())
    count = MailMessage.objects.filter(party_id=party_id).delete()[0]
    count += Case.objects.filter(party_id=party_id).update(subject="", party=None)
    count += LeadProposal.objects.filter(address__in=addresses).delete()[0]
    return count
