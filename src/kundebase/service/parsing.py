"""Reading one raw e-mail with the standard library: headers, the text and HTML bodies, attachments.

The ``compat32`` policy keeps headers as text (fast); encoded words are decoded where they are shown (subject,
sender's name, file names) and transfer encodings by ``get_payload(decode=True)``.  What cannot be read (an
unknown charset, a broken part or encoded word) is read as UTF-8 with replacement characters and noted as a
defect, so a malformed message is still stored and shown rather than lost.
"""

from __future__ import annotations

import datetime as dt
import email
import re
from dataclasses import dataclass, field
from email.errors import HeaderParseError
from email.header import Header, decode_header, make_header
from email.message import Message
from email.policy import compat32
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


def _unfolded(raw: object) -> str:
    """A raw header value as one line of text (8-bit bytes a sender put in it read as UTF-8)."""
    if isinstance(raw, Header):  # 8-bit bytes in a header: compat32 hands them over as "unknown-8bit"
        text = "".join(_text(chunk, charset) for chunk, charset in decode_header(raw))
    else:
        text = str(raw) if raw is not None else ""
    if any("\udc80" <= ch <= "\udcff" for ch in text):  # undecoded 8-bit bytes (surrogate escapes)
        text = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return re.sub(r"\r?\n[ \t]*", " ", text)


def _text(chunk: bytes | str, charset: str | None) -> str:
    if isinstance(chunk, str):
        return chunk
    try:
        return chunk.decode(charset if charset and charset != "unknown-8bit" else "utf-8")
    except (LookupError, UnicodeError):
        return chunk.decode("utf-8", "replace")


def _decoded_words(text: str, name: str, defects: list[str]) -> str:
    """Encoded words (``=?utf-8?q?...?=``) decoded; a broken one is kept as written and noted as a defect."""
    if "=?" not in text:
        return text
    try:
        return str(make_header(decode_header(text)))
    except (LookupError, UnicodeError, ValueError, HeaderParseError) as exc:
        defects.append(f"{name}: {type(exc).__name__}")
        return text


def _header(msg: Message, name: str, defects: list[str]) -> str:
    """A header's raw text, unfolded: the addresses and ids are read from it, encoded words decoded where shown.

    The message is parsed with the plain ``compat32`` policy, which leaves headers as text: parsing every header
    into objects (the ``default`` policy) was the largest cost of reading a message."""
    return _unfolded(msg.get(name))


def _ids(text: str) -> list[str]:
    return MSGID_RE.findall(text or "")


def _decoded(part: Message, defects: list[str]) -> str:
    """A text part as ``str``: its declared charset, or UTF-8 with replacements when that is unknown or wrong."""
    payload = part.get_payload(decode=True)
    if isinstance(payload, str):
        return payload.replace("\r\n", "\n")
    data = bytes(payload or b"")
    charset = part.get_content_charset() or "utf-8"
    try:
        text = data.decode(charset)
    except (LookupError, UnicodeError) as exc:
        defects.append(f"{part.get_content_type()}: {type(exc).__name__}")
        text = data.decode("utf-8", "replace")
    return text.replace("\r\n", "\n")


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
    msg = email.message_from_bytes(raw, policy=compat32)
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
            filename = _decoded_words(_unfolded(part.get_filename() or ""), "filename", defects)
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
    name = _decoded_words(name, "From", defects)
    to = [a for _n, a in getaddresses([_header(msg, "To", defects), _header(msg, "Cc", defects)]) if a]
    in_reply = _ids(_header(msg, "In-Reply-To", defects))
    return Parsed(
        message_id=(_ids(_header(msg, "Message-ID", defects)) or [""])[0][:998],
        in_reply_to=(in_reply or [""])[0][:998],
        references=_ids(_header(msg, "References", defects)),
        from_address=address.strip().lower()[:320],
        from_name=name.strip()[:200],
        to=[a.lower() for a in to],
        subject=_decoded_words(_header(msg, "Subject", defects), "Subject", defects).strip()[:300],
        sent_at=_date(_header(msg, "Date", defects)),
        text=text.replace("\x00", ""),
        html=html.replace("\x00", ""),
        attachments=attachments,
        defects=sorted(set(defects)),
    )
