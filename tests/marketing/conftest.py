"""Marketing fixtures: a real SMTP server on loopback, the purposes campaigns use, a catalogue."""

from __future__ import annotations

import email
import socket
import threading
from collections.abc import Iterator
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller


class Keeper:
    """An aiosmtpd handler that keeps every message and refuses addresses at ``bounce.invalid``."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.lock = threading.Lock()

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any) -> str:
        if address.endswith("@bounce.example.com"):
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content)
        with self.lock:
            self.messages.append(message)
        return "250 Message accepted"

    def to(self, address: str) -> list[Message]:
        with self.lock:
            return [m for m in self.messages if m["To"] == address]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp(settings: Any) -> Iterator[Keeper]:
    keeper = Keeper()
    port = _free_port()
    controller = Controller(keeper, hostname="127.0.0.1", port=port)
    controller.start()
    settings.KUNDEBASE_SMTP_URL = f"smtp://127.0.0.1:{port}"
    try:
        yield keeper
    finally:
        controller.stop()


@pytest.fixture
def purposes(db: Any) -> None:
    """The shipped purposes, exactly as the migration seeds them (a flushing live-server test empties them)."""
    from kundebase.privacy.models import Purpose
    from kundebase.privacy.purposes import SHIPPED

    for p in SHIPPED:
        Purpose.objects.get_or_create(key=p.key, defaults={"name": p.name, "description": p.description,
                                                           "legal_basis": p.legal_basis,
                                                           "requires_consent": p.requires_consent})


def html_part(message: Message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/html":
            return part.get_payload(decode=True).decode()
    raise AssertionError("no HTML part")


def text_part(message: Message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            return part.get_payload(decode=True).decode()
    raise AssertionError("no text part")
