"""A campaign's message as one chosen customer would get it, on the page and as a test e-mail to oneself.

Both render with the very templates, sandboxed engine and customer context that sending uses
(``personalise.context_for``, ``personalise.build_message``), so what the marketer sees is what recipients get.
The test message goes to the signed-in user's own address over the configured SMTP server, with no tracking and
no recipient row: it is not part of the campaign's statistics, and nothing about it lands on the customer's
timeline.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from email.message import Message
from typing import Any

from django.template import Context
from django.utils.translation import gettext as _

from kundebase.core import audit, identifiers
from kundebase.core.errors import ValidationFailed
from kundebase.marketing import personalise
from kundebase.marketing.mailer import Mailer
from kundebase.parties.models import Party

PREVIEW_RECIPIENT = 0
"""The recipient id of a preview: its unsubscribe link leads to the page that says the link is not valid."""


@dataclass(frozen=True)
class Preview:
    subject: str
    html: str
    text: str
    message: Message


def render_for(values: dict[str, Any], party: Party, *, to: str = "") -> Preview:
    """``values`` (a validated campaign, see ``campaigns.validated``) rendered for ``party``."""
    from kundebase.marketing.campaigns import _last_purchases, _rows_for

    subject = personalise.compile_template(values["subject"], "subject")
    body = personalise.compile_template(values["body"], "body")
    context = personalise.context_for(_rows_for([party.pk])[party.pk], text_blocks=values["text_blocks"],
                                      offers=values["offers"], last_purchase=_last_purchases([party.pk]).get(party.pk),
                                      recipient_id=PREVIEW_RECIPIENT)
    message = personalise.build_message(sender=values["from_email"], to=to or "preview@kundebase.invalid",
                                        subject=subject, body=body, context=context,
                                        recipient_id=PREVIEW_RECIPIENT, tracking=False)
    html = text = ""
    for part in message.walk():
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes):
            if part.get_content_type() == "text/html":
                html = payload.decode("utf-8")
            elif part.get_content_type() == "text/plain":
                text = payload.decode("utf-8")
    title = " ".join(subject.render(Context(context)).split())[:300]
    return Preview(subject=title, html=html, text=text, message=message)


def send_test(values: dict[str, Any], party: Party, *, to: str, actor: object = None, channel: str = "web") -> str:
    """Send the preview for ``party`` to ``to`` (the signed-in user's own address); returns the address used."""
    try:
        address = identifiers.email(to or "")
    except ValueError:
        address = ""
    if not address:
        raise ValidationFailed.one("test_to", _("Your user account has no valid e-mail address to send the test "
                                                "to; ask an administrator to add one"), "no_address")
    preview = render_for(values, party, to=address)
    del preview.message["Subject"]
    preview.message["Subject"] = _("[Test] %(subject)s") % {"subject": preview.subject}
    try:
        with Mailer() as mailer:
            mailer.send(preview.message)
    except (smtplib.SMTPException, OSError) as exc:
        raise ValidationFailed.one("test_to", _("The mail server did not accept the test message: %(error)s")
                                   % {"error": str(exc)[:200]}, "smtp_failed") from exc
    audit.record(action="export", actor=actor, entity="campaign_test", party_id=party.pk, channel=channel,
                 fields=["name"], note=f"test message to {address}")
    return address
