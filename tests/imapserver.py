"""A throwaway Dovecot IMAP server for the test suite.

Like :mod:`tests.pgcluster` for PostgreSQL: its own configuration, state and mail in a temporary folder,
listening on a free loopback port with plaintext login allowed (loopback only, no TLS) for users kept in a
passwd-file.  Mail is stored as the user running the tests.
"""

from __future__ import annotations

import grp
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _internal_user() -> str:
    """Dovecot drops privileges of its helper processes to this account when started as root."""
    for name in ("dovecot", "dovenull", "nobody"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    return pwd.getpwuid(os.getuid()).pw_name


@dataclass
class ImapServer:
    folder: Path
    port: int
    users: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None

    @property
    def config(self) -> Path:
        return self.folder / "dovecot.conf"

    def _write_config(self) -> None:
        root = os.getuid() == 0
        # Dovecot refuses to keep mail as root: as root, mail belongs to ``nobody`` in a folder open to it.
        account = pwd.getpwnam("nobody") if root else pwd.getpwuid(os.getuid())
        uid, gid, user = account.pw_uid, account.pw_gid, account.pw_name
        group = grp.getgrgid(gid).gr_name
        internal = _internal_user() if root else user
        login = ("dovenull" if _exists("dovenull") else internal) if root else user
        (self.folder / "passwd").write_text(
            "".join(f"{name}:{{PLAIN}}{password}:{uid}:{gid}::{self.folder}/home/{name}\n"
                    for name, password in self.users.items()))
        self.config.write_text(f"""
protocols = imap
listen = 127.0.0.1
base_dir = {self.folder}/run
state_dir = {self.folder}/state
log_path = {self.folder}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 0
first_valid_gid = 0
default_internal_user = {internal}
default_internal_group = {grp.getgrgid(pwd.getpwnam(internal).pw_gid).gr_name}
default_login_user = {login}
mail_location = maildir:~/Maildir
mail_uid = {user}
mail_gid = {group}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {self.folder}/passwd
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {self.folder}/passwd
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}""")

    def start(self) -> ImapServer:
        for sub in ("run", "state", "home"):
            (self.folder / sub).mkdir(parents=True, exist_ok=True)
        os.chmod(self.folder, 0o755)
        os.chmod(self.folder / "home", 0o777)
        self._write_config()
        self.process = subprocess.Popen([DOVECOT, "-F", "-c", str(self.config)], stdout=subprocess.DEVNULL,
                                        stderr=subprocess.PIPE)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"dovecot stopped: {self.process.stderr.read().decode()[:2000]}"  # type: ignore[union-attr]
                                   f"{self.log()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                    if s.recv(200).startswith(b"* OK"):
                        return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"dovecot did not answer on port {self.port}: {self.log()}")

    def log(self) -> str:
        path = self.folder / "dovecot.log"
        return path.read_text(errors="replace")[-2000:] if path.exists() else ""

    def stop(self) -> None:
        """Stop the server (the port refuses connections afterwards); the mail stays until ``remove``."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


def _exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


def start(users: dict[str, str]) -> ImapServer:
    """Start a server with these ``{user: password}`` or raise ``RuntimeError`` saying why it cannot be had."""
    if not Path(DOVECOT).exists():
        raise RuntimeError("dovecot not found; install dovecot-imapd")
    folder = Path(tempfile.mkdtemp(prefix="kb-imap-"))
    return ImapServer(folder=folder, port=_free_port(), users=dict(users)).start()
