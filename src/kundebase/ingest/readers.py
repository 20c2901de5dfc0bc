"""Reading import files as a stream of rows, whatever the format, delimiter or encoding.

Every reader yields ``(line, {column: value})`` one row at a time and never
loads the file whole, so memory stays flat however large the file is.  The
readers are a registry (``READERS``) so a new format is one function.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from kundebase.core import json_body
from kundebase.ingest import limits, vcard

SAMPLE_BYTES = 256 * 1024
DELIMITERS = ";,\t|"
SNIFF_LINE_CHARS = 4096
Row = tuple[int, dict[str, Any]]


class UnreadableFile(ValueError):
    """The file is not in the format it claims, or is empty."""


@dataclass
class FileInfo:
    format: str
    encoding: str = ""
    delimiter: str = ""
    headers: list[str] = field(default_factory=list)


def detect_format(path: Path, name: str = "") -> str:
    suffix = (Path(name).suffix if name else path.suffix).lower().lstrip(".")
    with path.open("rb") as fh:
        head = fh.read(4096)
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    text = head.lstrip(codecs.BOM_UTF8).lstrip()
    if text[:11].upper() == b"BEGIN:VCARD" or suffix in ("vcf", "vcard"):
        return "vcard"
    if suffix in ("jsonl", "ndjson", "json") or text.startswith(b"{"):
        return "jsonl"
    return "csv"


HUNGARIAN_TELLS = set("õûÕÛ")  # ő ű Ő Ű read as Windows-1252
NORDIC_LETTERS = set("æøåÆØÅ")


def detect_encoding(sample: bytes) -> str:
    """UTF-8 (with or without BOM) when it decodes; otherwise the single-byte code page that reads best.

    charset-normalizer chooses among the code pages used in our countries; since
    Windows-1252 and ISO-8859-2 differ only in a few letters, the Hungarian ő/ű
    (which Windows-1252 reads as õ/û) decide between them.
    """
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start >= len(sample) - 3 and len(sample) >= SAMPLE_BYTES - 4:
            return "utf-8"  # the sample cut a multi-byte letter in half
    from charset_normalizer import from_bytes

    best = from_bytes(sample, cp_isolation=["cp1252", "iso8859_1", "iso8859_2"]).best()
    encoding = best.encoding if best is not None else "cp1252"
    as_western = sample.decode("cp1252", errors="replace")
    if set(as_western) & HUNGARIAN_TELLS and not set(as_western) & NORDIC_LETTERS:
        return "iso8859_2"
    if encoding == "iso8859_2" and set(as_western) & NORDIC_LETTERS:
        return "cp1252"
    if encoding == "iso8859_1" and any(0x80 <= b <= 0x9F for b in sample):
        return "cp1252"  # those bytes are letters and quotes only in Windows-1252
    return encoding


def detect_delimiter(text: str) -> str:
    # Long lines are cut for the sniffer, whose patterns take quadratic time on a giant cell.
    lines = [line[:SNIFF_LINE_CHARS] for line in text.splitlines() if line.strip()][:20]
    if not lines:
        raise UnreadableFile("the file is empty")
    try:
        return csv.Sniffer().sniff("\n".join(lines), delimiters=DELIMITERS).delimiter
    except csv.Error:
        first = lines[0]
        counts = {d: first.count(d) for d in DELIMITERS}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","


def _no_nul(value: Any) -> Any:
    """The value with every NUL character replaced (in nested JSON values too, whose depth is already bounded)."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd") if "\x00" in value else value
    if isinstance(value, list):
        return [_no_nul(v) for v in value]
    if isinstance(value, dict):
        return {_no_nul(k): _no_nul(v) for k, v in value.items()}
    return value


