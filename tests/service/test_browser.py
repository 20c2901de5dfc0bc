"""In a real Chromium against the live server: a templated e-mail from the customer's page, and a case answered
from its page, both arriving at the loopback SMTP server; a message's hostile HTML never runs."""

from __future__ import annotations

from typing import Any

import pytest

from tests.service.conftest import CUSTOMER, message
from tests.web.test_browser import VIEWPORTS, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HOSTILE = (b"From: " + CUSTOMER.encode() + b"\r\nSubject: Bilde\r\nMessage-ID: <hostile-b@example.org>\r\n"
           b"Content-Type: text/html; charset=utf-8\r\n\r\n<p>Se <b>her</b></p><script>alert('x')</script>"
           b"<img src=x onerror=\"alert('y')\">")


def test_compose_from_the_customer_page_and_answer_a_case(
        browser: Any, live_server: Any, make_user: Any, smtp: Any, customer: Any) -> None:  # noqa: F811
    from playwright.sync_api import expect

    from kundebase.service import intake
    from kundebase.service.models import Mailbox, ReplyTemplate

    box = Mailbox.objects.create(name="Kundeservice", kind="maildir", address="kundeservice@kundebase.example",
                                 path="/nonexistent")
    raw, first_id = message(subject="Ladeboksen svarer ikke", body="Hei, ladeboksen har sluttet å lade.")
    case = intake.receive(box, raw).case  # type: ignore[union-attr]
    intake.receive(box, HOSTILE)
    ReplyTemplate.objects.create(name="Velkommen", language="nb", subject="Velkommen, {{ given_name }}",
                                 body="Hei {{ given_name }}, takk for at du valgte oss. Kundenummer: "
                                      "{{ customer_number }}.")
    make_user("kari", "service", "correct-horse-battery")
    base = live_server.url
    page = sign_in(browser, base, "kari", VIEWPORTS["desktop"])
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    blocked: list[str] = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)

    page.goto(f"{base}/customers/{customer.pk}/")
    page.get_by_role("link", name="Write an e-mail").click()
    page.get_by_role("link", name="Velkommen (Norwegian Bokmål)").click()  # the template's language by name
    expect(page.get_by_label("Text")).to_have_value(
        "Hei {{ given_name }}, takk for at du valgte oss. Kundenummer: {{ customer_number }}.")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("The e-mail was sent.")).to_be_visible()
    [welcome] = smtp.to(CUSTOMER)
    assert f"Hei Ingrid, takk for at du valgte oss. Kundenummer: {customer.customer_number}." in (
        welcome.get_payload(decode=True).decode())

    page.get_by_role("link", name="Cases").first.click()
    page.get_by_role("link", name="Ladeboksen svarer ikke").click()
    page.get_by_label("Text").fill("Hei {{ given_name }}, en tekniker ringer deg i morgen.")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("The answer was sent.")).to_be_visible()
    expect(page.locator(".message-out")).to_contain_text("Hei Ingrid, en tekniker ringer deg i morgen.")
    answer = [m for m in smtp.to(CUSTOMER) if m["In-Reply-To"]][0]
    assert answer["In-Reply-To"] == first_id and first_id in answer["References"]

    # The customer answers the answer: their message lands on the same case, which is open again.
    reply, _reply_id = message(subject=f"Re: {answer['Subject']}", body="Takk, i morgen passer fint.",
                               in_reply_to=answer["Message-ID"], references=f"{first_id} {answer['Message-ID']}")
    assert intake.receive(box, reply).case_id == case.pk  # type: ignore[union-attr]
    page.reload()
    expect(page.locator(".message-in").last).to_contain_text("i morgen passer fint")
    case.refresh_from_db()
    assert case.status == "open" and case.messages.count() == 3

    hostile_case = Mailbox.objects.get().cases.exclude(pk=case.pk).get()
    page.goto(f"{base}/service/cases/{hostile_case.pk}/")
    expect(page.locator(".mail-html")).to_contain_text("Se her")
    page.wait_for_timeout(300)
    assert dialogs == [] and blocked == [], (dialogs, blocked)
    page.context.close()
