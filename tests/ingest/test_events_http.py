"""The event API over raw HTTP: authentication, limits, gzip, malformed bodies, dedup, and what events become."""

from __future__ import annotations

import base64
import gzip
import json

import pytest

from kundebase.ingest.models import Event

pytestmark = pytest.mark.django_db


@pytest.fixture
def write_key(db):
    from kundebase.ingest import services

    return services.add_source(name="webshop")[1]


def post(client, path, body, key=None, *, gz=False, raw=None, headers=None):
    data = raw if raw is not None else json.dumps(body).encode()
    extra = dict(headers or {})
    if key:
        extra["HTTP_AUTHORIZATION"] = "Basic " + base64.b64encode(f"{key}:".encode()).decode()
    if gz:
        data = gzip.compress(data)
        extra["HTTP_CONTENT_ENCODING"] = "gzip"
    return client.generic("POST", path, data, content_type="application/json", **extra)


def identify(user="u1", anon=None, **traits):
    return {"type": "identify", "userId": user, "anonymousId": anon, "messageId": f"m-{user}-{anon}",
            "traits": traits}


def test_batch_is_acknowledged_with_exactly_200(client, write_key):
    res = post(client, "/v1/batch", {"batch": [identify(email="kari@example.no", firstName="Kari",
                                                        lastName="Nordmann")]}, write_key)
    assert res.status_code == 200
    assert res.json() == {"success": True}
    assert Event.objects.get().processed_at is not None


def test_write_key_in_body_is_accepted(client, write_key):
    res = post(client, "/v1/batch", {"writeKey": write_key, "batch": [identify()]})
    assert res.status_code == 200


@pytest.mark.parametrize(("key", "code"), [(None, "missing_write_key"), ("wk_wrong", "invalid_write_key")])
def test_missing_or_wrong_write_key_is_401(client, write_key, key, code):
    res = post(client, "/v1/batch", {"batch": [identify()]}, key)
    assert res.status_code == 401
    assert res.json()["code"] == code and res.json()["message"]
    assert Event.objects.count() == 0


def test_malformed_json_is_400(client, write_key):
    res = post(client, "/v1/batch", None, write_key, raw=b'{"batch": [')
    assert res.status_code == 400 and res.json()["code"] == "invalid_json"
    res = post(client, "/v1/batch", None, write_key, raw=b"[1, 2]")
    assert res.status_code == 400


def test_gzip_body(client, write_key):
    res = post(client, "/v1/batch", {"batch": [identify(email="gz@example.no", name="Gun Zip")]}, write_key, gz=True)
    assert res.status_code == 200
    from kundebase.parties.models import Person

    assert Person.objects.get().display_name == "Gun Zip"


def test_broken_gzip_is_400(client, write_key):
    res = post(client, "/v1/batch", None, write_key, raw=b"not gzip at all",
               headers={"HTTP_CONTENT_ENCODING": "gzip"})
    assert res.status_code == 400 and res.json()["code"] == "invalid_gzip"


def test_event_over_32_kb_is_400_and_nothing_is_stored(client, write_key):
    big = {"type": "track", "userId": "u1", "event": "Big", "properties": {"blob": "x" * 33 * 1024}}
    res = post(client, "/v1/batch", {"batch": [identify(), big]}, write_key)
    assert res.status_code == 400 and res.json()["code"] == "message_too_large"
    assert Event.objects.count() == 0


def test_batch_over_500_kb_is_400_also_when_gzipped(client, write_key):
    events = [{"type": "track", "userId": "u1", "event": "E", "messageId": f"m{i}",
               "properties": {"pad": "y" * 20_000}} for i in range(30)]
    res = post(client, "/v1/batch", {"batch": events}, write_key)
    assert res.status_code == 400 and res.json()["code"] == "batch_too_large"
    res = post(client, "/v1/batch", {"batch": events}, write_key, gz=True)  # compresses to a few KB
    assert res.status_code == 400 and res.json()["code"] == "batch_too_large"
    assert Event.objects.count() == 0


def test_retried_message_is_stored_once(client, write_key):
    body = {"batch": [{"type": "page", "anonymousId": "a1", "messageId": "same", "name": "Home"}]}
    assert post(client, "/v1/batch", body, write_key).status_code == 200
    assert post(client, "/v1/batch", body, write_key).status_code == 200
    assert Event.objects.count() == 1


def test_null_ids_are_accepted_when_one_is_given(client, write_key):
    res = post(client, "/v1/track", {"userId": None, "anonymousId": "anon-7", "event": "Viewed"}, write_key)
    assert res.status_code == 200
    res = post(client, "/v1/track", {"userId": None, "anonymousId": None, "event": "Viewed"}, write_key)
    assert res.status_code == 400 and res.json()["code"] == "invalid_message"


