"""What a web shop needs: read tokens that can only read profiles and offers, CORS off unless configured, a rate
limit per token answered with 429 + Retry-After, a readiness endpoint, and the documented example page."""

from __future__ import annotations

import importlib.util
import threading
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.conftest import ApiClient

pytestmark = pytest.mark.django_db
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "webshop_offers.py"


def _read_client(make_user: Any, name: str = "shop", role: str = "sales") -> ApiClient:
    from django.test import Client

    from kundebase.core import tokens

    user = make_user(name, role)
    return ApiClient(Client(), tokens.issue(user=user, name="webshop", scope="read")[1], user)


def test_a_read_token_only_reads_profiles_and_offers(make_user, shop, api_as):
    offer = api_as("marketing").post("/api/v1/offers", {"name": "Tips", "kind": "content", "margin": 10}).json()
    reader = _read_client(make_user)
    number = shop["kari"].customer_number
    assert reader.get(f"/api/v1/profiles/{number}").status_code == 200
    assert reader.get(f"/api/v1/profiles/{number}/offers").json()["offers"][0]["offer"]["id"] == offer["id"]
    for method, path, body in (("post", f"/api/v1/profiles/{number}/offers/{offer['id']}/accept", None),
                               ("get", "/api/v1/persons", None), ("get", "/api/v1/offers", None),
                               ("patch", f"/api/v1/offers/{offer['id']}", {"priority": 1}),
                               ("post", "/api/v1/persons", {"given_name": "A", "family_name": "B"})):
        res = getattr(reader, method)(path, body) if body is not None else getattr(reader, method)(path)
        assert res.status_code == 403, (method, path, res.content)
        assert res["Content-Type"] == "application/problem+json"
    # the same user's ordinary token keeps what the role allows
    from kundebase.core import tokens

    full = ApiClient(reader.client, tokens.issue(user=reader.user, name="crm")[1], reader.user)
    assert full.get("/api/v1/persons").status_code == 200


def test_tokens_are_issued_with_a_scope_from_the_api_and_the_cli(api, make_user, capsys):
    from django.core.management import call_command

    from kundebase.core.models import ApiToken

    res = api.post("/api/v1/tokens", {"name": "shop", "scope": "read"})
    assert res.status_code == 201 and res.json()["scope"] == "read"
    assert api.post("/api/v1/tokens", {"name": "x", "scope": "everything"}).json()["errors"][0]["field"] == "scope"
    make_user("cli-shop", "sales")
    call_command("tokens", "issue", "cli-shop", "--scope", "read")
    assert ApiToken.objects.get(user__username="cli-shop").scope == "read"


