"""The unmodified segment-analytics-python client against a live server: every call type, gzip and retry."""

from __future__ import annotations

import datetime as dt
import logging
import time

import pytest
from segment.analytics import Client


@pytest.fixture(autouse=True)
def _hang_up():
    """The client keeps its HTTP connection alive in a module-level session; hang up after each test so the
    server's request thread ends (and closes its database connection) before the test database is dropped."""
    yield
    from segment.analytics import request

    request._session.close()
    time.sleep(0.2)


@pytest.fixture
def write_key(transactional_db):
    from kundebase.ingest import services

    return services.add_source(name="site")[1]


def make_client(key, url, **kw):
    errors = []
    client = Client(key, host=url, on_error=lambda exc, batch: errors.append(exc), **kw)
    return client, errors


@pytest.mark.parametrize("gzip", [False, True])
def test_every_call_type_through_the_real_client(live_server, write_key, gzip):
    from kundebase.ingest.models import Event
    from kundebase.interactions.models import Interaction
    from kundebase.orders.models import Order
    from kundebase.parties.models import Company, ContactRole, Person

    client, errors = make_client(write_key, live_server.url, sync_mode=True, gzip=gzip)
    client.page(anonymous_id="anon-9", name="Home", properties={"url": "https://example.no/"})
    client.identify("user-9", {"email": "siri@example.no", "firstName": "Siri", "lastName": "Lund"},
                    anonymous_id="anon-9")
    client.track("user-9", "Order Completed", {"order_id": "O-9", "revenue": 120.0,
                                               "products": [{"name": "Bok", "price": 120.0, "quantity": 1}]})
    client.track("user-9", "Newsletter Opened", {"issue": 12})
    client.group("user-9", "grp-9", {"name": "Lund Consulting"})
    client.alias("user-9-old", "user-9")
    assert errors == []
    assert Event.objects.count() == 6 and not Event.objects.exclude(error="").exists()
    person = Person.objects.get()
    assert person.display_name == "Siri Lund"
    assert Order.objects.get().party_id == person.pk
    assert set(Interaction.objects.filter(party=person).values_list("subject", flat=True)) == {
        "Home", "Newsletter Opened"}
    assert ContactRole.objects.filter(person=person, company=Company.objects.get(display_name="Lund Consulting"))


def test_client_retries_after_a_transient_503(live_server, write_key, caplog):
    from django.utils import timezone

    from kundebase.ingest.models import Event, Source

    # Maintenance for a moment: the first attempt and the immediate retry get 503, the backed-off one lands.
    Source.objects.update(maintenance_until=timezone.now() + dt.timedelta(seconds=1.5))
    client, errors = make_client(write_key, live_server.url, gzip=True, max_retries=5)
    caplog.set_level(logging.CRITICAL, logger="segment")
    client.identify("retry-user", {"email": "retry@example.no", "lastName": "Retry"})
    client.track("retry-user", "Clicked")
    client.flush()
    client.join()
    assert errors == []
    assert Source.objects.get().refused_count >= 1
    assert Event.objects.count() == 2


def test_wrong_key_is_reported_to_the_client(live_server, write_key, caplog):
    from kundebase.ingest.models import Event

    caplog.set_level(logging.CRITICAL, logger="segment")
    client, errors = make_client("wk_not-a-key", live_server.url, sync_mode=True)
    with pytest.raises(Exception) as exc:
        client.identify("x", {"email": "x@example.no"})
    assert getattr(exc.value, "status", None) == 401
    assert Event.objects.count() == 0
