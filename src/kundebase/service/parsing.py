"""Reading one raw e-mail with the standard library: headers, the text and HTML bodies, attachments.

``email.policy.default`` decodes encoded words and transfer encodings; what it cannot read (an unknown charset,
a broken part) is read as UTF-8 with replacement characters and noted as a defect, so a malformed message
is still stored and shown rather than lost.
"""

from __future__ import annotations

import datetime as dt
import email
import re
from dataclasses import dataclass, field
from email.message import Message
from email.policy import default
from email.utils import getaddresses, parseaddr, parsedate_to_datetime

from kundebase.service.sanitise import sanitise_html

MSGID_RE = re.compile(r"<[^<>\s]+>")


@dataclass
class Part:
    filename: str
    content_type: str
    payload: bytes


@dataclass
class Parsed:
    message_id: str
    in_reply_to: str
    references: list[str]
    from_address: str
    from_name: str
    to: list[str]
    subject: str
    sent_at: dt.datetime | None
    text: str
    html: str
    attachments: list[Part] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)

    @property
    def thread_ids(self) -> list[str]:
        """Message-IDs this message answers, nearest first (In-Reply-To, then References newest first)."""
        ids = [self.in_reply_to] if self.in_reply_to else []
        return ids + [r for r in reversed(self.references) if r not in ids]


def _header(msg: Message, name: str, defects: list[str]) -> str:
    try:
        value = msg.get(name)
        return str(value) if value is not None else ""
    except Exception as exc:  # a header the parser cannot fold: keep the raw text
        defects.append(f"{name}: {type(exc).__name__}")
        raw = msg.get_all(name, failobj=[""]) if hasattr(msg, "get_all") else [""]
        return str(raw[0]) if raw else ""


def _ids(text: str) -> list[str]:
    return MSGID_RE.findall(text or "")


def _decoded(part: Message, defects: list[str]) -> str:
    """A text part as ``str``: its declared charset, or UTF-8 with replacements when that is unknown or wrong."""
    try:
        content = part.get_content()  # type: ignore[attr-defined]
        if isinstance(content, str):
            return content
    except (LookupError, UnicodeError, AssertionError, KeyError, ValueError) as exc:
        defects.append(f"{part.get_content_type()}: {type(exc).__name__}")
    payload = part.get_payload(decode=True) or b""
    if isinstance(payload, str):
        return payload
    return bytes(payload).decode("utf-8", "replace")


def _date(text: str) -> dt.datetime | None:
    try:
        moment = parsedate_to_datetime(text) if text else None
    except (TypeError, ValueError, IndexError):
        return None
    if moment is not None and moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment


def parse(raw: bytes) -> Parsed:
    """Read a message; never raises on malformed input (what was unreadable is listed in ``defects``)."""
    msg = email.message_from_bytes(raw, policy=default)
    defects = [type(d).__name__ for d in getattr(msg, "defects", [])]
    text_parts: list[str] = []
    html_parts: list[str] = []
    attachments: list[Part] = []
    for part in msg.walk():
        if part.is_multipart():
            continue
        defects += [type(d).__name__ for d in getattr(part, "defects", [])]
        ctype = part.get_content_type()
        try:
            disposition = part.get_content_disposition()
            filename = part.get_filename() or ""
        except Exception:  # a broken Content-Disposition: treat it as an unnamed attachment
            disposition, filename = "attachment", ""
        if disposition != "attachment" and ctype == "text/plain" and not filename:
            text_parts.append(_decoded(part, defects))
        elif disposition != "attachment" and ctype == "text/html" and not filename:
            html_parts.append(_decoded(part, defects))
        elif ctype == "message/rfc822" and disposition != "attachment":
            continue  # a forwarded message's parts are walked like the rest
        else:
            payload = part.get_payload(decode=True)
            data = payload if isinstance(payload, bytes) else b""
            attachments.append(Part(filename=filename[:255], content_type=ctype, payload=data))
    html = sanitise_html("\n".join(html_parts)) if html_parts else ""
    text = "\n\n".join(t.strip("\n") for t in text_parts)
    if not text and html_parts:
        text = re.sub(r"<[^>]+>", " ", html)
        text = re.sub(r"[ \t]+", " ", text).strip()
    name, address = parseaddr(_header(msg, "From", defects))
    to = [a for _n, a in getaddresses([_header(msg, "To", defects), _header(msg, "Cc", defects)]) if a]
    in_reply = _ids(_header(msg, "In-Reply-To", defects))
    return Parsed(
        message_id=(_ids(_header(msg, "Message-ID", defects)) or [""])[0][:998],
        in_reply_to=(in_reply or [""])[0][:998],
        references=_ids(_header(msg, "References", defects)),
        from_address=address.strip().lower()[:320],
        from_name=name.strip()[:200],
        to=[a.lower() for a in to],
        subject=_header(msg, "Subject", defects).replace("\n", " ").strip()[:300],
        sent_at=_date(_header(msg, "Date", defects)),
        text=text.replace("\x00", ""),
        html=html.replace("\x00", ""),
        attachments=attachments,
        defects=sorted(set(defects)),
    )
