"""Fixtures every test may use: API clients per role, the backend in use, and the PostgreSQL pass filter."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest

BACKEND = os.environ.get("KUNDEBASE_TEST_BACKEND", "sqlite")
DB_FIXTURES = {"db", "transactional_db", "live_server", "django_db_reset_sequences", "django_db_serialized_rollback"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On the PostgreSQL pass run only the tests that touch the database (journeys included: their server runs
    on the pass's database); the rest ran on the SQLite pass."""
    if BACKEND == "sqlite":
        return
    keep, drop = [], []
    for item in items:
        uses_db = bool(DB_FIXTURES & set(getattr(item, "fixturenames", ()))) or item.get_closest_marker("django_db")
        uses_db = uses_db or bool(item.get_closest_marker("journey"))
        (keep if uses_db else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix: None) -> None:
    """SQLite tests use a file next to the configured one, not shared-cache memory, so that threads (concurrent
    writers, the live server) each get a real connection with real locking, as in production."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3") and str(db["NAME"]) != ":memory:":
        db.setdefault("TEST", {})["NAME"] = f"{db['NAME']}.test"


@pytest.fixture(scope="session", autouse=True)
def debug_cursor() -> Iterator[None]:
    """Every statement goes through Django's debug cursor, as it does under ``make demo`` (DEBUG on).

    That cursor renders ``sql % params`` for its query log, so SQL that is not in the DB-API ``format``
    style every Django connection speaks (``?`` placeholders, a lone ``%``) fails there — in development
    only, unless the tests use it too.  New connections (the live server's threads) are switched as they
    open.
    """
    from django.db import connections
    from django.db.backends.signals import connection_created

    def force(sender: object, connection: Any, **_kwargs: object) -> None:
        connection.force_debug_cursor = True

    connection_created.connect(force, weak=False, dispatch_uid="kundebase-tests-debug-cursor")
    for conn in connections.all(initialized_only=True):
        conn.force_debug_cursor = True
    yield
    connection_created.disconnect(dispatch_uid="kundebase-tests-debug-cursor")


def _stamp(path: Any) -> tuple[float, int] | None:
    try:
        found = path.stat()
    except FileNotFoundError:
        return None
    return found.st_mtime, found.st_size


@pytest.fixture(autouse=True)
def language_does_not_carry_over() -> Iterator[None]:
    """A request through the test client activates its language in this thread (as the locale middleware does
    for every request) and leaves it active; the next test starts in the default language again."""
    yield
    from django.utils import translation

    translation.deactivate()


@pytest.fixture(autouse=True)
def mirror_follows_the_rollback() -> Iterator[None]:
    """A test's writes are rolled back, so an analytics mirror it loaded mirrors nothing any more: the next
    test would read the rolled-back customers from it (within ``MAX_STALENESS`` no refresh happens).  A mirror
    the test created or changed in the shared data folder is removed after it; the next reader loads a new one."""
    from kundebase.analytics import engine

    path = engine.mirror_path()
    before = _stamp(path)
    yield
    if _stamp(path) != before:
        for leftover in (path, path.with_name(path.name + ".wal")):
            leftover.unlink(missing_ok=True)


@pytest.fixture
def backend() -> str:
    from django.db import connection

    return connection.vendor


class ApiClient:
    """The Django test client speaking JSON with a bearer token, as an integration would."""

    def __init__(self, client: Any, token: str, user: Any) -> None:
        self.client = client
        self.token = token
        self.user = user

    def _call(self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None,
              **params: Any) -> Any:
        extra = {"HTTP_AUTHORIZATION": f"Bearer {self.token}"}
        for key, value in (headers or {}).items():
            extra["HTTP_" + key.upper().replace("-", "_")] = value
        fn = getattr(self.client, method)
        if method in ("get", "delete") and body is None:
            return fn(path, params or None, **extra) if method == "get" else fn(path, **extra)
        return fn(path, data=json.dumps(body), content_type="application/json", **extra)

    def get(self, path: str, **kw: Any) -> Any:
        return self._call("get", path, **kw)

    def post(self, path: str, body: Any = None, **kw: Any) -> Any:
        return self._call("post", path, body, **kw)

    def patch(self, path: str, body: Any = None, **kw: Any) -> Any:
        return self._call("patch", path, body, **kw)

    def put(self, path: str, body: Any = None, **kw: Any) -> Any:
        return self._call("put", path, body, **kw)

    def delete(self, path: str, **kw: Any) -> Any:
        return self._call("delete", path, **kw)


@pytest.fixture
def make_user(db: Any) -> Callable[..., Any]:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from kundebase.core.roles import sync_roles

    def make(name: str = "alice", role: str = "administrator", password: str = "correct-horse-battery") -> Any:
        if not Group.objects.filter(name=role).exists():
            sync_roles()
        user = get_user_model().objects.create_user(username=name, password=password)
        user.groups.set([Group.objects.get(name=role)])
        return user

    return make


@pytest.fixture
def api_as(make_user: Callable[..., Any], client: Any) -> Callable[[str], ApiClient]:
    """``api_as("sales")`` gives a JSON client authenticated as a fresh user with that role."""
    from django.test import Client

    from kundebase.core.models import ApiToken

    def make(role: str = "administrator", name: str | None = None) -> ApiClient:
        user = make_user(name or f"{role}-user", role)
        return ApiClient(Client(), ApiToken.issue(user)[1], user)

    return make


@pytest.fixture
def api(api_as: Callable[[str], ApiClient]) -> ApiClient:
    return api_as("administrator")


@pytest.fixture
def person_payload() -> Iterator[dict[str, Any]]:
    yield {
        "given_name": "Kari",
        "family_name": "Nordmann",
        "birth_date": "1980-12-31",
        "gender": "female",
        "preferred_language": "nb",
        "contact_points": [
            {"kind": "email", "value": "Kari.Nordmann@Example.NO"},
            {"kind": "mobile", "value": "+47 412 34 567"},
        ],
        "addresses": [{"street": "Storgata 1", "postcode": "0155", "city": "Oslo", "country": "no"}],
    }


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Chromium, one per test module (:mod:`tests.chromium`): starting it costs about a second."""
    from tests import chromium

    with chromium.opened() as opened:
        yield opened
