"""A small, tolerant vCard 2.1/3.0/4.0 reader for contacts exported by phones, Outlook and Apple Contacts.

It reads what a customer register needs (name, e-mails, phones, address,
organisation, title, birthday, note) and ignores the rest, accepting the
dialects' quirks: folded lines, ``item1.`` group prefixes (Apple),
``TYPE=CELL`` or ``TYPE=cell,voice`` or ``CELL`` alone, quoted-printable text
(Outlook), escaped commas and semicolons, ``BDAY:--1231`` without a year.
"""

from __future__ import annotations

import quopri
import re
from collections.abc import Iterable, Iterator
from typing import Any

COLUMNS = ("given_name", "family_name", "full_name", "email", "email_2", "mobile", "phone", "street", "postcode",
           "city", "region", "country", "company", "position", "birth_date", "note", "uid")


def _unfold(lines: Iterable[str]) -> Iterator[str]:
    current = ""
    for raw in lines:
        line = raw.rstrip("\r\n")
        if line[:1] in (" ", "\t") and current:
            current += line[1:]
            continue
        if current.endswith("=") and "QUOTED-PRINTABLE" in current.upper().split(":", 1)[0]:
            current = current[:-1] + line  # quoted-printable soft line break
            continue
        if current:
            yield current
        current = line
    if current:
        yield current


def _unescape(text: str) -> str:
    return re.sub(r"\\([\\,;nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), text)


def _split(text: str, sep: str = ";") -> list[str]:
    parts, buf, escaped = [], "", False
    for ch in text:
        if escaped:
            buf += "\\" + ch
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == sep:
            parts.append(_unescape(buf))
            buf = ""
        else:
            buf += ch
    parts.append(_unescape(buf))
    return parts


def _parse_line(line: str) -> tuple[str, dict[str, list[str]], str] | None:
    if ":" not in line:
        return None
    head, value = line.split(":", 1)
    pieces = head.split(";")
    name = pieces[0].split(".")[-1].upper()  # drop Apple's "item1." group
    params: dict[str, list[str]] = {}
    for piece in pieces[1:]:
        key, _eq, val = piece.partition("=")
        if not _eq:  # vCard 2.1 bare type: TEL;CELL:...
            key, val = "TYPE", key
        params.setdefault(key.upper(), []).extend(v.strip('"').lower() for v in val.split(","))
    if "QUOTED-PRINTABLE" in [v.upper() for v in params.get("ENCODING", [])]:
        charset = (params.get("CHARSET") or ["utf-8"])[0]
        try:
            value = quopri.decodestring(value.encode("latin-1", errors="replace")).decode(charset, errors="replace")
        except LookupError:
            value = quopri.decodestring(value.encode("latin-1", errors="replace")).decode("utf-8", errors="replace")
    return name, params, value


def _card(props: list[tuple[str, dict[str, list[str]], str]]) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(COLUMNS, "")
    emails: list[str] = []
    for name, params, value in props:
        types = set(params.get("TYPE", []))
        if name == "N":
            parts = _split(value) + ["", ""]
            row["family_name"], row["given_name"] = parts[0].strip(), parts[1].strip()
            if len(parts) > 4 and parts[2].strip():
                row["given_name"] = f"{row['given_name']} {parts[2].strip()}".strip()
        elif name == "FN":
            row["full_name"] = _unescape(value).strip()
        elif name == "EMAIL":
            emails.append(value.strip().removeprefix("mailto:"))
        elif name == "TEL":
            number = value.strip().removeprefix("tel:")
            key = "mobile" if types & {"cell", "mobile", "iphone"} else "phone"
            if not row[key]:
                row[key] = number
            elif key == "phone" and not row["mobile"] and "fax" not in types:
                row["mobile"] = number
        elif name == "ADR" and not row["street"]:
            parts = _split(value) + [""] * 7
            row["street"] = ", ".join(p.strip() for p in (parts[2].replace("\n", ", "), parts[1]) if p.strip())
            row["city"], row["region"] = parts[3].strip(), parts[4].strip()
            row["postcode"], row["country"] = parts[5].strip(), parts[6].strip()
        elif name == "ORG":
            row["company"] = _split(value)[0].strip()
        elif name == "TITLE":
            row["position"] = _unescape(value).strip()
        elif name == "BDAY":
            text = value.strip()
            row["birth_date"] = "" if text.startswith("--") else text  # no year: not a birth date we can keep
        elif name == "NOTE":
            row["note"] = _unescape(value).strip()
        elif name == "UID":
            row["uid"] = value.strip()
    row["email"] = emails[0] if emails else ""
    row["email_2"] = emails[1] if len(emails) > 1 else ""
    if not row["family_name"] and row["full_name"]:
        given, _sp, family = row["full_name"].rpartition(" ")
        row["given_name"], row["family_name"] = given, family
    return row


def parse(lines: Iterable[str]) -> Iterator[dict[str, Any]]:
    """One row per ``BEGIN:VCARD … END:VCARD``; text outside cards and unknown properties are ignored."""
    props: list[tuple[str, dict[str, list[str]], str]] | None = None
    for line in _unfold(lines):
        upper = line.strip().upper()
        if upper == "BEGIN:VCARD":
            props = []
        elif upper == "END:VCARD":
            if props is not None:
                yield _card(props)
            props = None
        elif props is not None:
            parsed = _parse_line(line.lstrip("\ufeff"))
            if parsed:
                props.append(parsed)
