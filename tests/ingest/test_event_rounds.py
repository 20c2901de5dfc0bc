"""Processing works the queue in rounds: one transaction for many events, each event in a savepoint of its own."""

from __future__ import annotations

import pytest
from django.db import OperationalError

from kundebase.ingest import events
from kundebase.ingest.models import Event
from tests.ingest.test_events_http import identify, post

pytestmark = pytest.mark.django_db


@pytest.fixture
def write_key(db, settings):
    from kundebase.ingest import services

    settings.KUNDEBASE_EVENT_PROCESSING = "off"  # stored only; the test works the queue itself
    return services.add_source(name="webshop")[1]


def _store(client, key, batch) -> list[int]:
    assert post(client, "/v1/batch", {"batch": batch}, key).status_code == 200
    return list(Event.objects.order_by("id").values_list("pk", flat=True))


BAD_GROUP = {"type": "group", "userId": "u1", "groupId": "g-bad", "messageId": "bad",
             "traits": {"name": "Feil AS", "orgNumber": "123"}}  # not an organisation number: the services refuse


def test_a_refused_event_keeps_its_error_and_the_rest_of_its_round_lands(client, write_key) -> None:
    from kundebase.parties.models import Company, Person

    ids = _store(client, write_key, [identify("u1", email="kari@example.no", lastName="Nordmann"), BAD_GROUP,
                                     identify("u2", email="ola@example.no", lastName="Hansen")])
    assert events.process() == 3
    assert Person.objects.count() == 2 and not Company.objects.exists()
    errors = dict(Event.objects.values_list("pk", "error"))
    assert errors[ids[0]] == "" and errors[ids[2]] == ""
    assert errors[ids[1]]  # the refusal, kept on the event
    assert not Event.objects.filter(processed_at__isnull=True).exists()


def test_a_round_is_bounded_and_the_next_one_goes_on(client, write_key, monkeypatch) -> None:
    ids = _store(client, write_key, [identify(f"u{i}", email=f"p{i}@example.no", lastName=f"N{i}") for i in range(5)])
    monkeypatch.setattr(events, "ROUND_EVENTS", 2)
    assert events._round(ids, 0) == (2, 2)
    assert Event.objects.filter(processed_at__isnull=True).count() == 3
    assert events.process() == 3  # in two more rounds
    assert not Event.objects.filter(processed_at__isnull=True).exists()


def test_a_crash_in_a_round_leaves_every_event_of_it_waiting_and_nothing_written(client, write_key,
                                                                                   monkeypatch) -> None:
    from kundebase.parties.models import Person

    _store(client, write_key, [identify(f"u{i}", email=f"p{i}@example.no", lastName=f"N{i}") for i in range(3)])
    real = events.handle
    seen: list[int] = []

    def crash_on_second(event: Event) -> int | None:
        seen.append(event.pk)
        if len(seen) == 2:
            raise OperationalError("the database went away")
        return real(event)

    monkeypatch.setattr(events, "handle", crash_on_second)
    with pytest.raises(OperationalError):
        events.process()
    assert Event.objects.filter(processed_at__isnull=True).count() == 3
    assert not Person.objects.exists()  # the first event's person went with the round
    monkeypatch.setattr(events, "handle", real)
    assert events.process() == 3 and Person.objects.count() == 3
