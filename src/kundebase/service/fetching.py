"""Fetching new messages from a mailbox: IMAP (``imaplib``) or a Maildir folder.

IMAP remembers the folder's UIDVALIDITY and the last UID stored; messages are stored a batch at a time and the
mailbox's ``last_uid`` advanced in the same transaction, so a fetch that breaks off half-way resumes after the
last batch it stored: nothing is lost and nothing is fetched twice.  When the server renumbers its folder (a new
UIDVALIDITY) the whole folder is read again and the Message-ID keeps what was stored from being stored twice.
A failed connection leaves the state as it was and sets the mailbox's ``retry_at``: the periodic fetch
(:func:`fetch_due`, queued by the worker every ``KUNDEBASE_MAIL_FETCH_SECONDS``) leaves the mailbox alone until
then, waiting twice as long after each failure in a row (at most an hour), and fetches again once it is up.
"""

from __future__ import annotations

import datetime as dt
import imaplib
import ipaddress
import mailbox as maildir_lib
import re
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kundebase.core import audit
from kundebase.core.errors import DomainError, ValidationFailed
from kundebase.service import cases, intake
from kundebase.service.models import Mailbox

TIMEOUT = 30
UIDVALIDITY_RE = re.compile(rb"UIDVALIDITY (\d+)")


class MailboxDown(Exception):
    """The mailbox could not be reached or refused us; nothing was changed."""


@dataclass
class FetchResult:
    mailbox: str
    stored: int = 0
    skipped: int = 0
    error: str = ""
    stored_names: list[str] = field(default_factory=list)
    """Names (Maildir keys, UIDs) of the messages stored so far, to mark them read."""


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_settings(mailbox: Mailbox) -> None:
    """Refuse a mailbox that cannot work or would send a password in the clear over a network."""
    if mailbox.kind == Mailbox.Kind.MAILDIR:
        if not mailbox.path:
            raise ValidationFailed.one("path", _("A Maildir mailbox needs its folder's path"), "required")
        return
    if not mailbox.host:
        raise ValidationFailed.one("host", _("An IMAP mailbox needs a host"), "required")
    if not mailbox.use_tls and not is_loopback(mailbox.host):
        raise ValidationFailed.one("use_tls", _("IMAP without TLS is only allowed to a server on this machine"),
                                   "insecure")


def _connect(mailbox: Mailbox) -> imaplib.IMAP4:
    try:
        check_settings(mailbox)
    except ValidationFailed as exc:
        raise MailboxDown(str(exc)) from exc
    try:
        if mailbox.use_tls:
            client: imaplib.IMAP4 = imaplib.IMAP4_SSL(mailbox.host, mailbox.port, timeout=TIMEOUT,
                                                      ssl_context=ssl.create_default_context())
        else:
            client = imaplib.IMAP4(mailbox.host, mailbox.port, timeout=TIMEOUT)
        client.login(mailbox.username, mailbox.password)
    except (OSError, imaplib.IMAP4.error) as exc:
        raise MailboxDown(f"{mailbox.host}:{mailbox.port}: {exc}") from exc
    return client


def _imap(mailbox: Mailbox, result: FetchResult, limit: int | None) -> None:
    client = _connect(mailbox)
    try:
        status, _data = client.select(_quoted(mailbox.folder), readonly=True)
        if status != "OK":
            raise MailboxDown(f"folder {mailbox.folder!r}: {_data!r}")
        validity = int((client.response("UIDVALIDITY")[1] or [b"0"])[0] or 0)
        start = mailbox.last_uid + 1 if mailbox.uidvalidity == validity else 1
        status, data = client.uid("SEARCH", f"UID {start}:*")
        if status != "OK":
            raise MailboxDown(f"search: {data!r}")
        uids = sorted(int(u) for u in (data[0] or b"").split() if int(u) >= start)
        if mailbox.uidvalidity != validity:
            Mailbox.objects.filter(pk=mailbox.pk).update(uidvalidity=validity, last_uid=0)
            mailbox.uidvalidity, mailbox.last_uid = validity, 0
        batch: list[tuple[int | None, str, bytes]] = []
        for uid in uids[:limit] if limit else uids:
            status, parts = client.uid("FETCH", str(uid), "(BODY.PEEK[])")
            raw = next((p[1] for p in parts or [] if isinstance(p, tuple)), None)
            if status != "OK" or raw is None:
                raise MailboxDown(f"fetch of UID {uid}: {status}")
            batch.append((uid, str(uid), raw))
            if _full(batch):
                _store(mailbox, batch, result)
                batch = []
        if batch:
            _store(mailbox, batch, result)
    except (OSError, imaplib.IMAP4.error) as exc:
        raise MailboxDown(f"{mailbox.host}:{mailbox.port}: {exc}") from exc
    finally:
        try:
            client.logout()
        except (OSError, imaplib.IMAP4.error):
            pass


BATCH = 50
"""Messages stored per transaction: one chain lock for their audit entries, one commit (see :func:`_store`)."""
BATCH_BYTES = 16 * 1024 * 1024
"""A batch is stored earlier once its messages hold this many bytes, so large attachments never pile up."""


def _full(batch: list[tuple[int | None, str, bytes]]) -> bool:
    return len(batch) >= BATCH or sum(len(raw) for _uid, _name, raw in batch) >= BATCH_BYTES


