"""Bodies sent in chunks, without Content-Length, through the production server (gunicorn): read up to the
limit and judged like any other; a larger one is 413 problem+json, not a silently empty body."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """gunicorn serving the project; the answers under test come before any database access."""
    port = _free_port()
    data = tmp_path_factory.mktemp("gunicorn")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "KUNDEBASE_ENV": "test",
           "KUNDEBASE_DATA_DIR": str(data), "KUNDEBASE_DATABASE_URL": f"sqlite:///{data}/db.sqlite3",
           "DJANGO_SETTINGS_MODULE": "kundebase.settings"}
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "kundebase.wsgi:application", "-b",
                             f"127.0.0.1:{port}", "-w", "1", "--timeout", "60"], env=env, cwd=data,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def _post_chunked(port: int, path: str, body: bytes) -> tuple[int, str, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.putrequest("POST", path)
    conn.putheader("Content-Type", "application/json")
    conn.putheader("Transfer-Encoding", "chunked")
    conn.endheaders()
    try:
        for start in range(0, len(body), 256 * 1024):
            chunk = body[start:start + 256 * 1024]
            conn.send(f"{len(chunk):X}\r\n".encode() + chunk + b"\r\n")
        conn.send(b"0\r\n\r\n")
    except (BrokenPipeError, ConnectionResetError):
        pass  # the server answered before taking it all
    res = conn.getresponse()
    answer = (res.status, res.getheader("Content-Type") or "", json.loads(res.read() or b"{}"))
    conn.close()
    return answer


def test_a_chunked_body_is_read_not_taken_for_empty(server):
    status, content_type, body = _post_chunked(server, "/api/v1/persons", b'{"family_name": ')
    assert (status, content_type, body["code"]) == (400, "application/problem+json", "invalid_json")


def test_a_chunked_body_over_10_mb_is_413(server):
    status, content_type, body = _post_chunked(server, "/api/v1/persons",
                                               b'{"family_name": "' + b"x" * (11 * 1024 * 1024) + b'"}')
    assert (status, content_type, body["code"]) == (413, "application/problem+json", "payload_too_large")


def test_a_chunked_event_batch_over_10_mb_is_413(server):
    status, _content_type, body = _post_chunked(server, "/v1/batch", b'{"batch": ["' + b"x" * (11 * 1024 * 1024)
                                                + b'"]}')
    assert status == 413 and body["code"] == "payload_too_large"
