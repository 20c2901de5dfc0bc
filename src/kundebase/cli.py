"""The ``kundebase`` console script.

Every subcommand is a Django management command living in the app that owns
it (``parties/management/commands/demo.py``, ``privacy/.../audit.py`` …), so
the CLI grows with the apps instead of in one file.  Errors are printed on
stderr with a non-zero exit; no traceback reaches the user unless
``KUNDEBASE_DEBUG_CLI=1``.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kundebase.settings")
    argv = list(sys.argv if argv is None else ["kundebase", *argv])
    argv[0] = "kundebase"
    from django.core.exceptions import ImproperlyConfigured

    try:
        from django.core.management import execute_from_command_line

        execute_from_command_line(argv)
    except ImproperlyConfigured as exc:
        sys.stderr.write(f"kundebase: configuration error: {exc}\n")
        return 2
    except KeyboardInterrupt:
        sys.stderr.write("kundebase: interrupted\n")
        return 130
    except Exception as exc:  # a last guard: the user sees a sentence, not a traceback
        if os.environ.get("KUNDEBASE_DEBUG_CLI") == "1":
            raise
        sys.stderr.write(f"kundebase: error: {type(exc).__name__}: {exc}\n")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
