"""No downtime: `kundebase serve --workers 2` keeps answering profiles while a file import, a matching run or
reports run, and a stopping server drains (``/ready`` 503, every other request still served) before it lets go
of its connections."""

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


def ask_profiles_while(installation: Server, job: subprocess.Popen[str], *, least: int = 10) -> None:
    """Ask for profiles as fast as one client can until ``job`` ends: every answer 200, none slow, the job done."""
    http = requests.Session()
    http.headers["Authorization"] = f"Bearer {installation.token}"
    numbers = customer_numbers(installation, installation.token)
    answers: Counter[int] = Counter()
    slowest = 0.0
    while job.poll() is None:
        number = numbers[sum(answers.values()) % len(numbers)]
        started = time.perf_counter()
        answers[http.get(f"{installation.url}/api/v1/profiles/{number}", timeout=30).status_code] += 1
        slowest = max(slowest, time.perf_counter() - started)
    during = sum(answers.values())
    _out, err = job.communicate(timeout=600)
    assert job.returncode == 0, err[-2000:]
    assert during >= least, "the job ended before the profiles were asked often enough to prove anything"
    assert set(answers) == {200}, f"answers during the job: {dict(answers)}; {installation.errors_logged()}"
    assert slowest < 10, f"a profile took {slowest:.1f} s during the job"


def cli(installation: Server, script: str) -> subprocess.Popen[str]:
    """A shell running ``kundebase`` commands against the installation (``$KB`` is the command)."""
    return subprocess.Popen(["bash", "-c", script], env={**installation.env, "KB": f"{sys.executable} -m kundebase"},
                            cwd=installation.folder, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_profiles_answer_while_a_file_import_runs(installation: Server, tmp_path: Path) -> None:
    from kundebase.demo import person_file

    rows = tmp_path / "persons.csv"
    person_file.write(8000, rows, tmp_path / "truth.csv", seed=11)
    installation.start()
    try:
        importing = subprocess.Popen([sys.executable, "-m", "kundebase", "import", str(rows), "--source", "crm",
                                      "--no-progress"], env=installation.env, cwd=installation.folder,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        ask_profiles_while(installation, importing)
    finally:
        installation.stop()


def test_profiles_answer_while_matching_runs_and_reports_are_computed(installation: Server) -> None:
    """Full matching runs (training and scoring everyone) and the heaviest reports, one after the other, while
    the profiles are asked for; the reports over HTTP answer too."""
    installation.start()
    try:
        matching = cli(installation, "set -e; for n in 1 2; do $KB match run --full; done")
        ask_profiles_while(installation, matching, least=3)
        token = installation.token
        reports = cli(installation, "set -e; for n in 1 2 3; do for r in rfm cohorts quadrant geography; do "
                                    f"curl -sf -o /dev/null -H 'Authorization: Bearer {token}' "
                                    f"{installation.url}/api/v1/analytics/reports/$r; done; "
                                    "$KB analytics refresh --reconcile --refit; done")
        ask_profiles_while(installation, reports, least=3)
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
