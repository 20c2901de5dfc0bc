"""A real Kundebase installation for the journeys: its own database, demo data, users and a `kundebase serve`.

The server runs as a subprocess with exactly the environment a user gives it (``make demo`` is
``KUNDEBASE_ENV=development``, DEBUG on; production is ``KUNDEBASE_ENV=production`` with a strong secret and
its host names), on the database the test pass runs on: a new SQLite file, or a new database in the pass's
PostgreSQL cluster. Nothing is shared with pytest-django's test database.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "kundebase-demo-2026"
"""The password ``make demo`` gives its ``demo`` user."""
MODES = ("development", "production")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def new_database_url(folder: Path, name: str) -> str:
    """A database of its own on the pass's backend: a SQLite file in ``folder`` or a new PostgreSQL database."""
    url = os.environ.get("KUNDEBASE_DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return f"sqlite:///{folder / 'kundebase.sqlite3'}"
    import psycopg

    from kundebase.config import database_settings

    db = database_settings(url)
    dbname = f"journey_{name}_{uuid.uuid4().hex[:8]}"
    conninfo = {"dbname": db["NAME"], "user": db.get("USER") or None, "host": db.get("HOST") or None,
                "port": db.get("PORT") or None, "password": db.get("PASSWORD") or None}
    with psycopg.connect(**{k: v for k, v in conninfo.items() if v}, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{dbname}"')
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + dbname, parts.query, parts.fragment))


@dataclass
class Server:
    """One installation: ``cli()`` runs `kundebase` commands on it, ``start()`` serves it over HTTP."""

    mode: str
    folder: Path
    database_url: str
    port: int = field(default_factory=free_port)
    token: str = ""
    analyst_token: str = ""
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("KUNDEBASE_", "DJANGO_", "PYTEST"))}
        env.update(KUNDEBASE_ENV=self.mode, KUNDEBASE_DATA_DIR=str(self.folder),
                   KUNDEBASE_DATABASE_URL=self.database_url, PYTHONPATH=str(ROOT / "src"))
        if self.mode == "production":
            # Production as it runs behind its TLS-terminating proxy: reached over plain HTTP on loopback, so the
            # redirect to HTTPS (which the proxy's own port answers) is left to the proxy. Everything else —
            # secure cookies, HSTS, the checks of the secret and the hosts — is as in production.
            env.update(KUNDEBASE_SECRET_KEY=secret_key(self.folder), KUNDEBASE_ALLOWED_HOSTS="127.0.0.1,localhost",
                       KUNDEBASE_BASE_URL=self.url, KUNDEBASE_SSL_REDIRECT="0")
        return env

    def cli(self, *args: str, stdin: str | None = None, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        """Run ``kundebase ARGS`` against this installation; a failure fails the journey with its stderr."""
        done = subprocess.run([sys.executable, "-m", "kundebase", *args], env=self.env, cwd=self.folder,
                              input=stdin, capture_output=True, text=True, timeout=timeout)
        if done.returncode != 0:
            said = [line for line in done.stderr.splitlines() if "%|" not in line][-8:]  # no progress bars
            raise AssertionError(f"kundebase {' '.join(args)} exited {done.returncode}: {' / '.join(said)}")
        return done

    def install(self, customers: int) -> Server:
        """What ``make demo`` does before serving, plus an administrator's and an analyst's API token."""
        self.cli("migrate", "--noinput", "-v", "0")
        self.cli("demo", "--customers", str(customers), "--if-empty", "--no-progress")
        self.token = self.cli("createuser", "demo", "--role", "administrator", "--password-stdin", "--update",
                              "--api-token", stdin=PASSWORD + "\n").stdout.strip()
        self.analyst_token = self.cli("createuser", "anna", "--role", "analyst", "--password-stdin",
                                      "--api-token", stdin=PASSWORD + "\n").stdout.strip()
        return self

    def start(self, *serve_args: str) -> Server:
        """Serve with 2 workers of 4 threads; ``serve_args`` are more options for `kundebase serve`."""
        # The port is chosen now, not when the installation was made: setting it up takes minutes, in which
        # another server on this machine may have taken the port chosen then.
        self.port = free_port()
        log = (self.folder / "serve.log").open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "kundebase", "serve", "--host", "127.0.0.1", "--port", str(self.port),
             "--workers", "2", "--threads", "4", *serve_args], env=self.env, cwd=self.folder, stdout=log, stderr=log,
            start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"kundebase serve exited {self.process.returncode}: {self.log()}")
            try:
                with urllib.request.urlopen(self.url + "/api/v1/health", timeout=2) as res:
                    if res.status == 200:
                        return self
            except OSError:
                time.sleep(0.2)
        said = self.log()
        self.stop()  # a server that never answered is not left running behind the failed test
        raise AssertionError(f"kundebase serve did not answer within 60 s: {said}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def errors_logged(self) -> str:
        """The server log's error lines and the last line of each traceback (which names the cause), once each."""
        lines = self.log(200_000).splitlines()
        keep = []
        for i, line in enumerate(lines):
            head = line.split(":")[0]
            if " ERROR " in line:
                keep.append(line.split(" ERROR ", 1)[1])
            elif line[:1].isalpha() and ("Error" in head or "Exception" in head) and i and lines[i - 1][:1] == " ":
                keep.append(line)
        return "\n".join(dict.fromkeys(keep))[-3000:]

    def log(self, tail: int = 4000) -> str:
        path = self.folder / "serve.log"
        return path.read_text(errors="replace")[-tail:] if path.exists() else ""


def secret_key(folder: Path) -> str:
    """A strong secret, the same for every command of one installation (sessions and tokens must verify)."""
    path = folder / "production-secret"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
    return path.read_text()
