"""Imports lower their processor priority (``KUNDEBASE_BACKGROUND_NICE``); the caller's own is left alone."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import pytest

from kundebase.core import priority

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a niceness per thread is Linux's")


def _mine() -> int:
    return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())


def test_lowered_work_runs_below_the_caller_which_keeps_its_priority(settings):
    settings.KUNDEBASE_BACKGROUND_NICE = 3
    before = _mine()
    if before > 16:
        pytest.skip("this process already runs at the lowest priority")  # (an import command run before)
    seen = priority.run_lowered(_mine)
    assert seen == before + 3
    assert _mine() == before


def test_lowered_work_hands_back_its_result_and_its_error(settings):
    settings.KUNDEBASE_BACKGROUND_NICE = 1
    assert priority.run_lowered(lambda a, *, b: a + b, 2, b=3) == 5

    def fails() -> None:
        raise LookupError("not here")

    with pytest.raises(LookupError, match="not here"):
        priority.run_lowered(fails)


def test_nothing_is_lowered_at_zero(settings):
    settings.KUNDEBASE_BACKGROUND_NICE = 0
    before = _mine()
    assert priority.run_lowered(lambda: threading.get_native_id()) == threading.get_native_id()  # no thread
    priority.lower_this_process()
    assert _mine() == before


def test_a_command_lowers_its_own_priority_as_set():
    code = ("import os, django; django.setup(); from kundebase.core import priority; "
            "before = os.getpriority(os.PRIO_PROCESS, 0); priority.lower_this_process(); "
            "print(before, os.getpriority(os.PRIO_PROCESS, 0))")
    env = {**os.environ, "KUNDEBASE_BACKGROUND_NICE": "4", "DJANGO_SETTINGS_MODULE": "kundebase.settings"}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stderr
    before, after = map(int, done.stdout.split())
    assert after == min(19, before + 4) and (after > before or before == 19)


@pytest.mark.parametrize("value", ["-1", "20", "low", "2.5"])
def test_a_bad_niceness_is_refused_at_start(monkeypatch, value):
    from django.core.exceptions import ImproperlyConfigured

    from kundebase import config

    monkeypatch.setenv("KUNDEBASE_BACKGROUND_NICE", value)
    with pytest.raises(ImproperlyConfigured, match="KUNDEBASE_BACKGROUND_NICE"):
        config.load()


def test_imports_are_lowered_by_default_except_in_tests(monkeypatch):
    from kundebase import config

    monkeypatch.delenv("KUNDEBASE_BACKGROUND_NICE", raising=False)
    assert config.load().background_nice == 0  # this run's environment: the test runner is not lowered
    monkeypatch.setenv("KUNDEBASE_ENV", "development")
    assert config.load().background_nice == 10
