"""Security headers: a strict Content Security Policy everywhere, HTTPS-only behaviour in production."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src"
GOOD_SECRET = "kQ3v9_Xz-7LmNp2RtYb8WcJd4FhGs6Ae1UoIi0KyTqVnBxMwZlPr"


def _production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    # A clean deployment environment: none of the test run's own KUNDEBASE_* or DJANGO_* variables (the browser
    # tests set DJANGO_ALLOW_ASYNC_UNSAFE, which a deployment must not).
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KUNDEBASE_", "DJANGO_"))}
    env.update({"KUNDEBASE_ENV": "production", "KUNDEBASE_SECRET_KEY": GOOD_SECRET,
                "KUNDEBASE_ALLOWED_HOSTS": "crm.example.com", "KUNDEBASE_DATA_DIR": str(tmp_path),
                "KUNDEBASE_DATABASE_URL": f"sqlite:///{tmp_path}/kb.sqlite3", "PYTHONPATH": str(SRC)}, **extra)
    return env


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    res = subprocess.run([sys.executable, "-m", "kundebase", "check", "--deploy", "--fail-level", "WARNING"],
                         env=_production_env(tmp_path), capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "no issues" in res.stdout


PROBE = """
import django
django.setup()
from django.test import Client
plain = Client(HTTP_HOST="crm.example.com").get("/login/")
print("plain", plain.status_code, plain.get("Location", ""))
proxied = Client(HTTP_HOST="crm.example.com", HTTP_X_FORWARDED_PROTO="https").get("/login/")
print("proxied", proxied.status_code, proxied.get("Strict-Transport-Security", ""))
print("cookie-secure", bool(proxied.cookies["csrftoken"]["secure"]))
"""


def test_production_redirects_to_https_and_sends_hsts_behind_a_proxy(tmp_path):
    env = _production_env(tmp_path, KUNDEBASE_PROXY_SSL_HEADER="X-Forwarded-Proto",
                          DJANGO_SETTINGS_MODULE="kundebase.settings")
    migrate = subprocess.run([sys.executable, "-m", "kundebase", "migrate", "-v0"], env=env, capture_output=True,
                             text=True, timeout=300)
    assert migrate.returncode == 0, migrate.stderr
    res = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    lines = dict(line.split(" ", 1) for line in res.stdout.strip().splitlines())
    assert lines["plain"] == "301 https://crm.example.com/login/"
    status, hsts = lines["proxied"].split(" ", 1)
    assert status == "200" and "max-age=31536000" in hsts and "includeSubDomains" in hsts
    assert lines["cookie-secure"] == "True"


@pytest.mark.django_db
def test_every_page_gets_a_strict_content_security_policy(client_as):
    client = client_as("administrator")
    res = client.get("/")
    policy = res["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    assert directives["default-src"] == "'self'" and directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'" and directives["base-uri"] == "'none'"
    assert res["X-Content-Type-Options"] == "nosniff" and res["Referrer-Policy"] == "same-origin"
    assert res["X-Frame-Options"] == "DENY"
    # A page with a nonce'd style block names the same nonce in its policy.
    page = client.get("/analytics/")
    nonce = re.search(r'<style nonce="([^"]+)"', page.content.decode())
    assert nonce and f"'nonce-{nonce.group(1)}'" in page["Content-Security-Policy"]


@pytest.mark.django_db
def test_the_newsletter_form_alone_may_be_framed_by_other_sites(db):
    from kundebase.marketing.models import Newsletter

    letter = Newsletter.objects.create(key="news", name="News")
    res = Client().get(f"/newsletter/{letter.key}/subscribe")
    assert res.status_code == 200
    assert "frame-ancestors *" in res["Content-Security-Policy"]
    assert "script-src 'self'" in res["Content-Security-Policy"]


INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I), "inline script"),
    (re.compile(r"<style(?![^>]*\bnonce=)[^>]*>", re.I), "style block without nonce"),
    (re.compile(r"<[a-z][^>]*\sstyle=\"", re.I), "style attribute"),
    (re.compile(r"<[a-z][^>]*\son[a-z]+=\"", re.I), "inline event handler"),
]
STANDALONE = {"privacy/access_report.html"}  # a downloaded document, opened from disk, not served as a page


def test_no_template_relies_on_inline_code_the_policy_would_block():
    found = []
    for path in sorted(SRC.glob("kundebase/*/templates/**/*.html")):
        if any(path.as_posix().endswith(s) for s in STANDALONE):
            continue
        text = re.sub(r"<pre>.*?</pre>", "", path.read_text(), flags=re.S)  # shown code, not markup
        found += [f"{path.relative_to(SRC)}: {what}" for rx, what in INLINE if rx.search(text)]
    assert not found, found
