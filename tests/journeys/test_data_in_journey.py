"""Data coming in as it does in real life: a messy Norwegian spreadsheet export uploaded in the browser, and
tracking events from the unmodified segment-analytics-python client — against `kundebase serve` per mode."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest

from tests.journeys.conftest import Api
from tests.journeys.server import Server

pytestmark = [pytest.mark.journey, pytest.mark.slow]

MESSY_ROWS = [
    "Kundenummer;Fornavn;Etternavn;Fødselsdato;E-post;Mobil;Adresse;Postnummer;Poststed;Land",
    ";Bjørg;Ødegård;31.12.1980;bjorg.odegard@journey.example;+47 412 34 560;Storgata 1;0155;Oslo;Norge",
    ";Åse;Bråten;02.04.1975;ase.braten@journey.example;90 12 34 51;Kirkegata 5;3044;Drammen;NO",
    ";Per;Ærlig;1968-07-14;per.aerlig@journey.example;;Øvre Slottsgate 3;0157;Oslo;Norge",
    ";Feil;Dato;31.02.1990;feil.dato@journey.example;;;;;Norge",
    ";Uten;Epost;;ikke-en-epost;12;;;;NO",
    ";For;Mange;;;;;;;NO;ekstra;kolonner",
    ";;;;;;;;;",
    ";Liv;Sæther;;liv.saether@journey.example;;Bryggen 2;5003;Bergen;Norge",
]
"""``;``-separated, Latin-1, Norwegian headers and dates, and bad rows: an impossible date, an invalid e-mail and
phone number, too many columns, an empty row."""


@pytest.mark.browser
def test_import_a_messy_norwegian_file(page: Any, server: Server, api: Api, tmp_path: Path) -> None:
    base = server.url
    path = tmp_path / "kunder fra messa.csv"
    path.write_bytes(("\r\n".join(MESSY_ROWS) + "\r\n").encode("latin-1"))
    page.goto(base + "/import/new")
    page.set_input_files("#file", str(path))
    page.fill("#source", "messe")
    page.select_option("#entity", "persons")
    page.get_by_role("button", name="Upload and preview").click()
    page.wait_for_url(re.compile(r".*/import/\d+/mapping$"))
    preview = page.locator("main").inner_text()
    assert "Ødegård" in preview and "Fødselsdato" in preview, "the Latin-1 file is read as Latin-1"
    page.get_by_role("button", name="Start the import").click()
    page.wait_for_url(re.compile(r".*/import/\d+/$"))
    job_id = int(page.url.rstrip("/").rsplit("/", 1)[-1])
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        progress = api.get(f"/imports/{job_id}").json()
        if progress["status"] in ("done", "failed", "completed", "finished"):
            break
        time.sleep(0.5)
    assert progress["status"] in ("done", "completed", "finished"), progress
    for email in ("bjorg.odegard@journey.example", "ase.braten@journey.example", "liv.saether@journey.example"):
        hits = api.get("/lookup", params={"q": email}).json()["items"]
        assert len(hits) == 1, f"{email} was imported once"
    assert api.get("/search", params={"q": "Ødegård"}).json()["items"]
    assert api.get("/lookup", params={"q": "feil.dato@journey.example"}).json()["items"] == []
    errors = api.http.get(f"{base}/import/{job_id}/errors.csv", timeout=60)
    page.goto(f"{base}/import/{job_id}/")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the rows that were not stored (CSV)").click()
    text = download.value.path().read_bytes().decode("utf-8-sig", errors="replace")
    assert "31.02.1990" in text and "ikke-en-epost" in text, text
    assert errors.status_code in (200, 302, 401, 403)


def test_events_from_the_segment_client(server: Server, api: Api) -> None:
    from segment.analytics import Client, request

    key = server.cli("sources", "add", "journey-shop").stdout.strip().split()[-1]
    failures: list[Exception] = []
    client = Client(key, host=server.url, sync_mode=True, on_error=lambda exc, batch: failures.append(exc))
    try:
        client.page(anonymous_id="anon-journey", name="Front page", properties={"url": "https://shop.example/"})
        client.identify("journey-user", {"email": "signe.journey@example.no", "firstName": "Signe",
                                         "lastName": "Journey"}, anonymous_id="anon-journey")
        client.track("journey-user", "Order Completed", {
            "order_id": "J-1", "revenue": 499.0, "products": [{"name": "Sekk", "price": 499.0, "quantity": 1}]})
        client.track("journey-user", "Newsletter Opened", {"issue": 3})
        client.group("journey-user", "journey-co", {"name": "Journey Consulting AS"})
        client.alias("journey-user-old", "journey-user")
    finally:
        request._session.close()
    assert failures == []
    deadline = time.monotonic() + 60
    hits: list[Any] = []
    while time.monotonic() < deadline and not hits:
        hits = api.get("/lookup", params={"q": "signe.journey@example.no"}).json()["items"]
        time.sleep(0.5)
    assert hits, "the identified visitor became a customer"
    party = hits[0]["id"]
    # Each event is its own batch and the worker takes them in turn, so wait for the last one sent,
    # not for the first that shows.
    orders: list[Any] = []
    subjects: set[str] = set()
    while time.monotonic() < deadline:
        orders = api.get("/orders", params={"party_id": party}).json()["items"]
        subjects = {i["subject"] for i in api.get("/interactions", params={"party_id": party}).json()["items"]}
        if orders and {"Front page", "Newsletter Opened"} <= subjects:
            break
        time.sleep(0.5)
    assert orders, "the completed order is stored"
    assert {"Front page", "Newsletter Opened"} <= subjects
