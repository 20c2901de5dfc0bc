"""Hostile events: refused at intake when they cannot be stored or read; set aside as dead letters when they are
stored but cannot be processed — never lost, never blocking the queue."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from kundebase.ingest import dead_letters, events
from kundebase.ingest.models import Event
from tests.ingest.test_events_http import identify, post

pytestmark = pytest.mark.django_db


@pytest.fixture
def write_key(db, settings):
    from kundebase.ingest import services

    settings.KUNDEBASE_EVENT_PROCESSING = "off"  # the worker runs when the test says so
    return services.add_source(name="webshop")[1]


def track(name="Viewed", user="u1", **fields):
    return {"type": "track", "userId": user, "event": name, "messageId": f"t-{name}-{user}", **fields}


@pytest.mark.parametrize(("fields", "field"), [
    ({"context": "oops"}, "context"),
    ({"traits": [1]}, "traits"),
    ({"properties": 5}, "properties"),
    ({"properties": {"order_id": "7", "products": 5}}, "properties.products"),
    ({"properties": {"products": [1, 2]}}, "properties.products"),
    ({"timestamp": 12}, "timestamp"),
    ({"timestamp": "yesterday"}, "timestamp"),
    ({"userId": {"id": 1}}, "userId"),
    ({"userId": True}, "userId"),
    ({"event": ["Order Completed"]}, "event"),
    ({"context": {"traits": "x"}}, "context.traits"),
])
def test_a_field_of_the_wrong_type_is_refused_naming_the_event_and_field(client, write_key, fields, field):
    res = post(client, "/v1/batch", {"batch": [track("Fine"), track("Order Completed", **fields)]}, write_key)
    assert res.status_code == 400
    assert res["Content-Type"] == "application/problem+json"
    problem = res.json()
    assert problem["errors"][0]["field"] == f"batch[1].{field}"
    assert f"batch[1].{field}" in problem["message"] and problem["code"] == "invalid_field"
    assert not Event.objects.exists()  # nothing of the batch is stored


def test_a_single_message_names_the_field_alone(client, write_key):
    res = post(client, "/v1/track", track(context="oops"), write_key)
    assert res.status_code == 400 and res.json()["errors"][0]["field"] == "context"


def test_null_objects_are_empty_objects_and_are_processed(client, write_key):
    res = post(client, "/v1/batch", {"batch": [identify(email="kari@example.no", lastName="Nordmann"),
                                               track(properties=None, context=None)]}, write_key)
    assert res.status_code == 200
    events.process()
    assert not dead_letters.dead_letters().exists()
    assert Event.objects.get(type="track").party_id is not None


@pytest.mark.parametrize("number", [b"NaN", b"Infinity", b"-Infinity", b"1e400"])
def test_nan_and_infinity_are_refused_not_acknowledged_and_dropped(client, write_key, number):
    raw = b'{"batch": [{"type": "track", "userId": "u1", "event": "E", "properties": {"price": ' + number + b"}}]}"
    res = post(client, "/v1/batch", None, write_key, raw=raw)
    assert res.status_code == 400 and res.json()["code"] == "non_finite_number"
    assert res.json()["errors"][0]["field"] == "batch[0].properties.price"
    assert not Event.objects.exists()


@pytest.mark.parametrize(("raw", "code"), [
    (b'{"batch": [{"type": "track", "userId": "u1", "event": "\\ud800"}]}', "invalid_character"),
    (b'{"batch": [{"type": "track", "userId": "u1", "event": "a\\u0000b"}]}', "invalid_character"),
    (b'{"batch": [{"type": "track", "userId": "u1", "event": "E", "properties": ' + b'{"a": ' * 100 + b"1"
     + b"}" * 101 + b"]}", "too_deep"),
    (b'{"batch": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "too_deep"),
    (b'{"batch": [{"type": "track", "userId": "\xff", "event": "E"}]}', "invalid_utf8"),
])
def test_unstorable_json_is_refused(client, write_key, raw, code):
    res = post(client, "/v1/batch", None, write_key, raw=raw)
    assert res.status_code == 400, res.content
    assert res["Content-Type"] == "application/problem+json" and res.json()["code"] == code
    assert not Event.objects.exists()


def _stored(payload: dict, message_id: str) -> Event:
    """An event as an earlier release (or a processing fault) left it: stored and acknowledged, not readable."""
    from kundebase.ingest.models import Source

    return Event.objects.create(source=Source.objects.get(), message_id=message_id, type=payload["type"],
                                user_id=str(payload.get("userId") or ""), payload=payload)


def test_an_event_that_cannot_be_processed_is_set_aside_and_the_queue_moves_on(client, write_key):
    from kundebase.parties.models import Person

    post(client, "/v1/batch", {"batch": [identify(email="kari@example.no", lastName="Nordmann")]}, write_key)
    events.process()
    bad = _stored({"type": "identify", "userId": "u9", "context": "oops"}, "bad-1")
    worse = _stored({"type": "track", "userId": "u1", "event": "Order Completed",
                     "properties": {"order_id": "9", "products": 5}}, "bad-2")
    post(client, "/v1/batch", {"batch": [identify("u2", email="ola@example.no", lastName="Hansen")]}, write_key)
    assert events.process() == 3  # the worker, not only the request's own events
    assert Person.objects.count() == 2
    letters = list(dead_letters.dead_letters())
    assert [e.pk for e in letters] == [bad.pk, worse.pk]
    assert all(e.error for e in letters) and "AttributeError" in letters[0].error
    assert not Event.objects.filter(processed_at__isnull=True).exists()


def test_dead_letters_are_retried_after_a_fix(client, write_key, monkeypatch):
    from kundebase.interactions.models import Interaction

    post(client, "/v1/batch", {"batch": [identify(email="kari@example.no", lastName="Nordmann")]}, write_key)
    events.process()
    real = events._timeline

    def broken(event, party_id):
        raise RuntimeError("timeline is broken in this release")

    monkeypatch.setattr(events, "_timeline", broken)
    assert post(client, "/v1/batch", {"batch": [track("A"), track("B")]}, write_key).status_code == 200
    events.process()
    assert dead_letters.dead_letters().count() == 2
    assert "timeline is broken" in dead_letters.dead_letters().first().error
    monkeypatch.setattr(events, "_timeline", real)  # the fix is deployed
    assert dead_letters.retry() == (2, 0)
    assert not dead_letters.dead_letters().exists()
    assert set(Interaction.objects.values_list("subject", flat=True)) == {"A", "B"}


def test_cli_lists_retries_and_discards_dead_letters(write_key, capsys):
    first = _stored({"type": "identify", "userId": "u9", "context": "oops"}, "bad-1")
    second = _stored({"type": "group", "userId": "u8", "groupId": "g1", "traits": "x"}, "bad-2")
    events.process()
    call_command("events", "dead-letters", "list")
    out = capsys.readouterr().out
    assert f"{first.pk}\twebshop\tidentify" in out and "AttributeError" in out and "2 dead letters" in out
    with pytest.raises(CommandError, match="failed again"):
        call_command("events", "dead-letters", "retry", "--id", str(first.pk))
    assert dead_letters.dead_letters().count() == 2
    with pytest.raises(CommandError, match="--all"):
        call_command("events", "dead-letters", "discard")
    call_command("events", "dead-letters", "discard", "--id", str(second.pk))
    assert "1 discarded" in capsys.readouterr().out
    assert list(dead_letters.dead_letters().values_list("pk", flat=True)) == [first.pk]
    call_command("events", "dead-letters", "discard", "--all", "--source", "webshop")
    assert not Event.objects.exists()


def test_web_page_lists_dead_letters_for_administrators_only(client, write_key, make_user):
    letter = _stored({"type": "identify", "userId": "u9", "context": "oops"}, "bad-1")
    events.process()
    client.force_login(make_user("sally", "sales"))
    assert client.get("/import/events/dead-letters").status_code == 403
    client.force_login(make_user("admin", "administrator"))
    page = client.get("/import/events/dead-letters")
    assert page.status_code == 200
    assert "bad-1" in page.content.decode() and "AttributeError" in page.content.decode()
    res = client.post("/import/events/dead-letters", {"action": "discard", "id": [str(letter.pk)]})
    assert res.status_code == 302 and not Event.objects.exists()


def test_a_reason_that_quotes_unstorable_text_is_kept_escaped(client, write_key, monkeypatch):
    post(client, "/v1/batch", {"batch": [identify(email="kari@example.no", lastName="Nordmann")]}, write_key)
    events.process()

    def broken(event, party_id):
        raise ValueError("cannot read 'a\x00b\ud800'")

    monkeypatch.setattr(events, "_timeline", broken)
    post(client, "/v1/batch", {"batch": [track("A")]}, write_key)
    events.process()
    assert dead_letters.dead_letters().get().error == "ValueError: cannot read 'a\\x00b\\ud800'"
