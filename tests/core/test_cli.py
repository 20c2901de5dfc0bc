"""The ``kundebase`` console script as an operator uses it: subprocesses against a fresh SQLite file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def _run(env: dict[str, str], *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kundebase", *args], env=env, text=True, capture_output=True,
                          input=stdin, timeout=300)


def _fresh(tmp: Path) -> dict[str, str]:
    env = dict(os.environ, KUNDEBASE_DATABASE_URL=f"sqlite:///{tmp}/kb.sqlite3", KUNDEBASE_DATA_DIR=str(tmp / "data"),
               KUNDEBASE_ENV="development")
    done = _run(env, "migrate", "--noinput", "-v", "0")
    assert done.returncode == 0, done.stderr
    return env


def test_createuser_token_authenticates_and_bad_role_fails(tmp_path):
    env = _fresh(tmp_path)
    done = _run(env, "createuser", "integration", "--role", "sales", "--password-stdin", "--api-token",
                stdin="a-long-and-good-passphrase\n")
    assert done.returncode == 0, done.stderr
    token = done.stdout.strip()
    assert token.startswith("kb_")
    check = ("import django, os; django.setup(); from django.test import Client; c = Client(); "
             f"print(c.get('/api/v1/persons', HTTP_AUTHORIZATION='Bearer {token}').status_code, "
             "c.get('/api/v1/persons', HTTP_AUTHORIZATION='Bearer kb_wrong').status_code)")
    res = subprocess.run([sys.executable, "-c", check], env=dict(env, DJANGO_SETTINGS_MODULE="kundebase.settings"),
                         text=True, capture_output=True, timeout=60)
    assert res.stdout.split() == ["200", "401"], res.stderr
    bad = _run(env, "createuser", "someone", "--role", "emperor")
    assert bad.returncode != 0 and "role" in bad.stderr and not bad.stdout
    weak = _run(env, "createuser", "weak", "--role", "sales", "--password-stdin", stdin="123\n")
    assert weak.returncode != 0 and "password" in weak.stderr


def test_unknown_command_and_bad_database_url_fail_readably(tmp_path):
    env = dict(os.environ, KUNDEBASE_DATA_DIR=str(tmp_path), KUNDEBASE_DATABASE_URL="mysql://nowhere/db")
    done = _run(env, "migrate")
    assert done.returncode != 0 and "KUNDEBASE_DATABASE_URL" in done.stderr and "Traceback" not in done.stderr
    env = _fresh(tmp_path)
    done = _run(env, "no-such-command")
    assert done.returncode != 0 and "Unknown command" in done.stderr
