"""Customer-service fixtures: a real Dovecot IMAP server and the real SMTP server on loopback, a customer."""

from __future__ import annotations

import imaplib
import itertools
from collections.abc import Iterator
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

import pytest

from tests import imapserver
from tests.marketing.conftest import Keeper, smtp  # noqa: F401  (the loopback SMTP server fixture)

CUSTOMER = "ingrid.haugen@example.org"
_users = itertools.count(1)


@pytest.fixture(scope="session")
def dovecot() -> Iterator[imapserver.ImapServer]:
    users = {f"support{i}": "secret-pass" for i in range(1, 60)}
    try:
        server = imapserver.start(users)
    except RuntimeError as exc:
        pytest.fail(f"the IMAP server could not be started: {exc}")
    try:
        yield server
    finally:
        server.remove()


class Inbox:
    """One IMAP account of the test server: deliver (APPEND) messages to it, make its Mailbox row."""

    def __init__(self, server: imapserver.ImapServer, user: str) -> None:
        self.server, self.user, self.password = server, user, "secret-pass"
        self.address = f"{user}@kundebase.example"

    def append(self, raw: bytes) -> None:
        client = imaplib.IMAP4("127.0.0.1", self.server.port, timeout=10)
        try:
            client.login(self.user, self.password)
            status, data = client.append("INBOX", None, None, raw)
            assert status == "OK", data
        finally:
            client.logout()

    def mailbox(self, **extra: Any) -> Any:
        from kundebase.service.models import Mailbox

        return Mailbox.objects.create(name=f"Support {self.user}", kind="imap", address=self.address,
                                      host="127.0.0.1", port=self.server.port, use_tls=False, username=self.user,
                                      password=self.password, **extra)


@pytest.fixture
def inbox(dovecot: imapserver.ImapServer) -> Inbox:
    """A fresh account per test, so tests never see each other's mail."""
    return Inbox(dovecot, f"support{next(_users)}")


def message(*, sender: str = CUSTOMER, to: str = "support@kundebase.example", subject: str = "Hjelp",
            body: str = "Hei", in_reply_to: str = "", references: str = "", sender_name: str = "Ingrid Haugen"
            ) -> tuple[bytes, str]:
    """A well-formed message as bytes and its Message-ID."""
    msg = EmailMessage()
    msg["From"] = f"{sender_name} <{sender}>"
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = formatdate(usegmt=True)
    msg_id = make_msgid(domain="example.org")
    msg["Message-ID"] = msg_id
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
    if references:
        msg["References"] = references
    msg.set_content(body)
    return bytes(msg), msg_id


@pytest.fixture
def customer(db: Any) -> Any:
    from kundebase.parties import services as parties

    return parties.create_person(data={"given_name": "Ingrid", "family_name": "Haugen",
                                       "preferred_language": "nb"},
                                 contact_points=[{"kind": "email", "value": CUSTOMER}])


@pytest.fixture
def service_levels(db: Any) -> None:
    from kundebase.service.models import SlaRule

    SlaRule.objects.create(category="", priority="normal", hours=24)
    SlaRule.objects.create(category="heat-pumps", category_name="Varmepumper", priority="normal", hours=4)
