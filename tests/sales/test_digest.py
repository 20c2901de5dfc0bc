"""The daily digest over a real SMTP server on loopback: each user's overdue tasks and those due today (a
manager also their team's), nothing for those with nothing due or no address, in the chosen language."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from kundebase.sales import services, teams
from kundebase.sales.digest import send_digests
from tests.marketing.conftest import smtp  # noqa: F401  (a real SMTP server on loopback)

pytestmark = pytest.mark.django_db


def body(message) -> str:
    return message.get_payload(decode=True).decode()


@pytest.fixture
def due(world):
    now = timezone.localtime()
    noon = now.replace(hour=23, minute=30, second=0, microsecond=0)
    for user, address in ((world.seller, "selma@example.org"), (world.other_seller, "sigurd@example.org"),
                          (world.admin, "")):
        user.email = address
        user.save(update_fields=["email"])
    services.create_task(data={"title": "Ring Siri", "due_at": noon, "deal_id": None, "party_id": world.company.pk},
                         actor=world.seller)
    services.create_task(data={"title": "Send tilbud", "due_at": now - dt.timedelta(days=2)}, actor=world.seller)
    services.create_task(data={"title": "Neste uke", "due_at": now + dt.timedelta(days=7)}, actor=world.seller)
    done = services.create_task(data={"title": "Ferdig", "due_at": now - dt.timedelta(days=1)}, actor=world.seller)
    services.complete_task(task_id=done.pk, actor=world.seller)
    return world


def test_each_user_gets_their_tasks_due(due, smtp):  # noqa: F811
    result = send_digests(sender="crm@example.org")
    assert result.sent == ["selma@example.org"] and result.refused == []
    [message] = smtp.to("selma@example.org")
    assert message["From"] == "crm@example.org" and "2 due" in message["Subject"]
    text = body(message)
    assert "Overdue (1)" in text and "Send tilbud" in text
    assert "Due today (1)" in text and "Ring Siri" in text and "Fjordkraft Handel AS" in text
    assert "Neste uke" not in text and "Ferdig" not in text
    assert "/sales/tasks/" in text
    assert smtp.to("sigurd@example.org") == []  # nothing due


def test_a_manager_gets_the_team_in_norwegian(due, smtp):  # noqa: F811
    teams.set_manager(member_id=due.seller.pk, manager_id=due.other_seller.pk)
    out = io.StringIO()
    call_command("sales", "digest", "--language", "nb", "--from", "crm@example.org", stdout=out)
    assert out.getvalue() == "2 digests sent, 0 users with nothing due\n"
    [message] = smtp.to("sigurd@example.org")
    text = body(message)
    assert "Teamets oppgaver" in text and "Send tilbud" in text and "selma" in text
    assert "Forfalt (1)" in body(smtp.to("selma@example.org")[0])


def test_refused_recipient_and_bad_options_exit_non_zero(due, smtp):  # noqa: F811
    due.seller.email = "selma@bounce.example.com"
    due.seller.save(update_fields=["email"])
    with pytest.raises(CommandError, match="refused by the mail server: selma@bounce.example.com"):
        call_command("sales", "digest", stdout=io.StringIO())
    with pytest.raises(CommandError, match="--language"):
        call_command("sales", "digest", "--language", "sv", stdout=io.StringIO())


def test_the_digest_in_danish(due, smtp):  # noqa: F811
    call_command("sales", "digest", "--language", "da", "--from", "crm@example.org", stdout=io.StringIO())
    [message] = smtp.to("selma@example.org")
    text = body(message)
    assert "Forfaldne (1)" in text and "Forfalder i dag (1)" in text and "Dine opgaver:" in text
    assert "Godmorgen" in text and "Overdue" not in text
