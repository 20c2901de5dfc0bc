"""Limits on import files, so a hostile or broken file is refused or cut with a clear message, never obeyed.

An XLSX workbook is a zip archive: one small file can unpack to gigabytes (a
"zip bomb") or hold a single cell of hundreds of megabytes that a parser would
build in memory whole.  :func:`check_file` looks at the archive before any
parser opens it — the uploaded size, every member's real unpacked size and
compression ratio, and the longest run of text between two XML tags — reading
it in 1 MB pieces so memory stays flat whatever the file claims.  The readers
then hold every line, cell, row count, column count and JSON depth to the
limits below.  Every limit is a ``KUNDEBASE_IMPORT_MAX_*`` setting
(docs/settings.md).
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.utils.translation import gettext as _

MB = 1024 * 1024
PIECE = MB
RATIO_FROM = MB
"""Members smaller than this may compress as well as they like (empty styles, repeated blanks)."""
BYTES_PER_CHAR = 6
"""An XML cell of n characters takes at most about 6n bytes (``&quot;`` for a quote): the pre-scan's bound."""


class LimitExceeded(ValueError):
    """The file is larger, deeper or wider than the import limits allow."""


@dataclass(frozen=True)
class Limits:
    file_bytes: int
    uncompressed_bytes: int
    compression_ratio: int
    rows: int
    columns: int
    cell_chars: int
    line_chars: int
    json_depth: int
    error_rows: int

    @classmethod
    def current(cls) -> Limits:
        """The limits in force (Django settings, which tests may override)."""
        from django.conf import settings

        def get(name: str) -> int:
            return int(getattr(settings, f"KUNDEBASE_IMPORT_MAX_{name}"))

        return cls(file_bytes=get("FILE_MB") * MB, uncompressed_bytes=get("UNCOMPRESSED_MB") * MB,
                   compression_ratio=get("COMPRESSION_RATIO"), rows=get("ROWS"), columns=get("COLUMNS"),
                   cell_chars=get("CELL_CHARS"), line_chars=get("LINE_CHARS"), json_depth=get("JSON_DEPTH"),
                   error_rows=get("ERROR_ROWS"))


def check_size(size: int, limits: Limits | None = None) -> None:
    limits = limits or Limits.current()
    if size > limits.file_bytes:
        raise LimitExceeded(_("The file is %(size)s MB; files up to %(max)s MB can be imported "
                              "(KUNDEBASE_IMPORT_MAX_FILE_MB)") % {"size": round(size / MB, 1),
                                                                    "max": limits.file_bytes // MB})


def check_zip(path: Path, limits: Limits) -> None:
    """Refuse an XLSX archive that unpacks too far, too steeply or to a giant cell (the XLSX reader calls it)."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise LimitExceeded(_("not a readable XLSX workbook: %(e)s") % {"e": exc}) from exc
    with archive:
        members = archive.infolist()
        if len(members) > 10_000:
            raise LimitExceeded(_("The workbook holds %(n)s parts; this is not a spreadsheet") % {"n": len(members)})
        total = 0
        for member in members:
            try:
                with archive.open(member) as stream:
                    total = _scan_member(stream, member, total, limits)
            except (zipfile.BadZipFile, NotImplementedError, RuntimeError, EOFError, OSError) as exc:
                raise LimitExceeded(_("not a readable XLSX workbook: %(e)s") % {"e": exc}) from exc


def _scan_member(stream: IO[bytes], member: zipfile.ZipInfo, total: int, limits: Limits) -> int:
    """Read one member in pieces: its real size, its ratio and its longest text run, stopping at the first excess."""
    size = 0
    run = 0  # bytes since the last "<" (a cell's text, or a tag)
    longest = limits.cell_chars * BYTES_PER_CHAR + 4096
    xml = member.filename.endswith((".xml", ".rels"))
    for piece in iter(lambda: stream.read(PIECE), b""):
        size += len(piece)
        if total + size > limits.uncompressed_bytes:
            raise LimitExceeded(_("The workbook unpacks to more than %(max)s MB "
                                  "(KUNDEBASE_IMPORT_MAX_UNCOMPRESSED_MB)") % {"max": limits.uncompressed_bytes // MB})
        if size > RATIO_FROM and size > max(member.compress_size, 1) * limits.compression_ratio:
            raise LimitExceeded(_("The workbook part %(part)s unpacks more than %(ratio)s times its packed size: "
                                  "refused as a possible zip bomb (KUNDEBASE_IMPORT_MAX_COMPRESSION_RATIO)")
                                % {"part": member.filename, "ratio": limits.compression_ratio})
        if xml:
            parts = piece.split(b"<")
            if len(parts) == 1:
                run += len(piece)
            else:
                run = max(run + len(parts[0]), max(map(len, parts[1:-1]), default=0))
                if run <= longest:
                    run = len(parts[-1])
            if run > longest:
                raise LimitExceeded(_("The workbook holds a cell longer than %(max)s characters "
                                      "(KUNDEBASE_IMPORT_MAX_CELL_CHARS)") % {"max": limits.cell_chars})
    return total + size


class LineTooLong(ValueError):
    """One line of a text file is longer than ``KUNDEBASE_IMPORT_MAX_LINE_CHARS``; it was skipped."""


class BoundedLines:
    """The lines of a text file, each read with at most ``max_chars`` characters in memory.

    A longer line is read through to its end in pieces and skipped; ``__next__``
    then raises :class:`LineTooLong`, and the iteration can go on with the next
    line (a plain generator could not go on after raising), so the reader
    turns that line into an error row.
    """

    def __init__(self, handle: IO[str], max_chars: int) -> None:
        self.handle = handle
        self.max_chars = max_chars

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        line = self.handle.readline(self.max_chars + 1)
        if not line:
            raise StopIteration
        if len(line) > self.max_chars and not line.endswith(("\n", "\r")):
            while True:
                rest = self.handle.readline(PIECE)
                if not rest or rest.endswith(("\n", "\r")):
                    break
            raise LineTooLong(_("The line is longer than %(max)s characters (KUNDEBASE_IMPORT_MAX_LINE_CHARS)")
                              % {"max": self.max_chars})
        return line


def cell_too_long(limits: Limits) -> str:
    return _("A cell is longer than %(max)s characters (KUNDEBASE_IMPORT_MAX_CELL_CHARS)") % {"max": limits.cell_chars}


def json_too_deep(limits: Limits) -> str:
    return _("The JSON is nested deeper than %(max)s levels (KUNDEBASE_IMPORT_MAX_JSON_DEPTH)") % {
        "max": limits.json_depth}


def too_many_rows(limits: Limits) -> str:
    return _("The file has more than %(max)s rows (KUNDEBASE_IMPORT_MAX_ROWS)") % {"max": limits.rows}


def too_many_columns(count: int, limits: Limits) -> str:
    return _("The file has %(n)s columns; at most %(max)s can be imported (KUNDEBASE_IMPORT_MAX_COLUMNS)") % {
        "n": count, "max": limits.columns}
