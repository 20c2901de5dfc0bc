"""Compile every app's ``locale/*/LC_MESSAGES/django.po`` to ``.mo`` with Babel (no GNU gettext needed).

``python scripts/compilemessages.py`` writes the .mo files; ``--check`` exits 1
when a committed .mo is older than its .po, so a stale translation cannot land.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent / "src" / "kundebase"


def compiled(po_path: Path) -> bytes:
    with po_path.open("rb") as fh:
        catalog = read_po(fh)
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def main(argv: list[str]) -> int:
    check = "--check" in argv
    stale = []
    for po in sorted(ROOT.rglob("locale/*/LC_MESSAGES/*.po")):
        mo = po.with_suffix(".mo")
        data = compiled(po)
        if check:
            if not mo.exists() or mo.read_bytes() != data:
                stale.append(str(mo))
        else:
            mo.write_bytes(data)
    if stale:
        sys.stderr.write("stale or missing .mo files (run python scripts/compilemessages.py):\n  "
                         + "\n  ".join(stale) + "\n")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
