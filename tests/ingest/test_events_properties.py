"""Property-based: arbitrary JSON in every field of every event type never breaks the event API, and no
acknowledged event is lost — after the worker runs each is processed or a dead letter with its reason."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kundebase.ingest import events
from kundebase.ingest.models import Event
from tests.ingest.test_events_http import post
from tests.json_values import deep, dumps, values

pytestmark = pytest.mark.django_db
FIELDS = ("userId", "anonymousId", "previousId", "groupId", "messageId", "event", "name", "category", "context",
          "integrations", "traits", "properties", "timestamp", "originalTimestamp", "sentAt")
BASES = {
    "identify": {"traits": {"email": "kari@example.no", "lastName": "Nordmann"}},
    "track": {"event": "Order Completed", "properties": {"order_id": "1", "products": [{"sku": "A", "price": 10}]}},
    "page": {"name": "Home", "properties": {"url": "https://example.no/"}},
    "screen": {"name": "Cart"},
    "group": {"groupId": "g1", "traits": {"name": "Fjord AS", "orgNumber": "923609016"}},
    "alias": {"previousId": "anon-1"},
}
counter = itertools.count()


@st.composite
def messages(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(sorted(BASES)))
    message = {"type": kind, "userId": "u1", "anonymousId": "anon-1", **BASES[kind]}
    for name in draw(st.lists(st.sampled_from(FIELDS), min_size=1, max_size=3, unique=True)):
        message[name] = draw(st.one_of(values(), st.just(deep(40))) if draw(st.booleans()) else values(4))
    if draw(st.booleans()) and "properties" in message and isinstance(message["properties"], dict):
        message["properties"] = {**message["properties"], draw(st.sampled_from(["products", "revenue", "price"])):
                                 draw(values(6))}
    return message


@pytest.fixture
def write_key(db, settings):
    from kundebase.ingest import services

    settings.KUNDEBASE_EVENT_PROCESSING = "off"  # the worker below processes, as `process_events` would
    return services.add_source(name="webshop")[1]


def _expected_id(message: dict[str, Any]) -> str | None:
    value = message.get("messageId")
    return str(value)[:200] if value else None


@settings(max_examples=30, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(batch=st.lists(messages(), min_size=1, max_size=3), context=st.one_of(st.none(), values(4)),
       single=st.booleans())
def test_arbitrary_events_are_refused_or_kept_and_never_lost(client, write_key, batch, context, single):
    run = next(counter)
    for i, message in enumerate(batch):
        message.setdefault("messageId", f"run{run}-{i}")
    before = Event.objects.count()
    if single:
        res = post(client, f"/v1/{batch[0]['type']}", None, write_key, raw=dumps(batch[0]))
    else:
        body: dict[str, Any] = {"batch": batch}
        if context is not None:
            body["context"] = context
        res = post(client, "/v1/batch", None, write_key, raw=dumps(body))
    assert res.status_code in (200, 400), res.content[:500]
    if res.status_code == 400:
        assert res["Content-Type"] == "application/problem+json" and res.json()["code"]
        assert Event.objects.count() == before  # a refused batch leaves nothing behind
        return
    events.process()  # the worker
    for message in batch[:1] if single else batch:
        wanted = _expected_id(message)
        if wanted is not None:
            assert Event.objects.filter(message_id=wanted).exists(), f"acknowledged but lost: {message!r}"
    assert not Event.objects.filter(processed_at__isnull=True).exists()  # none waits for ever
    for event in Event.objects.filter(party_id__isnull=True).exclude(error=""):
        assert event.error.strip()  # a dead letter says why
