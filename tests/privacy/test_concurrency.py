"""Two people serving the same erasure at once: exactly one erases, the other is told it is done already."""

from __future__ import annotations

import threading

import pytest


@pytest.mark.django_db(transaction=True)
def test_concurrent_erasures_of_one_person(make_person, backend):
    from django.db import connection

    if backend == "sqlite":
        pytest.skip("the SQLite test database is in memory (shared cache), which raises table locks instead of "
                    "waiting like the production file does; this race is tested on PostgreSQL")

    from kundebase.core import audit
    from kundebase.core.errors import Conflict
    from kundebase.privacy.erasure import erase
    from kundebase.privacy.models import DataSubjectRequest, Suppression

    person = make_person(phone="+4741234567")
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def worker() -> None:
        try:
            barrier.wait(timeout=10)
            erase(party_id=person.pk, actor="worker")
            outcomes.append("erased")
        except Conflict:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes) == ["conflict", "erased"]
    assert DataSubjectRequest.objects.filter(kind="erasure").count() == 1
    assert Suppression.objects.count() == 3  # e-mail, phone, name + birth date
    assert audit.verify().ok