@pytest.mark.parametrize(("path", "body", "code"), [
    ("/v1/track", {"userId": "u"}, "invalid_message"),
    ("/v1/group", {"userId": "u"}, "invalid_message"),
    ("/v1/alias", {"userId": "u"}, "invalid_message"),
    ("/v1/batch", {"batch": [{"type": "explode", "userId": "u"}]}, "invalid_type"),
    ("/v1/batch", {"batch": "nope"}, "invalid_batch"),
])
def test_invalid_messages(client, write_key, path, body, code):
    res = post(client, path, body, write_key)
    assert res.status_code == 400 and res.json()["code"] == code


def test_maintenance_answers_503_with_json(client, write_key):
    import datetime as dt

    from django.utils import timezone

    from kundebase.ingest.models import Source

    Source.objects.update(maintenance_until=timezone.now() + dt.timedelta(minutes=1))
    res = post(client, "/v1/batch", {"batch": [identify()]}, write_key)
    assert res.status_code == 503 and res.json()["code"] == "maintenance"
    assert Source.objects.get().refused_count == 1 and Event.objects.count() == 0


def test_events_become_person_order_timeline_company(client, write_key):
    from kundebase.interactions.models import Interaction
    from kundebase.orders.models import Order
    from kundebase.parties.models import Company, ContactRole, Person

    batch = [
        {"type": "page", "anonymousId": "anon-1", "name": "Boots", "properties": {"url": "https://shop/boots"}},
        {"type": "track", "anonymousId": "anon-1", "event": "Product Viewed", "properties": {"sku": "B-1"}},
        identify("user-1", "anon-1", email="Kari.Nordmann@example.no", firstName="Kari", lastName="Nordmann",
                 phone="+47 412 34 567", birthday="1980-12-31",
                 address={"street": "Storgata 1", "postalCode": "0155", "city": "Oslo", "country": "NO"}),
        {"type": "track", "userId": "user-1", "event": "Order Completed",
         "properties": {"order_id": "SHOP-1", "revenue": 199, "currency": "NOK",
                        "products": [{"sku": "B-1", "name": "Boots", "price": 99.5, "quantity": 2}]}},
        {"type": "group", "userId": "user-1", "groupId": "g-1", "traits": {"name": "Nordmann AS",
                                                                          "orgNumber": "923609016"}},
    ]
    assert post(client, "/v1/batch", {"batch": batch}, write_key).status_code == 200
    person = Person.objects.get()
    assert (person.display_name, person.birth_date.isoformat()) == ("Kari Nordmann", "1980-12-31")
    assert set(person.contact_points.values_list("normalised", flat=True)) == {"kari.nordmann@example.no",
                                                                                "+4741234567"}
    visits = Interaction.objects.filter(party=person, kind="web_visit")
    assert set(visits.values_list("subject", flat=True)) == {"Boots", "Product Viewed"}  # joined after identify
    order = Order.objects.get()
    assert (order.party_id, order.order_number, str(order.revenue)) == (person.pk, "SHOP-1", "199.00")
    company = Company.objects.get()
    assert company.org_number == "923609016"
    assert ContactRole.objects.filter(person=person, company=company).exists()
    assert Event.objects.filter(error="").count() == 5


def test_alias_links_identities_and_identify_updates(client, write_key):
    from kundebase.parties.models import Person

    post(client, "/v1/identify", identify("old-id", email="a@example.no", name="Anne Berg"), write_key)
    post(client, "/v1/alias", {"previousId": "old-id", "userId": "new-id"}, write_key)
    post(client, "/v1/identify", {"userId": "new-id", "traits": {"phone": "+47 900 11 222"}}, write_key)
    person = Person.objects.get()
    assert set(person.contact_points.values_list("kind", flat=True)) == {"email", "phone"}
    post(client, "/v1/identify", {"userId": "other", "traits": {"email": "A@example.no"}}, write_key)
    assert Person.objects.count() == 1  # same e-mail: the same customer


def test_get_is_not_allowed(client, write_key):
    assert client.get("/v1/batch").status_code == 405


@pytest.mark.parametrize("path", ["/v1/batch", "/v1/track", "/v1/identify"])
def test_a_form_body_to_the_event_api_is_415_and_stores_nothing(client, write_key, path):
    """A multipart form is no batch of events: refused with its reason, never a server error."""
    auth = "Basic " + base64.b64encode(f"{write_key}:".encode()).decode()
    res = client.post(path, {"batch": json.dumps([identify()])}, HTTP_AUTHORIZATION=auth)
    assert res.status_code == 415 and res["Content-Type"].startswith("application/problem+json")
    assert res.json()["code"] == "unsupported_media_type"
    assert not Event.objects.exists()
