"""A dedicated worker process (``kundebase process_events --follow``) turns what the server only stored into
customers, timeline entries and orders, keeps up with new events, and stops cleanly on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest
import requests
from django.core.management import CommandError, call_command

ROOT = Path(__file__).resolve().parents[2]


def _test_database_url() -> str:
    """The URL of the database this test runs on, for a child process to connect to."""
    from django.db import connection

    name = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":
        return f"sqlite:///{name}"
    parsed = urlparse(os.environ["KUNDEBASE_DATABASE_URL"])
    return urlunparse(parsed._replace(path=f"/{name}"))


def _wait(condition, seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def _send(url: str, key: str, batch: list[dict]) -> None:
    with requests.Session() as session:
        res = session.post(f"{url}/v1/batch", json={"batch": batch}, auth=(key, ""), timeout=30)
    assert res.status_code == 200, res.text


@pytest.mark.slow
def test_worker_processes_stored_events_follows_new_ones_and_stops_on_sigterm(live_server, settings, tmp_path):
    from kundebase.ingest import services
    from kundebase.ingest.models import Event
    from kundebase.interactions.models import Interaction
    from kundebase.orders.models import Order
    from kundebase.parties.models import ContactPoint

    settings.KUNDEBASE_EVENT_PROCESSING = "off"  # the server stores and acknowledges only
    key = services.add_source(name="shop")[1]
    _send(live_server.url, key, [
        {"type": "identify", "userId": "u-1", "messageId": "m-1",
         "traits": {"email": "kari.worker@example.no", "firstName": "Kari", "lastName": "Nordmann"}},
        {"type": "page", "userId": "u-1", "messageId": "m-2", "name": "Fjellsko"},
    ])
    assert Event.objects.filter(processed_at__isnull=True).count() == 2

    env = dict(os.environ, KUNDEBASE_DATABASE_URL=_test_database_url(), KUNDEBASE_ENV="test",
               KUNDEBASE_EVENT_PROCESSING="off", KUNDEBASE_DATA_DIR=str(tmp_path / "data"))
    worker = subprocess.Popen([sys.executable, "-m", "kundebase", "process_events", "--follow", "--interval", "0.1"],
                              env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert _wait(lambda: not Event.objects.filter(processed_at__isnull=True).exists())
        person = ContactPoint.objects.get(normalised="kari.worker@example.no").party_id
        assert Interaction.objects.filter(party_id=person, subject="Fjellsko").count() == 1

        _send(live_server.url, key, [{"type": "track", "userId": "u-1", "messageId": "m-3", "event": "Order Completed",
                                      "properties": {"order_id": "W-1", "revenue": 499.0}}])
        assert _wait(lambda: Order.objects.filter(party_id=person).exists())
        assert worker.poll() is None
    finally:
        worker.send_signal(signal.SIGTERM)
        out, err = worker.communicate(timeout=60)
    assert worker.returncode == 0, err
    assert out.strip().splitlines()[-1] == "3 events processed"
    assert Event.objects.filter(error="").count() == 3


@pytest.mark.parametrize("option", [["--batch", "0"], ["--batch", "10001"], ["--interval", "0"]])
def test_out_of_range_options_are_refused(option, db):
    with pytest.raises(CommandError, match=option[0]):
        call_command("process_events", *option)


@pytest.mark.slow
def test_on_postgresql_new_events_wake_the_waiting_worker_at_once(live_server, settings, tmp_path, backend):
    if backend != "postgresql":
        pytest.skip("PostgreSQL notifies the worker (LISTEN/NOTIFY); on SQLite it looks every --interval seconds")
    from kundebase.ingest import services
    from kundebase.ingest.models import Event

    settings.KUNDEBASE_EVENT_PROCESSING = "off"
    key = services.add_source(name="shop")[1]
    env = dict(os.environ, KUNDEBASE_DATABASE_URL=_test_database_url(), KUNDEBASE_ENV="test",
               KUNDEBASE_EVENT_PROCESSING="off", KUNDEBASE_DATA_DIR=str(tmp_path / "data"))
    # it would look at an empty queue only once a minute: what it does sooner, a notification made it do
    worker = subprocess.Popen([sys.executable, "-m", "kundebase", "process_events", "--follow", "--interval", "60"],
                              env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _send(live_server.url, key, [{"type": "page", "userId": "u-1", "messageId": "m-1", "name": "Fjellsko"}])
        assert _wait(lambda: not Event.objects.filter(processed_at__isnull=True).exists())
        time.sleep(1)  # the worker has found the queue empty and waits
        _send(live_server.url, key, [{"type": "page", "userId": "u-1", "messageId": "m-2", "name": "Joggesko"}])
        assert _wait(lambda: not Event.objects.filter(processed_at__isnull=True).exists(), seconds=15)
        assert worker.poll() is None
    finally:
        worker.send_signal(signal.SIGTERM)
        out, err = worker.communicate(timeout=120)
    assert worker.returncode == 0, err
    assert out.strip().splitlines()[-1] == "2 events processed"
