"""A throwaway PostgreSQL cluster for the test suite.

PostgreSQL refuses to run as root, so as root the cluster is created and
started as the ``postgres`` user in a temporary folder it owns; it listens on
a Unix socket in that folder only (no TCP port, so parallel suites never
collide).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path


def pg_bin() -> Path | None:
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if Path(candidate, "initdb").exists():
            return Path(candidate)
    found = shutil.which("initdb")
    return Path(found).parent if found else None


@dataclass
class Cluster:
    folder: Path
    bin: Path
    run_as: str | None
    port: int = 5432
    keep: bool = False
    """A kept cluster (a benchmark store loaded once, measured many times) survives ``stop()``."""

    @property
    def url(self) -> str:
        return f"postgresql://postgres@/postgres?host={self.folder}&port={self.port}"

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        cmd = [str(a) for a in args]
        if self.run_as:
            cmd = ["runuser", "-u", self.run_as, "--", *cmd]
        return subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=120)

    def start(self) -> Cluster:
        data = self.folder / "data"
        if not (data / "PG_VERSION").exists():
            self._run(str(self.bin / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8",
                      "--locale=C.UTF-8")
        options = (f"-p {self.port} -k {self.folder} -c listen_addresses='' -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200 "
                   "-c shared_buffers=256MB")
        self._run(str(self.bin / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(self.folder / "log"),
                  "-w", "-t", "60", "start")
        return self

    def stop(self) -> None:
        try:
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.folder / "data"), "-m",
                      "fast" if self.keep else "immediate", "stop")
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
            pass
        if not self.keep:
            shutil.rmtree(self.folder, ignore_errors=True)


def start(folder: Path | None = None) -> Cluster:
    """Start a cluster or raise ``RuntimeError`` saying why it cannot be had here.

    Without ``folder`` the cluster is throwaway; with one, it is created there once, started again
    from there on later calls, and kept when stopped.
    """
    binary = pg_bin()
    if binary is None:
        raise RuntimeError("PostgreSQL server binaries (initdb) not found; install postgresql")
    keep = folder is not None
    folder = Path(folder) if folder is not None else Path(tempfile.mkdtemp(prefix="kb-pg-"))
    folder.mkdir(parents=True, exist_ok=True)
    run_as = None
    if os.geteuid() == 0:
        try:
            user = pwd.getpwnam("postgres")
        except KeyError as exc:
            raise RuntimeError("running as root and there is no 'postgres' user to run PostgreSQL as") from exc
        os.chown(folder, user.pw_uid, user.pw_gid)
        folder.chmod(0o755)
        run_as = "postgres"
    cluster = Cluster(folder=folder, bin=binary, run_as=run_as, keep=keep)
    try:
        return cluster.start()
    except subprocess.CalledProcessError as exc:
        log = (folder / "log").read_text() if (folder / "log").exists() else ""
        cluster.stop()
        raise RuntimeError(f"PostgreSQL did not start: {exc.stderr or exc.stdout}\n{log}") from exc
