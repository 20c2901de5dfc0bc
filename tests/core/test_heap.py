"""The server freezes its long-lived objects once loaded and once warm, so full collections stay short."""

from __future__ import annotations

import gc

import pytest

from kundebase.core import heap


@pytest.fixture
def thawed():
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_settle_moves_what_is_alive_out_of_the_collectors_walk(thawed):
    kept = [[n] for n in range(1000)]
    assert gc.get_freeze_count() == 0
    heap.settle()
    assert gc.get_freeze_count() >= len(kept)
    walked = {id(x) for x in gc.get_objects()}  # what the collector walks: the frozen ones are not in it
    assert not walked & {id(x) for x in kept}


def test_a_worker_freezes_once_after_its_first_requests(thawed, client, db):
    heap.freeze_when_warm(requests=3)
    for _n in range(2):
        assert client.get("/api/v1/health").status_code == 200
    assert gc.get_freeze_count() == 0
    assert client.get("/api/v1/health").status_code == 200
    assert gc.get_freeze_count() > 0
    gc.unfreeze()
    for _n in range(5):  # only once: the counter let go of the signal
        client.get("/api/v1/health")
    assert gc.get_freeze_count() == 0
