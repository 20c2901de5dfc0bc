"""One way to start the browser tests' Chromium: Debian's binary, driven by Playwright, with the same flags.

Playwright's sync API runs an event loop in the thread while the browser is open; the tests' own ORM calls
stay synchronous, which Django allows once told (``DJANGO_ALLOW_ASYNC_UNSAFE``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run"]


@contextmanager
def opened() -> Iterator[Any]:
    """A headless Chromium, closed when the block ends; a clear failure when the package is missing."""
    if not os.path.exists(CHROMIUM):
        pytest.fail("Chromium is required for the browser tests: bash scripts/system-packages.sh")
    from playwright.sync_api import sync_playwright

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()