def _store(mailbox: Mailbox, batch: list[tuple[int | None, str, bytes]], result: FetchResult) -> None:
    """Store a batch of fetched messages in one transaction, with the mailbox's ``last_uid`` advanced past them.

    The batch lands whole or not at all, so a fetch that breaks off resumes after the last batch stored:
    nothing is lost and nothing is fetched twice.  When one message is refused, the batch is stored again a
    message at a time, so those before it are kept and the fetch stops at it with the reason."""
    try:
        with transaction.atomic(), audit.gathered(), cases.remembered():
            outcomes = [_receive(mailbox, raw, uid=uid, name=name) for uid, name, raw in batch]
            if batch[-1][0] is not None:
                Mailbox.objects.filter(pk=mailbox.pk).update(last_uid=batch[-1][0])
    except MailboxDown:
        if len(batch) == 1:
            raise
        for item in batch:
            _store(mailbox, [item], result)
        return
    if batch[-1][0] is not None:
        mailbox.last_uid = batch[-1][0]
    result.stored += sum(o is not None for o in outcomes)
    result.skipped += sum(o is None for o in outcomes)
    result.stored_names += [name for _uid, name, _raw in batch]


def _receive(mailbox: Mailbox, raw: bytes, *, uid: int | None, name: str = "") -> object:
    """Store one message; a message the register refuses (a required field of the timeline, say) stops the fetch
    there with the reason, so the administrator sees it and nothing after it is skipped."""
    try:
        return intake.receive(mailbox, raw, uid=uid)
    except DomainError as exc:
        raise MailboxDown(_("Message %(m)s could not be stored: %(e)s") % {"m": uid or name, "e": exc}) from exc


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _maildir(mailbox: Mailbox, result: FetchResult, limit: int | None) -> None:
    """New messages (in ``new/``) are stored, then moved to ``cur/`` marked seen, a batch per transaction."""
    if not Path(mailbox.path, "new").is_dir():
        raise MailboxDown(f"{mailbox.path}: not a Maildir folder")
    box = maildir_lib.Maildir(mailbox.path, create=False)
    keys = sorted(k for k, m in box.iteritems() if m.get_subdir() == "new")
    todo = keys[:limit] if limit else keys
    batch: list[tuple[int | None, str, bytes]] = []
    for index, key in enumerate(todo):
        batch.append((None, key, box.get_bytes(key)))
        if not _full(batch) and index < len(todo) - 1:
            continue
        try:
            _store(mailbox, batch, result)
        finally:  # the messages stored (those before a refused one, too) are marked read
            for name in result.stored_names:
                message = box[name]
                message.set_subdir("cur")
                message.add_flag("S")
                box[name] = message
            result.stored_names = []
        batch = []


def fetch(mailbox: Mailbox, *, limit: int | None = None) -> FetchResult:
    """Fetch what is new once; raises :class:`MailboxDown` (state unchanged) when the mailbox cannot be read."""
    result = FetchResult(mailbox=mailbox.name)
    try:
        if mailbox.kind == Mailbox.Kind.MAILDIR:
            _maildir(mailbox, result, limit)
        else:
            _imap(mailbox, result, limit)
    except MailboxDown as exc:
        mailbox.failures += 1
        mailbox.retry_at = timezone.now() + dt.timedelta(
            seconds=backoff(mailbox.failures, base=float(settings.KUNDEBASE_MAIL_FETCH_SECONDS), cap=RETRY_CAP))
        Mailbox.objects.filter(pk=mailbox.pk).update(last_error=str(exc)[:2000], failures=mailbox.failures,
                                                     retry_at=mailbox.retry_at)
        raise
    Mailbox.objects.filter(pk=mailbox.pk).update(last_fetched_at=timezone.now(), last_error="", failures=0,
                                                 retry_at=None)
    mailbox.failures, mailbox.retry_at = 0, None
    return result


RETRY_CAP = 3600.0
"""The longest wait between tries of a mailbox that is down, in seconds."""


def fetch_due(*, now: dt.datetime | None = None) -> list[FetchResult]:
    """One periodic round: fetch every active mailbox that is not waiting out a back-off after failures.

    A mailbox that is down is tried once (its ``retry_at`` moves further out each time); the others are fetched
    as usual.  Nothing is raised, so one broken mailbox never stops the rest."""
    now = now or timezone.now()
    results = []
    due = Mailbox.objects.filter(active=True).filter(Q(retry_at__isnull=True) | Q(retry_at__lte=now))
    for box in due.order_by("name"):
        try:
            results.append(fetch(box))
        except MailboxDown as exc:
            results.append(FetchResult(mailbox=box.name, error=str(exc)))
    return results


def backoff(failures: int, base: float = 1.0, cap: float = 300.0) -> float:
    """Seconds to wait after ``failures`` failures in a row: doubling from ``base``, at most ``cap``."""
    return float(min(cap, base * (2 ** max(0, failures - 1))))


def fetch_with_retry(mailbox: Mailbox, *, attempts: int = 3, base: float = 1.0,
                     sleep: Callable[[float], None] = time.sleep) -> FetchResult:
    """Try up to ``attempts`` times, waiting longer after each failure; the last failure is returned, not raised."""
    for attempt in range(1, attempts + 1):
        try:
            return fetch(mailbox)
        except MailboxDown as exc:
            if attempt == attempts:
                return FetchResult(mailbox=mailbox.name, error=str(exc))
            sleep(backoff(attempt, base))
    raise AssertionError("unreachable")  # pragma: no cover
