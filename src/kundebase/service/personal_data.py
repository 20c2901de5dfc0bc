"""E-mail is personal data: its bodies are in the person's access export and go with the person's erasure."""

from __future__ import annotations

from typing import Any

from kundebase.service.models import Attachment, Case, LeadProposal, MailMessage


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


def erase_mail(*, party_id: int) -> int:
    """Delete the person's messages and attachments, empty their cases' subjects; returns rows touched."""
    addresses = list(MailMessage.objects.filter(party_id=party_id, direction="in")
                     .values_list("from_address", flat=True).distinct())
    count = MailMessage.objects.filter(party_id=party_id).delete()[0]
    count += Case.objects.filter(party_id=party_id).update(subject="", party=None)
    count += LeadProposal.objects.filter(address__in=addresses).delete()[0]
    return count
