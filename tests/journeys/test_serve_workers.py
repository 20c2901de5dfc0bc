"""No downtime: `kundebase serve --workers 2` keeps answering profiles while a file import runs, and a stopping
server drains (``/ready`` 503, every other request still served) before it lets go of its connections."""

from __future__ import annotations

import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import pytest
import requests

from tests.journeys.server import Server, new_database_url

pytestmark = [pytest.mark.journey, pytest.mark.slow]


class UnlimitedServer(Server):
    """Production, with the per-token rate limit off: the test sends one token's requests as fast as it can."""

    @property
    def env(self) -> dict[str, str]:
        return {**super().env, "KUNDEBASE_PROFILE_RATE": "0"}


@pytest.fixture(scope="module")
def installation() -> Server:
    folder = Path(tempfile.mkdtemp(prefix="kb-serve-workers-"))
    return UnlimitedServer("production", folder, new_database_url(folder, "workers")).install(60)


def customer_numbers(server: Server, token: str) -> list[str]:
    res = requests.get(server.url + "/api/v1/persons?limit=20", headers={"Authorization": f"Bearer {token}"},
                       timeout=30)
    assert res.status_code == 200, res.text
    return [p["customer_number"] for p in res.json()["items"]]


def test_profiles_answer_while_a_file_import_runs(installation: Server, tmp_path: Path) -> None:
    from kundebase.demo import person_file

    rows = tmp_path / "persons.csv"
    person_file.write(8000, rows, tmp_path / "truth.csv", seed=11)
    installation.start()
    try:
        http = requests.Session()
        http.headers["Authorization"] = f"Bearer {installation.token}"
        numbers = customer_numbers(installation, installation.token)
        importing = subprocess.Popen([sys.executable, "-m", "kundebase", "import", str(rows), "--source", "crm",
                                      "--no-progress"], env=installation.env, cwd=installation.folder,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        answers: Counter[int] = Counter()
        slowest = 0.0
        while importing.poll() is None:
            number = numbers[sum(answers.values()) % len(numbers)]
            started = time.perf_counter()
            answers[http.get(f"{installation.url}/api/v1/profiles/{number}", timeout=30).status_code] += 1
            slowest = max(slowest, time.perf_counter() - started)
        during = sum(answers.values())
        _out, err = importing.communicate(timeout=600)
        assert importing.returncode == 0, err[-2000:]
        assert during >= 10, "the import ended before the profiles were asked often enough to prove anything"
        assert set(answers) == {200}, f"answers while importing: {dict(answers)}; {installation.errors_logged()}"
        assert slowest < 10, f"a profile took {slowest:.1f} s during the import"
    finally:
        installation.stop()


def test_a_stopping_server_drains_then_exits(installation: Server) -> None:
    installation.start("--drain", "3")
    assert installation.process is not None
    try:
        http = requests.Session()
        http.headers["Authorization"] = f"Bearer {installation.token}"
        number = customer_numbers(installation, installation.token)[0]
        assert http.get(installation.url + "/ready", timeout=10).status_code == 200
        installation.process.send_signal(signal.SIGTERM)
        time.sleep(0.5)
        # Both workers drain: whichever answers, /ready is 503 and the profile is still served.
        for _ in range(6):
            ready = http.get(installation.url + "/ready", timeout=10)
            assert ready.status_code == 503 and ready.json()["code"] == "shutting_down"
            assert ready.headers["Content-Type"] == "application/problem+json"
            assert http.get(f"{installation.url}/api/v1/profiles/{number}", timeout=10).status_code == 200
            time.sleep(0.2)
        assert installation.process.wait(timeout=40) == 0
    finally:
        installation.stop()
