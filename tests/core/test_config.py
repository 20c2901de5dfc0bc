"""The environment is validated at start-up: bad or insecure values stop the start with a clear message."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from kundebase import config

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    for key in list(__import__("os").environ):
        if key.startswith("KUNDEBASE_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("KUNDEBASE_DATA_DIR", str(tmp_path))
    return monkeypatch


def test_development_defaults_generate_and_keep_a_secret(clean_env, tmp_path):
    first = config.load()
    assert first.environment == "development"
    assert len(first.secret_key) >= 32
    assert config.load().secret_key == first.secret_key
    assert first.database_url == f"sqlite:///{tmp_path / 'kundebase.sqlite3'}"


GOOD_SECRET = "kQ3v9_Xz-7LmNp2RtYb8WcJd4FhGs6Ae1UoIi0KyTqVnBxMwZlPr"


@pytest.mark.parametrize("secret", [
    "", "changeme", "short",
    "kQ3v9_Xz-7LmNp2RtYb8WcJd4FhGs6Ae1UoIi0KyTqVnBxMw",  # 48 characters: Django's deploy check wants 50
    "abababababababababababababababababababababababababab",  # long but only two different characters
    "django-insecure-" + GOOD_SECRET,  # the placeholder startproject writes
    "please-change-me-" + GOOD_SECRET,
])
def test_production_refuses_missing_or_weak_secret(clean_env, secret):
    clean_env.setenv("KUNDEBASE_ENV", "production")
    clean_env.setenv("KUNDEBASE_ALLOWED_HOSTS", "crm.example.com")
    if secret:
        clean_env.setenv("KUNDEBASE_SECRET_KEY", secret)
    with pytest.raises(ImproperlyConfigured, match="KUNDEBASE_SECRET_KEY"):
        config.load()


def test_production_accepts_a_strong_secret(clean_env):
    clean_env.setenv("KUNDEBASE_ENV", "production")
    clean_env.setenv("KUNDEBASE_ALLOWED_HOSTS", "crm.example.com")
    clean_env.setenv("KUNDEBASE_SECRET_KEY", GOOD_SECRET)
    loaded = config.load()
    assert loaded.secret_key == GOOD_SECRET and loaded.ssl_redirect and loaded.hsts_seconds >= 31536000


@pytest.mark.parametrize("hosts", ["*", "crm.example.com,*"])
def test_production_refuses_a_wildcard_host(clean_env, hosts):
    clean_env.setenv("KUNDEBASE_ENV", "production")
    clean_env.setenv("KUNDEBASE_SECRET_KEY", GOOD_SECRET)
    clean_env.setenv("KUNDEBASE_ALLOWED_HOSTS", hosts)
    with pytest.raises(ImproperlyConfigured, match=r"KUNDEBASE_ALLOWED_HOSTS must not contain '\*'"):
        config.load()


def test_production_requires_allowed_hosts(clean_env):
    clean_env.setenv("KUNDEBASE_ENV", "production")
    clean_env.setenv("KUNDEBASE_SECRET_KEY", "x" * 50)
    with pytest.raises(ImproperlyConfigured, match="KUNDEBASE_ALLOWED_HOSTS"):
        config.load()


@pytest.mark.parametrize(("name", "value"), [("KUNDEBASE_ENV", "staging"), ("KUNDEBASE_DEFAULT_COUNTRY", "NOR")])
def test_bad_values_are_named(clean_env, name, value):
    clean_env.setenv(name, value)
    with pytest.raises(ImproperlyConfigured, match=name):
        config.load()


def test_database_urls(tmp_path):
    sqlite = config.database_settings(f"sqlite:///{tmp_path}/a.sqlite3")
    assert sqlite["ENGINE"] == "django.db.backends.sqlite3"
    assert sqlite["NAME"] == f"{tmp_path}/a.sqlite3"
    pg = config.database_settings("postgresql://kb:s%40cret@db.example.com:5433/crm")
    assert (pg["ENGINE"], pg["NAME"], pg["USER"], pg["PASSWORD"], pg["HOST"], pg["PORT"]) == (
        "django.db.backends.postgresql", "crm", "kb", "s@cret", "db.example.com", "5433")
    sock = config.database_settings("postgresql:///crm?host=/run/postgresql")
    assert sock["HOST"] == "/run/postgresql"
    with pytest.raises(ImproperlyConfigured, match="not supported"):
        config.database_settings("mysql://x/y")
    with pytest.raises(ImproperlyConfigured, match="database name"):
        config.database_settings("postgresql://host/")


def test_every_setting_is_documented():
    source = (ROOT / "src/kundebase/config.py").read_text()
    documented = (ROOT / "docs/settings.md").read_text()
    names = set(re.findall(r"KUNDEBASE_[A-Z_]+", source))
    missing = sorted(n for n in names if f"`{n}`" not in documented)
    assert not missing, f"settings missing from docs/settings.md: {missing}"


def test_readme_gives_the_two_commands():
    readme = (ROOT / "README.md").read_text()
    makefile = (ROOT / "Makefile").read_text()
    assert "make demo" in readme and "make test" in readme
    assert re.search(r"^demo:", makefile, re.M) and re.search(r"^test:", makefile, re.M)
    assert "make test" in (ROOT / ".ci/run").read_text()
