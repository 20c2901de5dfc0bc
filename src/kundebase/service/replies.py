"""Writing to a customer: a case answered, or a new message from the customer's page.

The text is a template with the customer's fields, rendered by the campaigns' sandboxed engine; the
special-category screen reads the rendered text before anything leaves (it is the timeline entry's screen);
the message goes through the campaigns' mailer (which stamps Date and Message-ID) with In-Reply-To and
References when it answers a thread, and is then on the timeline and on the case.  If the SMTP server refuses,
nothing is recorded: the timeline entry and the stored message roll back with the failed send.
"""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import formataddr
from typing import Any

from django.db import transaction
from django.template import Context
from django.utils.translation import gettext as _

from kundebase.core.errors import DomainError, NotFound, ValidationFailed
from kundebase.service.models import Case, Mailbox, MailMessage, ReplyTemplate


class SendFailed(DomainError):
    def __init__(self, detail: str) -> None:
        super().__init__(title="Sending failed", status=502, code="smtp_failed", detail=detail)


def customer_context(party_id: int) -> dict[str, Any]:
    """The plain values a reply template may use (the campaigns' context without the marketing links)."""
    from kundebase.marketing.personalise import context_for
    from kundebase.parties.models import Party, Person

    party = Party.objects.filter(pk=party_id).first()
    if party is None:
        raise NotFound(_("Customer"), party_id)
    named = Person.objects.filter(pk=party_id).values("given_name", "family_name").first()
    person: dict[str, Any] = dict(named) if named else {}
    row = {"display_name": party.display_name, "customer_number": party.customer_number,
           "preferred_language": party.preferred_language, **person}
    context = context_for(row, text_blocks={}, offers=[], last_purchase=None, recipient_id=0)
    for key in ("unsubscribe_url", "offers", "last_purchase", "text"):
        context.pop(key, None)
    return context


def render(source: str, context: dict[str, Any], field: str) -> str:
    """Render a plain-text template (no HTML escaping: the message is text/plain)."""
    from kundebase.marketing.personalise import compile_template

    template = compile_template("{% autoescape off %}" + source + "{% endautoescape %}", field)
    return template.render(Context(context)).strip()


def templates_for(party_id: int | None) -> list[ReplyTemplate]:
    """The templates in the customer's language first."""
    language = customer_context(party_id)["language"] if party_id else "nb"
    return sorted(ReplyTemplate.objects.all(), key=lambda t: (t.language != language, t.name))


def customer_address(party_id: int) -> str:
    from kundebase.parties.models import ContactPoint

    point = (ContactPoint.objects.filter(party_id=party_id, kind="email").order_by("-is_primary", "id")
             .values_list("value", flat=True).first())
    if not point:
        raise ValidationFailed.one("to", _("The customer has no e-mail address"), "no_address")
    return str(point)


def _default_mailbox(mailbox_id: int | None) -> Mailbox:
    qs = Mailbox.objects.filter(active=True)
    box = qs.filter(pk=mailbox_id).first() if mailbox_id else qs.order_by("-opens_cases", "id").first()
    if box is None:
        raise ValidationFailed.one("mailbox_id", _("No mailbox is configured to send from"), "no_mailbox")
    return box


@transaction.atomic
def send(*, party_id: int, subject: str, body: str, actor: object = None, case_id: int | None = None,
         mailbox_id: int | None = None, confirm_reason: str = "", channel: str = "web") -> MailMessage:
    """Render, screen, send and record one message to the customer (an answer when ``case_id`` is given)."""
    from kundebase.interactions.services import log_interaction
    from kundebase.marketing.mailer import Mailer

    case = None
    if case_id is not None:
        case = Case.objects.select_for_update().filter(pk=case_id).first()
        if case is None:
            raise NotFound(_("Case"), case_id)
    if not body.strip():
        raise ValidationFailed.one("body", _("Write a text"), "required")
    context = customer_context(party_id)
    text = render(body, context, "body")
    title = " ".join(render(subject, context, "subject").split())[:300]
    previous = (MailMessage.objects.filter(case=case).order_by("-sent_at", "-id").first() if case else None)
    to = previous.from_address if previous and previous.direction == "in" and previous.from_address else None
    to = to or customer_address(party_id)
    box = case.mailbox if case and case.mailbox and case.mailbox.active else _default_mailbox(mailbox_id)
    if case and not title:
        title = case.subject if case.subject.lower().startswith("re:") else f"Re: {case.subject}"
    interaction = log_interaction(party_id=party_id, actor=actor, channel=channel, data={
        "kind": "email", "direction": "out", "channel": "email", "subject": title, "body": text,
        "source": f"mail:{box.name}"[:120], "confirm_special_category_reason": confirm_reason,
        "_actor": actor, "_party_id": party_id, "_channel": channel})
    message = EmailMessage()
    message["From"] = formataddr((box.name, box.address))
    message["To"] = to
    message["Subject"] = title
    thread = [m for m in MailMessage.objects.filter(case=case).order_by("sent_at", "id")
              .values_list("message_id", flat=True) if m] if case else []
    if thread:
        message["In-Reply-To"] = (previous.message_id if previous and previous.message_id else thread[-1])
        message["References"] = " ".join(thread[-20:])
    message.set_content(text)
    try:
        with Mailer() as mailer:
            mailer.send(message)
    except (smtplib.SMTPException, OSError) as exc:
        raise SendFailed(_("The mail server refused the message: %(e)s") % {"e": exc}) from exc
    stored = MailMessage.objects.create(
        mailbox=box, case=case, party_id=party_id, interaction=interaction, direction=MailMessage.Direction.OUTBOUND,
        message_id=str(message["Message-ID"]), in_reply_to=str(message["In-Reply-To"] or ""),
        references=str(message["References"] or ""), from_address=box.address.lower(), from_name=box.name,
        to_addresses=to, subject=title, sent_at=interaction.occurred_at, text_body=text)
    if case is not None:
        case.status = Case.Status.PENDING
        if case.party_id is None:
            case.party_id = party_id
        case.save(update_fields=["status", "party", "updated_at"])
    return stored
