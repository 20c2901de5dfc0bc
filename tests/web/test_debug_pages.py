"""The pages ``make demo`` serves, with ``DEBUG`` on, over real HTTP, after a customer was edited.

``make demo`` runs in development, where Django wraps every database cursor in its debug cursor: that one
renders ``sql % params`` for its query log, so any statement that reaches a Django cursor with ``?``
placeholders (or a single ``%`` in its text) fails with "not all arguments converted during string
formatting".  An edit leaves change marks, so the next analytics read refreshes the mirror with
parameterised statements — the path the dashboard, every report, the key-figure card, customer
intelligence and the segment builder's live count all take.
"""

from __future__ import annotations

import http.cookiejar
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

import pytest

from tests.web.conftest import PASSWORD
from tests.web.seed import seed

pytestmark = pytest.mark.django_db(transaction=True)


class Browser:
    """A cookie-keeping HTTP client that signs in through the sign-in form, as a person would."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def csrf(self) -> str:
        return next(c.value for c in self.jar if c.name == "csrftoken")

    def request(self, path: str, data: bytes | None = None, headers: dict[str, str] | None = None
                ) -> tuple[int, str]:
        request = urllib.request.Request(self.base + path, data=data, headers=headers or {})
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.read().decode(errors="replace")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode(errors="replace")

    def get(self, path: str) -> tuple[int, str]:
        return self.request(path)

    def post_form(self, path: str, fields: dict[str, Any]) -> tuple[int, str]:
        body = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": self.csrf()}).encode()
        return self.request(path, body, {"Content-Type": "application/x-www-form-urlencoded",
                                         "Referer": self.base + path})

    def post_json(self, path: str, payload: Any) -> tuple[int, str]:
        return self.request(path, json.dumps(payload).encode(), {
            "Content-Type": "application/json", "X-CSRFToken": self.csrf(), "Referer": self.base + path})

    def sign_in(self, username: str) -> None:
        self.get("/login/")
        status, _body = self.post_form("/login/", {"username": username, "password": PASSWORD})
        assert status == 200
        assert any(c.name == "sessionid" for c in self.jar), "sign-in failed"


def _reason(body: str) -> str:
    found = re.search(r'<pre class="exception_value">(.*?)</pre>', body, re.S)
    return found.group(1).strip() if found else body[:300]


@pytest.fixture
def debug_site(settings: Any, tmp_path: Any, monkeypatch: Any) -> Any:
    """DEBUG on (Django's debug cursor everywhere), a mirror of its own, refreshed on every read."""
    from kundebase.analytics import engine

    settings.DEBUG = True
    settings.KUNDEBASE_DATA_DIR = tmp_path
    monkeypatch.setattr(engine, "MAX_STALENESS", 0.0)
    return settings


def test_main_pages_answer_after_an_edit_with_debug_on(debug_site: Any, live_server: Any,
                                                       make_user: Any) -> None:
    from django.conf import settings

    from kundebase.analytics import reports
    from kundebase.web import editing

    assert settings.DEBUG
    data = seed(actor=make_user("seeder", "administrator", PASSWORD))
    make_user("boss", "administrator", PASSWORD)
    browser = Browser(live_server.url)
    browser.sign_in("boss")

    # a first read loads the mirror whole (a statement without parameters)
    status, body = browser.get("/analytics/")
    assert status == 200, _reason(body)

    kari = type(data.kari).objects.get(pk=data.kari.pk)
    form = {k: "" if v is None else v for k, v in editing.initial_for(kari).items()}
    form["given_name"] = "Karianne"
    status, body = browser.post_form(f"/customers/{kari.pk}/edit/", form)
    assert status == 200 and "Karianne" in body, _reason(body)

    # matching runs read blocking keys and candidates with raw SQL; the queue then has Kari's twin
    from kundebase.marketing.segments import create_segment
    from kundebase.matching import services as matching

    for mode in ("full", "incremental"):
        assert matching.run_job(matching.start_job(mode)).status == "done"
    segment = create_segment(data={"name": "Norway", "rule": {"attr": "country", "op": "eq", "value": "NO"}})

    pages = [f"/marketing/segments/{segment.pk}/", "/", "/search/?q=Nordmann", f"/customers/{kari.pk}/",
             "/analytics/", "/analytics/reports/",
             "/analytics/text/", f"/analytics/customers/{kari.pk}/key-figures/", "/marketing/segments/",
             "/marketing/segments/new", "/matching/review", "/customers/",
             *[f"/analytics/reports/{key}/" for key in reports.REPORTS]]
    failed = []
    for path in pages:
        status, body = browser.get(path)
        if status != 200:
            failed.append(f"{path}: {status} {_reason(body)}")
    for rule in ({"attr": "country", "op": "eq", "value": "NO"},
                 {"attr": "orders.revenue", "op": "gte", "value": 100, "window": {"days": 365}},
                 {"attr": "birthday", "op": "within_days", "value": 30}):
        status, body = browser.post_json("/marketing/segments/count", {"rule": rule})
        if status != 200 or "count" not in json.loads(body):
            failed.append(f"segment count {rule}: {status} {_reason(body)}")
    assert not failed, "\n".join(failed)
    status, body = browser.get("/matching/review")
    assert "review-pair" in body and "Nordman" in body  # Kari and her twin wait for a decision
