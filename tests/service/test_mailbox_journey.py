"""The real-mailbox journey: a message delivered to Dovecot opens a case, the answer written on the case page
arrives at the SMTP server with threading headers, and the customer's reply lands on the same case."""

from __future__ import annotations

import datetime as dt
from email.header import decode_header, make_header
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from tests.service.conftest import CUSTOMER, message

pytestmark = pytest.mark.django_db


def _fetch() -> None:
    call_command("mail", "--once", "--attempts", "1")


def test_message_opens_case_answer_threads_and_reply_lands_on_same_case(
        inbox: Any, smtp: Any, customer: Any, service_levels: None, client: Any, make_user: Any) -> None:
    from kundebase.interactions.models import Interaction
    from kundebase.service.models import Case, MailMessage, ReplyTemplate

    box = inbox.mailbox()
    raw, first_id = message(subject="Varmepumpen lager støy", body="Hei, varmepumpen vår bråker om natta.")
    inbox.append(raw)
    _fetch()

    case = Case.objects.get()
    assert case.party_id == customer.pk and case.status == "open" and case.category == "heat-pumps"
    assert case.due_at is not None
    assert dt.timedelta(hours=3, minutes=59) < case.due_at - case.created_at <= dt.timedelta(hours=4, minutes=1)
    incoming = MailMessage.objects.get()
    assert incoming.message_id == first_id and incoming.case_id == case.pk
    timeline = Interaction.objects.get(party=customer)
    assert (timeline.kind, timeline.direction, timeline.channel) == ("email", "in", "email")
    assert "bråker" in timeline.body
    box.refresh_from_db()
    assert box.uidvalidity and box.last_uid == 1 and box.failures == 0

    template = ReplyTemplate.objects.create(name="Takk", language="nb", body="Hei {{ given_name }}! Vi ser på det.")
    client.force_login(make_user("kari", "service"))
    page = client.get(f"/service/cases/{case.pk}/?template={template.pk}")
    assert page.status_code == 200 and "Hei {{ given_name }}!" in page.content.decode()
    res = client.post(f"/service/cases/{case.pk}/reply", {"subject": "", "body": template.body})
    assert res.status_code == 302, res.content.decode()[:2000]

    [sent] = smtp.to(CUSTOMER)
    assert sent["In-Reply-To"] == first_id
    assert first_id in sent["References"]
    assert str(make_header(decode_header(sent["Subject"]))) == "Re: Varmepumpen lager støy"
    assert sent["From"].endswith(f"<{inbox.address}>") and sent["Message-ID"] and sent["Date"]
    assert "Hei Ingrid! Vi ser på det." in sent.get_payload(decode=True).decode()
    case.refresh_from_db()
    assert case.status == "pending"
    assert Interaction.objects.filter(party=customer, direction="out", kind="email").count() == 1

    answer, answer_id = message(subject="Re: Varmepumpen lager støy", body="Takk, den står i kjelleren.",
                                in_reply_to=sent["Message-ID"], references=f"{first_id} {sent['Message-ID']}")
    inbox.append(answer)
    _fetch()
    assert Case.objects.count() == 1
    case.refresh_from_db()
    assert case.status == "open"
    assert list(case.messages.order_by("id").values_list("direction", flat=True)) == ["in", "out", "in"]
    assert case.messages.get(message_id=answer_id).party_id == customer.pk

    _fetch()  # nothing is fetched twice
    assert MailMessage.objects.count() == 3
    assert Interaction.objects.filter(party=customer).count() == 3


def test_mailbox_down_loses_nothing_and_fetches_nothing_twice(inbox: Any, customer: Any, dovecot: Any) -> None:
    from kundebase.service.models import MailMessage

    box = inbox.mailbox()
    raw, first_id = message(subject="Før")
    inbox.append(raw)
    _fetch()
    raw, second_id = message(subject="Mens serveren er nede")
    inbox.append(raw)
    dovecot.stop()
    try:
        with pytest.raises(CommandError):
            _fetch()
        box.refresh_from_db()
        assert box.last_uid == 1 and box.failures == 1 and "Connection refused" in box.last_error
    finally:
        dovecot.start()
    _fetch()
    box.refresh_from_db()
    assert box.last_uid == 2 and box.failures == 0 and box.last_error == ""
    assert sorted(MailMessage.objects.values_list("message_id", flat=True)) == sorted([first_id, second_id])


def test_wrong_password_is_a_failed_fetch_with_state_unchanged(inbox: Any, db: Any) -> None:
    from kundebase.service import fetching

    box = inbox.mailbox()
    box.password = "wrong"
    box.save()
    waits: list[float] = []
    result = fetching.fetch_with_retry(box, attempts=3, base=0.5, sleep=waits.append)
    assert result.error and "AUTHENTICATIONFAILED" in result.error
    assert waits == [0.5, 1.0]
    box.refresh_from_db()
    assert box.last_uid == 0 and box.uidvalidity is None and box.failures == 3


def test_unknown_sender_is_proposed_not_created(inbox: Any, client: Any, make_user: Any) -> None:
    from kundebase.interactions.models import Interaction
    from kundebase.parties.models import Person
    from kundebase.service.models import Case, LeadProposal

    inbox.mailbox()
    raw, _id = message(sender="ny.kunde@example.net", sender_name="Nora Nykunde", subject="Pris på ladeboks?")
    inbox.append(raw)
    _fetch()
    assert not Person.objects.exists()
    lead = LeadProposal.objects.get()
    assert (lead.address, lead.name, lead.status) == ("ny.kunde@example.net", "Nora Nykunde", "open")
    case = Case.objects.get()
    assert case.party_id is None

    client.force_login(make_user("kari", "service"))
    assert "ny.kunde@example.net" in client.get("/service/cases/").content.decode()
    res = client.post(f"/service/leads/{lead.pk}/accept")
    person = Person.objects.get()
    assert res.status_code == 302 and res["Location"] == f"/customers/{person.pk}/"
    assert (person.given_name, person.family_name) == ("Nora", "Nykunde")
    case.refresh_from_db()
    assert case.party_id == person.pk
    assert Interaction.objects.get(party=person).subject == "Pris på ladeboks?"


def test_plain_imap_refused_to_a_remote_host(db: Any) -> None:
    from kundebase.core.errors import ValidationFailed
    from kundebase.service.fetching import check_settings
    from kundebase.service.models import Mailbox

    with pytest.raises(ValidationFailed) as info:
        check_settings(Mailbox(name="x", address="a@b.c", host="imap.example.com", use_tls=False))
    assert info.value.errors[0].field == "use_tls"
