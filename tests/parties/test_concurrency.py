"""Two employees editing the same customer at once: exactly one write wins, the other gets 412.

Real threads against a real database (a file for SQLite, the suite's cluster
for PostgreSQL), each with its own connection, released together by a barrier.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connections


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(3))
def test_two_writers_with_the_same_etag_race_and_exactly_one_wins(api, person_payload, attempt):
    from django.test import Client

    name = str(connections["default"].settings_dict["NAME"])
    assert "memory" not in name, "the race needs a database file shared by threads (see tests/conftest.py)"
    created = api.post("/api/v1/persons", person_payload)
    pid, etag = created.json()["id"], created["ETag"]
    barrier = threading.Barrier(2)
    results: dict[str, int] = {}

    def write(name: str) -> None:
        client = Client()
        try:
            barrier.wait(timeout=10)
            res = client.patch(f"/api/v1/persons/{pid}", data=f'{{"given_name": "{name}"}}',
                               content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {api.token}",
                               HTTP_IF_MATCH=etag)
            results[name] = res.status_code
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(name,)) for name in ("Anne", "Berit")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(results.values()) == [200, 412], results
    winner = next(name for name, status in results.items() if status == 200)
    current = api.get(f"/api/v1/persons/{pid}")
    assert current.json()["given_name"] == winner
    assert current["ETag"] == f'"{pid}-2"'


@pytest.mark.django_db
def test_if_match_for_another_resource_or_garbage_is_412(api, person_payload):
    pid = api.post("/api/v1/persons", person_payload).json()["id"]
    for header in (f'"{pid + 1}-1"', '"garbage"', "W/\"x-y\""):
        res = api.patch(f"/api/v1/persons/{pid}", {"given_name": "X"}, headers={"If-Match": header})
        assert res.status_code == 412, header
        assert res["Content-Type"] == "application/problem+json"
    assert api.get(f"/api/v1/persons/{pid}").json()["given_name"] == "Kari"


@pytest.mark.django_db
def test_stale_etag_on_sub_resources_and_delete_is_412(api, person_payload):
    created = api.post("/api/v1/persons", person_payload)
    pid, etag = created.json()["id"], created["ETag"]
    first = api.patch(f"/api/v1/persons/{pid}", {"given_name": "Kari Anne"}, headers={"If-Match": etag})
    assert first.status_code == 200
    res = api.post(f"/api/v1/parties/{pid}/contact-points", {"kind": "email", "value": "b@example.no"},
                   headers={"If-Match": etag})
    assert res.status_code == 412
    assert api.delete(f"/api/v1/persons/{pid}", headers={"If-Match": etag}).status_code == 412
    assert len(api.get(f"/api/v1/persons/{pid}").json()["contact_points"]) == 2
