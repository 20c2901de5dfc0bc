"""Handing messages to the configured SMTP server, at a bounded rate, one connection per run."""

from __future__ import annotations

import smtplib
import threading
import time
from email.message import Message
from email.utils import formatdate, make_msgid, parseaddr
from urllib.parse import urlparse

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

MESSAGE_ID_DOMAIN = "kundebase.invalid"
"""Used in a Message-ID only when the sender address has no domain."""


def smtp_address(url: str | None = None) -> tuple[str, int]:
    parsed = urlparse(url or settings.KUNDEBASE_SMTP_URL)
    if parsed.scheme != "smtp" or not parsed.hostname:
        raise ImproperlyConfigured(f"KUNDEBASE_SMTP_URL must be smtp://host:port, not {url!r}")
    return parsed.hostname, parsed.port or 25


class RateLimiter:
    """At most ``per_second`` calls per second on average, shared by several sending threads."""

    def __init__(self, per_second: float) -> None:
        self.interval = 1.0 / per_second if per_second and per_second > 0 else 0.0
        self.next_at = time.monotonic()
        self.lock = threading.Lock()

    def wait(self) -> None:
        if not self.interval:
            return
        with self.lock:
            now = time.monotonic()
            slot = max(self.next_at, now)
            self.next_at = slot + self.interval
        if slot > now:
            time.sleep(slot - now)


def stamp(message: Message) -> Message:
    """Add ``Date`` (now) and ``Message-ID`` (at the sender's domain) where the message has none."""
    if message["Date"] is None:
        message["Date"] = formatdate(localtime=False, usegmt=True)
    if message["Message-ID"] is None:
        domain = parseaddr(str(message["From"] or ""))[1].rpartition("@")[2]
        message["Message-ID"] = make_msgid(domain=domain or MESSAGE_ID_DOMAIN)
    return message


class Mailer:
    """One SMTP session; reconnects once when the server drops it."""

    def __init__(self, url: str | None = None, timeout: float = 30) -> None:
        self.host, self.port = smtp_address(url)
        self.timeout = timeout
        self.smtp: smtplib.SMTP | None = None

    def __enter__(self) -> Mailer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _connect(self) -> smtplib.SMTP:
        if self.smtp is None:
            self.smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        return self.smtp

    def send(self, message: Message) -> None:
        """Send; raises ``smtplib.SMTPRecipientsRefused`` when the server refuses the recipient (a bounce).

        Every message leaves with ``Date`` and ``Message-ID`` (RFC 5322 requires the one and asks for the
        other; spam filters mark mail without them), stamped here so no sender can forget them.
        """
        stamp(message)
        try:
            self._connect().send_message(message)
        except smtplib.SMTPServerDisconnected:
            self.smtp = None
            self._connect().send_message(message)

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except smtplib.SMTPException:
                pass
            except OSError:
                pass
            self.smtp = None
