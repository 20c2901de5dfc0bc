"""E-mail bodies and attachments have a retention period of their own, enforced by the retention run:
past it the text, HTML, attachments' content and the timeline's copy go; the case and the message's headers
stay, so the case can still be counted and followed."""

from __future__ import annotations

import datetime as dt
import io
from email.message import EmailMessage
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.service.conftest import CUSTOMER, message

pytestmark = pytest.mark.django_db


def _with_pdf(subject: str) -> bytes:
    msg = EmailMessage()
    msg["From"] = f"Ingrid Haugen <{CUSTOMER}>"
    msg["Subject"] = subject
    msg["Message-ID"] = f"<{subject.replace(' ', '-')}@example.org>"
    msg.set_content("Kvitteringen ligger ved. Ordrenummer 4711.")
    msg.add_alternative("<p>Kvitteringen ligger <b>ved</b>.</p>", subtype="html")
    msg.add_attachment(b"%PDF-1.4 kvittering", maintype="application", subtype="pdf", filename="kvittering.pdf")
    return bytes(msg)


def _retention(*args: str) -> str:
    out = io.StringIO()
    call_command("privacy", "retention", *args, stdout=out)
    return out.getvalue()


def test_mail_bodies_past_their_period_are_removed_and_the_case_kept(
        customer: Any, service_levels: None, settings: Any, client: Any, make_user: Any) -> None:
    from kundebase.core.models import AuditEntry
    from kundebase.interactions.models import Interaction
    from kundebase.service import intake
    from kundebase.service.models import Attachment, Case, Mailbox, MailMessage

    settings.KUNDEBASE_MAIL_RETENTION_DAYS = 365
    box = Mailbox.objects.create(name="Kundeservice", kind="maildir", address="kundeservice@kundebase.example",
                                 path="/nonexistent")
    old = intake.receive(box, _with_pdf("Gammel kvittering"))
    recent = intake.receive(box, message(subject="Ny henvendelse", body="Varmepumpen bråker igjen.")[0])
    assert old is not None and recent is not None
    MailMessage.objects.filter(pk=old.pk).update(sent_at=timezone.now() - dt.timedelta(days=400))

    dry = _retention()
    assert "e-mail bodies: 1 past their retention period" in dry
    old.refresh_from_db()
    assert "Ordrenummer 4711" in old.text_body and old.body_removed_at is None  # a dry run changes nothing

    assert "e-mail bodies: 1 removed" in _retention("--apply")
    old.refresh_from_db()
    assert (old.text_body, old.html_body) == ("", "") and old.body_removed_at is not None
    assert (old.subject, old.from_address, old.message_id) == ("Gammel kvittering", CUSTOMER,
                                                               "<Gammel-kvittering@example.org>")
    [pdf] = Attachment.objects.filter(message=old)
    assert pdf.content is None and pdf.filename == "kvittering.pdf" and "retention" in pdf.refused
    timeline = Interaction.objects.get(pk=old.interaction_id)
    assert timeline.body == "" and timeline.subject == "Gammel kvittering"
    case = Case.objects.get(pk=old.case_id)
    assert case.subject == "Gammel kvittering" and case.priority == "normal" and case.due_at is not None
    recent.refresh_from_db()
    assert "bråker igjen" in recent.text_body and recent.body_removed_at is None
    assert "bråker igjen" in Interaction.objects.get(pk=recent.interaction_id).body
    entry = AuditEntry.objects.get(entity="mail", channel="retention")
    assert entry.action == "erase" and "365 days" in entry.note

    assert "e-mail bodies: 0 removed" in _retention("--apply")  # idempotent
    assert AuditEntry.objects.filter(entity="mail", channel="retention").count() == 1

    client.force_login(make_user("kari", "service"))
    page = client.get(f"/service/cases/{case.pk}/").content.decode()
    assert "removed" in page and "after the retention period for e-mail" in page and "4711" not in page
    MailMessage.objects.filter(pk=recent.pk).update(sent_at=timezone.now() - dt.timedelta(days=366))
    client.force_login(make_user("dpo", "administrator"))
    plan = client.get("/api/v1/privacy/retention")
    assert plan.status_code == 200 and plan.json()["expiring"] == {"e-mail bodies": 1}
