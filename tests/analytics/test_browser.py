"""The report pages in a real browser: charts render, filters apply; screenshots for docs/screenshots/.

Set ``KUNDEBASE_SCREENSHOT_DIR=docs/screenshots`` to keep the pictures (``analytics-*.png``).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
from pathlib import Path
from typing import Any

import pytest

SAMPLES = [json.loads(line) for line in
           (Path(__file__).resolve().parents[1] / "data" / "text" / "samples.jsonl").read_text("utf-8").splitlines()
           if line.strip()]
PLACES = [("NO", "Oslo", "Oslo", "0150"), ("NO", "Vestland", "Bergen", "5003"), ("NO", "Trøndelag", "Trondheim",
                                                                                   "7010"),
          ("DK", "Hovedstaden", "København", "1050"), ("DE", "Bayern", "München", "80331"),
          ("HU", "Budapest", "Budapest", "1051"), ("SE", "Stockholm", "Stockholm", "11120")]


def _rich_book() -> None:
    """Sixty customers with eighteen months of orders and contacts, deterministic."""
    from kundebase.interactions.services import log_interaction
    from kundebase.orders.services import create_category, create_order
    from kundebase.parties.services import create_person

    for name in ("Heat pumps", "Solar panels", "EV chargers", "Batteries", "Service agreements"):
        create_category(name=name)
    rng = random.Random(7)
    start = dt.datetime(2025, 6, 1, 10, tzinfo=dt.UTC)
    for i in range(60):
        country, region, town, postcode = PLACES[i % len(PLACES)]
        pid = create_person(data={"given_name": f"Kunde{i}", "family_name": "Eksempel",
                                  "birth_date": f"{1950 + (i * 7) % 50}-0{1 + i % 9}-15",
                                  "gender": ("female", "male")[i % 2]},
                            addresses=[{"postcode": postcode, "city": town, "municipality": town, "region": region,
                                        "country": country}]).pk
        first = start + dt.timedelta(days=rng.randint(0, 420))
        orders = 1 + int(rng.paretovariate(1.3)) % 12
        frequent_thin = i % 9 == 4
        for k in range(orders):
            when = first + dt.timedelta(days=k * rng.randint(10, 45))
            if when > dt.datetime(2026, 11, 20, tzinfo=dt.UTC):
                break
            revenue = round(rng.lognormvariate(7, 1), 2)
            cost = round(revenue * (0.97 if frequent_thin else rng.uniform(0.4, 0.75)), 2)
            create_order(party_id=pid, data={"ordered_at": when, "channel": rng.choice(["web", "store", "phone"]),
                                             "source": rng.choice(["google", "newsletter", ""])},
                         lines=[{"revenue": str(revenue), "cost": str(cost)}])
            if frequent_thin:
                log_interaction(party_id=pid, data={"kind": "call", "channel": "phone", "occurred_at": when,
                                                     "subject": "Reklamasjon"})
        sample = SAMPLES[i % len(SAMPLES)]
        log_interaction(party_id=pid, data={"kind": "email", "channel": "email", "subject": sample["subject"],
                                            "body": sample["body"],
                                            "occurred_at": dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
                                            - dt.timedelta(days=rng.randint(0, 150))})


@pytest.mark.browser
@pytest.mark.slow
def test_report_pages_in_chromium(live_server: Any, make_user: Any, client: Any, settings: Any) -> None:
    from tests import chromium

    _rich_book()
    client.force_login(make_user("chief", "administrator"))
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    shots = Path(os.environ.get("KUNDEBASE_SCREENSHOT_DIR") or settings.KUNDEBASE_DATA_DIR)
    shots.mkdir(parents=True, exist_ok=True)
    pages = [
        ("dashboard", "/analytics/?start=2025-06-01&end=2026-11-20"),
        ("pareto", "/analytics/reports/pareto/?start=2025-06-01&end=2026-11-20"),
        ("quadrant", "/analytics/reports/quadrant/?start=2025-06-01&end=2026-11-20"),
        ("rfm", "/analytics/reports/rfm/?end=2026-11-20&compare_to=2026-05-01"),
        ("cohorts", "/analytics/reports/cohorts/"),
        ("geography", "/analytics/reports/geography/?level=municipality"),
        ("sources", "/analytics/reports/sources/"),
        ("text", "/analytics/text/?start=2026-05-01&end=2026-11-20"),
    ]
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # the live server answers from its own thread
    with chromium.opened() as browser:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
        page = context.new_page()
        blocked: list[str] = []  # nothing on these pages may need what the Content Security Policy forbids
        page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
        for name, path in pages:
            response = page.goto(live_server.url + path)
            assert response is not None and response.status == 200, name
            chart = page.locator("svg.chart").first
            assert chart.is_visible(), name
            assert chart.bounding_box()["height"] > 50
            page.screenshot(path=str(shots / f"analytics-{name}.png"), full_page=True)
        assert not blocked, blocked
        page.goto(live_server.url + "/analytics/text/")
        with page.expect_navigation():
            page.get_by_role("button", name="Find interests in new texts").click()
        accept = page.get_by_role("button", name="Accept")
        assert accept.count() > 0
        page.locator("table.suggestions").scroll_into_view_if_needed()
        page.screenshot(path=str(shots / "analytics-suggestions.png"), full_page=False)
        with page.expect_navigation():
            accept.first.click()
        assert page.get_by_text("The interest was added to the customer.").is_visible()
        page.goto(live_server.url + "/analytics/reports/pareto/?channel=web")
        assert page.locator("select[name=channel]").input_value() == "web"
    # database checks outside Playwright's event loop: inside it Django would open a second connection
    from kundebase.orders.models import ProductInterest

    assert ProductInterest.objects.filter(source="text", accepted=True).count() == 1
