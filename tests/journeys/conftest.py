"""The journeys' installations (one per mode, per test pass), the browser, and the watch for server errors."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.journeys.server import MODES, PASSWORD, Server, new_database_url

CUSTOMERS = 300


@pytest.fixture(scope="session", params=MODES)
def server(request: pytest.FixtureRequest) -> Iterator[Server]:
    """A demo installation served by a real `kundebase serve` in the given mode, shared by the journeys."""
    folder = Path(tempfile.mkdtemp(prefix=f"kb-journey-{request.param}-"))
    installation = Server(request.param, folder, new_database_url(folder, request.param))
    installation.install(CUSTOMERS).start()
    yield installation
    installation.stop()


class ServerErrors:
    """Every response seen by a journey with a status of 500 or more, by URL: a journey ends with none."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.seen: list[str] = []
        self.count = 0

    def note(self, method: str, url: str, status: int) -> None:
        self.count += 1
        if status >= 500:
            self.seen.append(f"{status} {method} {url}")

    def check(self) -> None:
        assert not self.seen, "server errors: " + "; ".join(self.seen) + "\n" + self.server.errors_logged()


@pytest.fixture
def server_errors(server: Server) -> Iterator[ServerErrors]:
    errors = ServerErrors(server)
    yield errors
    errors.check()


class Api:
    """The REST API over real HTTP with a bearer token; every response is noted for server errors."""

    def __init__(self, server: Server, token: str, errors: ServerErrors) -> None:
        self.base = server.url + "/api/v1"
        self.errors = errors
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {token}"
        self.http.hooks["response"].append(self._note)

    def _note(self, res: requests.Response, *args: Any, **kwargs: Any) -> None:
        self.errors.note(res.request.method or "", res.url, res.status_code)

    def request(self, method: str, path: str, expect: int | tuple[int, ...] | None = None, **kw: Any) -> Any:
        res = self.http.request(method, self.base + path, timeout=120, **kw)
        if expect is not None:
            wanted = (expect,) if isinstance(expect, int) else expect
            assert res.status_code in wanted, f"{method} {path}: {res.status_code} {res.text[:600]}"
        return res

    def get(self, path: str, expect: int | tuple[int, ...] | None = 200, **kw: Any) -> Any:
        return self.request("GET", path, expect, **kw)

    def post(self, path: str, body: Any = None, expect: int | tuple[int, ...] | None = (200, 201, 202),
             **kw: Any) -> Any:
        return self.request("POST", path, expect, json=body, **kw)

    def patch(self, path: str, body: Any, expect: int | tuple[int, ...] | None = 200, **kw: Any) -> Any:
        return self.request("PATCH", path, expect, json=body, **kw)

    def put(self, path: str, body: Any, expect: int | tuple[int, ...] | None = 200, **kw: Any) -> Any:
        return self.request("PUT", path, expect, json=body, **kw)


@pytest.fixture
def api(server: Server, server_errors: ServerErrors) -> Iterator[Api]:
    client = Api(server, server.token, server_errors)
    yield client
    client.http.close()


@pytest.fixture
def page(browser: Any, server: Server, server_errors: ServerErrors) -> Iterator[Any]:
    """A signed-in page of the `demo` administrator; every response the browser receives is watched."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB")
    tab = context.new_page()
    tab.set_default_timeout(20_000)
    tab.on("response", lambda res: server_errors.note(res.request.method, res.url, res.status))
    tab.goto(server.url + "/login/")
    tab.get_by_label("Username").fill("demo")
    tab.get_by_label("Password").fill(PASSWORD)
    tab.get_by_role("button", name="Sign in").click()
    tab.wait_for_url(server.url + "/")
    yield tab
    context.close()