def _unique_headers(raw: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for i, header in enumerate(raw):
        name = _no_nul((header or "").strip()) or f"column_{i + 1}"
        if name in seen:
            seen[name] += 1
            name = f"{name}_{seen[name]}"
        else:
            seen[name] = 1
        out.append(name)
    return out


def read_csv(path: Path, info: FileInfo, start_after: int = 0) -> Iterator[Row]:
    if not info.encoding or not info.delimiter:
        with path.open("rb") as fh:
            sample = fh.read(SAMPLE_BYTES)
        info.encoding = info.encoding or detect_encoding(sample)
        info.delimiter = info.delimiter or detect_delimiter(sample.decode(info.encoding, errors="replace"))
    bounds = limits.Limits.current()
    # The field limit is process-wide; lines are bounded before the parser sees them, so raise it to match.
    csv.field_size_limit(max(csv.field_size_limit(), bounds.line_chars))
    with path.open("r", encoding=info.encoding, errors="replace", newline="") as fh:
        reader = csv.reader(limits.BoundedLines(fh, bounds.line_chars), delimiter=info.delimiter)
        try:
            header = next(reader, None)
        except (csv.Error, limits.LineTooLong) as exc:
            raise UnreadableFile(_("the header row cannot be read: %(e)s") % {"e": exc}) from exc
        if not header:
            raise UnreadableFile("the file has no header row")
        if len(header) > bounds.columns:
            raise UnreadableFile(limits.too_many_columns(len(header), bounds))
        info.headers = _unique_headers(header)
        width = len(info.headers)
        line = 0
        while True:
            line += 1
            try:
                values = next(reader)
            except StopIteration:
                return
            except (csv.Error, limits.LineTooLong) as exc:
                if line > start_after:
                    yield line, {"_error": str(exc)}
                continue
            if line <= start_after:
                continue
            if not any(v.strip() for v in values):
                continue
            row = {info.headers[i]: values[i] if i < len(values) else "" for i in range(width)}
            if len(values) > width:
                row["_extra"] = info.delimiter.join(values[width:])
            yield line, row


def _cell(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def read_xlsx(path: Path, info: FileInfo, start_after: int = 0) -> Iterator[Row]:
    from openpyxl import load_workbook

    try:
        limits.check_zip(path, limits.Limits.current())
        book = load_workbook(path, read_only=True, data_only=True)
    except limits.LimitExceeded as exc:
        raise UnreadableFile(str(exc)) from exc
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise UnreadableFile(f"not a readable XLSX workbook: {exc}") from exc
    try:
        sheet = book.worksheets[0]
        sheet.reset_dimensions()  # never pad rows to the size the file claims, only to the cells it holds
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        if not header:
            raise UnreadableFile("the sheet has no header row")
        names = [_cell(h) for h in header]
        while names and not names[-1].strip():
            names.pop()
        if not names:
            raise UnreadableFile("the sheet has no header row")
        bounds = limits.Limits.current()
        if len(names) > bounds.columns:
            raise UnreadableFile(limits.too_many_columns(len(names), bounds))
        info.headers = _unique_headers(names)
        for line, values in enumerate(rows, start=1):
            if line <= start_after:
                continue
            cells = [_cell(v) for v in values]
            if not any(c.strip() for c in cells):
                continue
            yield line, {h: cells[i] if i < len(cells) else "" for i, h in enumerate(info.headers)}
    finally:
        book.close()


def _flatten(obj: dict[str, Any], prefix: str = "", depth: int = 1, max_depth: int = 32) -> dict[str, Any]:
    if depth > max_depth:
        raise RecursionError
    out: dict[str, Any] = {}
    for key, value in obj.items():
        name = _no_nul(f"{prefix}{key}")
        if isinstance(value, dict):
            out.update(_flatten(value, name + ".", depth + 1, max_depth))
        else:
            if isinstance(value, list) and _depth(value, depth + 1) > max_depth:
                raise RecursionError
            out[name] = value
    return out


def _depth(value: Any, depth: int) -> int:
    """How deep a parsed JSON value nests (lists and objects), counted without recursion."""
    deepest, stack = depth, [(value, depth)]
    while stack:
        item, level = stack.pop()
        deepest = max(deepest, level)
        if isinstance(item, dict):
            stack.extend((v, level + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, level + 1) for v in item)
    return deepest


def read_jsonl(path: Path, info: FileInfo, start_after: int = 0) -> Iterator[Row]:
    info.encoding = "utf-8"
    bounds = limits.Limits.current()
    headers: dict[str, None] = dict.fromkeys(info.headers)
    with path.open("r", encoding="utf-8-sig", errors="replace") as fh:
        lines = limits.BoundedLines(fh, bounds.line_chars)
        line = 0
        while True:
            line += 1
            try:
                text = next(lines)
            except StopIteration:
                return
            except limits.LineTooLong as exc:
                if line > start_after:
                    yield line, {"_error": str(exc)}
                continue
            if line <= start_after or not text.strip():
                continue
            try:
                obj = json_body.loads(text, max_depth=bounds.json_depth)
                row = _flatten(obj, max_depth=bounds.json_depth) if isinstance(obj, dict) else None
            except json_body.InvalidJson as exc:
                where = f"{exc.field}: " if exc.field else ""
                message = limits.json_too_deep(bounds) if exc.code == "too_deep" else exc.message
                yield line, {"_error": f"{where}{message}", "_raw": _clip(text)}
                continue
            except RecursionError:
                yield line, {"_error": limits.json_too_deep(bounds), "_raw": _clip(text)}
                continue
            if row is None:
                yield line, {"_error": "a line must hold a JSON object", "_raw": _clip(text)}
                continue
            if len(headers) + sum(1 for k in row if k not in headers) > bounds.columns:
                yield line, {"_error": limits.too_many_columns(len(set(headers) | set(row)), bounds),
                             "_raw": _clip(text)}
                continue
            headers.update(dict.fromkeys(row))
            info.headers = list(headers)
            yield line, row


def _clip(text: str, size: int = 500) -> str:
    """The start of a rejected line, kept for the error file (never the whole of a hostile line)."""
    text = text.strip()
    return text if len(text) <= size else text[:size] + "…"


def read_vcard(path: Path, info: FileInfo, start_after: int = 0) -> Iterator[Row]:
    with path.open("rb") as fh:
        sample = fh.read(SAMPLE_BYTES)
    info.encoding = info.encoding or detect_encoding(sample)
    info.headers = list(vcard.COLUMNS)
    with path.open("r", encoding=info.encoding, errors="replace", newline="") as fh:
        for line, card in enumerate(vcard.parse(fh), start=1):
            if line > start_after:
                yield line, card


READERS: dict[str, Callable[[Path, FileInfo, int], Iterator[Row]]] = {
    "csv": read_csv, "xlsx": read_xlsx, "jsonl": read_jsonl, "vcard": read_vcard,
}


def open_rows(path: Path, info: FileInfo, start_after: int = 0) -> Iterator[Row]:
    try:
        reader = READERS[info.format]
    except KeyError as exc:
        raise UnreadableFile(f"unknown format {info.format}") from exc
    return _bounded(reader(path, info, start_after), limits.Limits.current())


def _bounded(rows: Iterator[Row], bounds: limits.Limits) -> Iterator[Row]:
    """Every reader's rows held to the limits: a row past the last allowed ends the file, a giant cell fails its row.

    NUL characters become U+FFFD: PostgreSQL can store them neither in text nor in JSON.
    """
    for line, row in rows:
        if line > bounds.rows:
            raise UnreadableFile(limits.too_many_rows(bounds))
        row = {_no_nul(k): _no_nul(v) for k, v in row.items()}
        if "_error" not in row and any(isinstance(v, str) and len(v) > bounds.cell_chars for v in row.values()):
            row = {k: _clip(v, 200) if isinstance(v, str) else v for k, v in row.items()}
            row["_error"] = limits.cell_too_long(bounds)
        yield line, row


def sniff(path: Path, name: str = "", sample_size: int = 20) -> tuple[FileInfo, list[Row]]:
    """The file's format, encoding, delimiter and headers, with its first rows."""
    info = FileInfo(format=detect_format(path, name))
    rows: list[Row] = []
    for row in open_rows(path, info):
        rows.append(row)
        if len(rows) >= sample_size:
            break
    if not info.headers:
        raise UnreadableFile("the file holds no rows")
    return info, rows


def count_rows(path: Path, info: FileInfo) -> int:
    """Rows in the file, counted cheaply (for the progress bar)."""
    if info.format == "csv":
        with path.open("rb") as fh:
            return max(0, sum(buf.count(b"\n") for buf in iter(lambda: fh.read(1 << 20), b"")) - 1)
    if info.format == "jsonl":
        with path.open("rb") as fh:
            return sum(buf.count(b"\n") for buf in iter(lambda: fh.read(1 << 20), b""))
    if info.format == "vcard":
        with path.open("rb") as fh:
            return sum(buf.upper().count(b"BEGIN:VCARD") for buf in iter(lambda: fh.read(1 << 20), b""))
    return sum(1 for _ in open_rows(path, FileInfo(format=info.format)))


def file_hash(path: Path) -> str:
    import hashlib

    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for buf in iter(lambda: fh.read(1 << 20), b""):
            digest.update(buf)
    return digest.hexdigest()