def test_cors_is_off_by_default_and_on_for_configured_origins(api, shop, settings):
    path = f"/api/v1/profiles/{shop['kari'].customer_number}"
    origin = {"Origin": "https://shop.example.no"}
    assert "Access-Control-Allow-Origin" not in api.get(path, headers=origin)
    settings.KUNDEBASE_CORS_ORIGINS = ["https://shop.example.no"]
    res = api.get(path, headers=origin)
    assert res["Access-Control-Allow-Origin"] == "https://shop.example.no"
    assert "ETag" in res["Access-Control-Expose-Headers"] and "Origin" in res["Vary"]
    preflight = api.client.options(path, HTTP_ORIGIN="https://shop.example.no",
                                   HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
                                   HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization")
    assert preflight.status_code == 204 and "Authorization" in preflight["Access-Control-Allow-Headers"]
    assert "Access-Control-Allow-Origin" not in api.get(path, headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in api.client.get("/login/", HTTP_ORIGIN="https://shop.example.no")


def test_a_flood_from_one_token_gets_429_with_retry_after_and_others_are_served(api_as, shop, settings):
    settings.KUNDEBASE_PROFILE_RATE = "3/min"
    path = f"/api/v1/profiles/{shop['kari'].customer_number}"
    flooding, other = api_as("sales", "flood"), api_as("sales", "calm")
    answers = [flooding.get(path).status_code for _ in range(5)]
    assert answers == [200, 200, 200, 429, 429]
    limited = flooding.get(path + "/offers")
    assert limited.status_code == 429 and limited["Content-Type"] == "application/problem+json"
    assert 1 <= int(limited["Retry-After"]) <= 20 and limited.json()["code"] == "rate_limited"
    assert other.get(path).status_code == 200


def test_the_token_bucket_refills_over_time():
    from django.test import RequestFactory

    from kundebase.offers import ratelimit

    request = RequestFactory().get("/", HTTP_AUTHORIZATION="Bearer kb_bucket")
    with pytest.MonkeyPatch.context() as mp:
        from django.conf import settings

        mp.setattr(settings, "KUNDEBASE_PROFILE_RATE", "2/s")
        ratelimit.check(request, now=100.0)
        ratelimit.check(request, now=100.0)
        with pytest.raises(ratelimit.RateLimited):
            ratelimit.check(request, now=100.1)
        ratelimit.check(request, now=100.6)  # half a second later one token is back


@pytest.mark.parametrize(("name", "value"), [("KUNDEBASE_PROFILE_RATE", "lots"), ("KUNDEBASE_PROFILE_RATE", "5/week"),
                                             ("KUNDEBASE_CORS_ORIGINS", "*"),
                                             ("KUNDEBASE_CORS_ORIGINS", "shop.example.no"),
                                             ("KUNDEBASE_CORS_ORIGINS", "https://shop.example.no/path")])
def test_bad_settings_are_refused_at_start(monkeypatch, name, value):
    from django.core.exceptions import ImproperlyConfigured

    from kundebase import config

    monkeypatch.setenv(name, value)
    with pytest.raises(ImproperlyConfigured, match=name):
        config.load()


def test_ready_says_database_and_migrations(client):
    res = client.get("/ready")
    assert res.status_code == 200
    assert res.json()["status"] == "ready" and res.json()["migrations"] == "applied"


def test_ready_is_503_while_migrations_are_pending(client, monkeypatch):
    from kundebase.core import readiness

    monkeypatch.setattr(readiness, "_migrated", False)
    monkeypatch.setattr(readiness, "_pending_migrations", lambda: ["offers.0002_future"])
    res = client.get("/ready")
    assert res.status_code == 503 and res["Content-Type"] == "application/problem+json"
    assert res.json()["code"] == "migrations_pending"


def test_the_webshop_example_shows_offers_over_real_http(transactional_db, live_server, make_user, settings):
    from kundebase.core import tokens
    from kundebase.offers import services
    from kundebase.parties.services import create_person
    from kundebase.privacy import consent
    from kundebase.privacy.models import Purpose

    Purpose.objects.get_or_create(key="direct_marketing", defaults={
        "name": "Direct marketing", "description": "Offers", "legal_basis": "consent"})
    person = create_person(data={"given_name": "Kari", "family_name": "Nordmann"},
                           contact_points=[{"kind": "email", "value": "kari@example.no"}])
    consent.record(party_id=person.pk, purpose="direct_marketing", channel="profiling", status="granted")
    services.create_offer(data={"name": "Ullsokker <3", "kind": "content", "content": "Varme føtter",
                                "margin": "50"})
    token = tokens.issue(user=make_user("shop", "sales"), name="webshop", scope="read")[1]
    spec = importlib.util.spec_from_file_location("webshop_offers", EXAMPLE)
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)  # type: ignore[union-attr]
    example.TIMEOUT = 30
    handler = type("Page", (example.OfferPage,), {"base_url": live_server.url, "token": token})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        page = requests.get(f"http://127.0.0.1:{server.server_port}/", params={"customer": "kari@example.no"},
                            timeout=60).text
        assert "Ullsokker &lt;3" in page and "Varme føtter" in page
        unknown = requests.get(f"http://127.0.0.1:{server.server_port}/", params={"customer": "nobody"},
                               timeout=60).text
        assert "Welcome back!" in unknown
    finally:
        server.shutdown()


def test_each_of_n_server_processes_keeps_its_share_of_the_rate(settings):
    from django.test import RequestFactory

    from kundebase.offers import ratelimit

    settings.KUNDEBASE_PROFILE_RATE = "4/s"
    request = RequestFactory().get("/", HTTP_AUTHORIZATION="Bearer kb_shared")
    try:
        ratelimit.share_among(2)  # what `kundebase serve --workers 2` does before it forks
        ratelimit.check(request, now=50.0)
        ratelimit.check(request, now=50.0)
        with pytest.raises(ratelimit.RateLimited):
            ratelimit.check(request, now=50.0)
        ratelimit.check(request, now=50.5)  # 2 per second in this process: one token back after half a second
    finally:
        ratelimit.share_among(1)
