"""Writing to customers (screened before anything leaves), the case API, and mail in the privacy rights."""

from __future__ import annotations

from typing import Any

import pytest

from tests.service.conftest import CUSTOMER, message

pytestmark = pytest.mark.django_db


@pytest.fixture
def support_box(db: Any) -> Any:
    from kundebase.service.models import Mailbox

    return Mailbox.objects.create(name="Kundeservice", kind="maildir", address="kundeservice@kundebase.example",
                                  path="/nonexistent")


def _inbound(box: Any, **kw: Any) -> Any:
    from kundebase.service import intake

    raw, _id = message(**kw)
    return intake.receive(box, raw)


def test_special_category_words_stop_the_message_until_a_reason_is_given(
        smtp: Any, customer: Any, support_box: Any, client: Any, make_user: Any) -> None:
    from kundebase.interactions.models import Interaction
    from kundebase.service.models import MailMessage

    client.force_login(make_user("kari", "sales"))
    url = f"/service/customers/{customer.pk}/compose/"
    assert client.get(url).status_code == 200
    text = "Hei {{ given_name }}, vi har notert at du har diabetes."
    res = client.post(url, {"subject": "Avtalen", "body": text})
    assert res.status_code == 422 and "special-category" in res.content.decode()
    assert smtp.messages == [] and not MailMessage.objects.exists() and not Interaction.objects.exists()

    res = client.post(url, {"subject": "Avtalen", "body": text,
                            "confirm_special_category_reason": "Kunden ba oss skrive det ned for avtalen"})
    assert res.status_code == 302 and res["Location"] == f"/customers/{customer.pk}/"
    [sent] = smtp.to(CUSTOMER)
    assert "Hei Ingrid, vi har notert" in sent.get_payload(decode=True).decode() and sent["In-Reply-To"] is None
    out = MailMessage.objects.get()
    assert out.direction == "out" and out.message_id == sent["Message-ID"] and out.interaction.direction == "out"
    assert "Write an e-mail" in client.get(f"/customers/{customer.pk}/").content.decode()


def test_a_refused_send_records_nothing(customer: Any, support_box: Any, settings: Any) -> None:
    from kundebase.interactions.models import Interaction
    from kundebase.service import replies
    from kundebase.service.models import MailMessage

    settings.KUNDEBASE_SMTP_URL = "smtp://127.0.0.1:1"
    with pytest.raises(replies.SendFailed):
        replies.send(party_id=customer.pk, subject="Hei", body="Hei")
    assert not MailMessage.objects.exists() and not Interaction.objects.exists()


def test_case_api_lists_mine_patches_and_answers(smtp: Any, customer: Any, support_box: Any,
                                                 service_levels: None, api_as: Any) -> None:
    from kundebase.service.models import Case

    first = _inbound(support_box, subject="Faktura")
    _inbound(support_box, subject="Levering")
    agent = api_as("service", "kari")
    res = agent.patch(f"/api/v1/service/cases/{first.case_id}",
                      {"assigned_to_id": agent.user.pk, "priority": "high"})
    assert res.status_code == 200, res.content
    assert res.json()["priority"] == "high" and res.json()["due_at"] is None  # no rule for high priority
    mine = agent.get("/api/v1/service/cases?mine=true").json()["items"]
    assert [c["id"] for c in mine] == [first.case_id]
    assert len(agent.get("/api/v1/service/cases?status=active").json()["items"]) == 2
    bad = agent.patch(f"/api/v1/service/cases/{first.case_id}", {"status": "solved"})
    assert bad.status_code == 422 and bad["Content-Type"] == "application/problem+json"
    sent = agent.post(f"/api/v1/service/cases/{first.case_id}/replies", {"body": "Takk {{ name }}"})
    assert sent.status_code == 201, sent.content
    assert sent.json()["in_reply_to"] == first.message_id
    detail = agent.get(f"/api/v1/service/cases/{first.case_id}").json()
    assert [m["direction"] for m in detail["messages"]] == ["in", "out"]
    assert Case.objects.get(pk=first.case_id).status == "pending"
    assert api_as("analyst", "nils").get("/api/v1/service/cases").status_code == 403
    assert agent.get("/api/v1/service/cases/999999").status_code == 404


def test_mail_is_in_the_access_export_and_erased_with_the_person(customer: Any, support_box: Any) -> None:
    from kundebase.privacy import access, erasure
    from kundebase.service.models import Attachment, Case, MailMessage

    stored = _inbound(support_box, subject="Klage", body="Jeg vil klage på leveransen i Tromsø.")
    Attachment.objects.create(message=stored, filename="bilde.png", content_type="image/png", size=3, content=b"png")
    report = access.collect(customer.pk)
    [mail] = report["other"]["e_mails"]
    assert "klage på leveransen i Tromsø" in mail["text_body"]
    assert report["other"]["cases"][0]["subject"] == "Klage"
    assert report["other"]["e_mail_attachments"][0]["filename"] == "bilde.png"

    erasure.erase(party_id=customer.pk)
    assert not MailMessage.objects.exists() and not Attachment.objects.exists()
    case = Case.objects.get()
    assert case.party_id is None and case.subject == ""


def test_a_third_person_in_a_customers_thread_stays_off_the_customers_timeline(customer: Any,
                                                                              support_box: Any) -> None:
    from kundebase.interactions.models import Interaction
    from kundebase.service.models import LeadProposal

    first = _inbound(support_box, subject="Avtale")
    other = _inbound(support_box, sender="nabo@example.net", sender_name="Nils Nabo", subject="Re: Avtale",
                     in_reply_to=first.message_id)
    assert other.case_id == first.case_id and other.party_id is None
    assert Interaction.objects.filter(party=customer).count() == 1
    assert LeadProposal.objects.get().address == "nabo@example.net"
