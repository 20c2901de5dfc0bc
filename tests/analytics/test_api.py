"""The analytics API and pages: JSON reports, exports, key figures, permissions and pseudonyms."""

from __future__ import annotations

import io
from typing import Any

import pytest

from kundebase.privacy.masking import pseudonym

PERIOD = {"start": "2026-01-01", "end": "2026-05-31"}


def test_report_json_matches_the_service(api: Any, book: dict[str, int]) -> None:
    r = api.get("/api/v1/analytics/reports/pareto", **PERIOD)
    assert r.status_code == 200, r.content
    data = r.json()
    assert data["revenue_share_top"] == pytest.approx(3000 / 4100)
    assert data["rows"][0]["party_id"] == book["A"]
    listing = api.get("/api/v1/analytics/reports").json()
    assert {r["key"] for r in listing} == {"pareto", "quadrant", "rfm", "cohorts", "geography", "sources"}


@pytest.mark.parametrize("key", ["pareto", "quadrant", "rfm", "cohorts", "geography", "sources"])
def test_every_report_answers_and_exports(api: Any, book: dict[str, int], key: str) -> None:
    assert api.get(f"/api/v1/analytics/reports/{key}", **PERIOD).status_code == 200
    csv_body = api.get(f"/api/v1/analytics/reports/{key}/export", format="csv", **PERIOD)
    assert csv_body.status_code == 200 and csv_body["Content-Type"].startswith("text/csv")
    assert csv_body.content.decode("utf-8-sig").count("\n") >= 2
    xlsx = api.get(f"/api/v1/analytics/reports/{key}/export", format="xlsx", **PERIOD)
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.max_row >= 2
    pdf = api.get(f"/api/v1/analytics/reports/{key}/export", format="pdf", **PERIOD)
    assert pdf.content.startswith(b"%PDF")


def test_unprofitable_list_in_csv(api: Any, book: dict[str, int]) -> None:
    body = api.get("/api/v1/analytics/reports/quadrant/export", format="csv", **PERIOD).content.decode("utf-8-sig")
    lines = body.strip().splitlines()
    assert len(lines) == 2 and lines[1].startswith(f"{book['B']},")
    assert lines[1].endswith(",-250.0")


@pytest.mark.parametrize("params", [{"start": "2026-13-01"}, {"channel": "pigeon"}, {"start": "2026-05-01",
                                                                                    "end": "2026-01-01"},
                                    {"segment": "nope"}, {"region": "x" * 500}])
def test_bad_filters_are_problems(api: Any, db: Any, params: dict[str, str]) -> None:
    r = api.get("/api/v1/analytics/reports/pareto", **params)
    assert r.status_code == 422 and r["Content-Type"] == "application/problem+json"
    assert r.json()["errors"][0]["field"] in params


def test_unknown_report_and_format(api: Any, db: Any) -> None:
    assert api.get("/api/v1/analytics/reports/astrology").status_code == 404
    assert api.get("/api/v1/analytics/reports/pareto/export", format="doc").status_code == 422
    assert api.get("/api/v1/analytics/reports/geography", level="planet").status_code == 422


def test_key_figures_endpoint(api: Any, book: dict[str, int]) -> None:
    r = api.get(f"/api/v1/analytics/customers/{book['B']}/key-figures")
    assert r.status_code == 200 and r.json()["net_profit"] == -250.0
    assert api.get("/api/v1/analytics/customers/987654/key-figures").status_code == 404


def test_permissions(api_as: Any, book: dict[str, int]) -> None:
    service = api_as("service")
    assert service.get("/api/v1/analytics/reports/pareto").status_code == 403
    assert service.get(f"/api/v1/analytics/customers/{book['A']}/key-figures").status_code == 403
    sales = api_as("sales")
    assert sales.get("/api/v1/analytics/reports/pareto").status_code == 403
    assert sales.get(f"/api/v1/analytics/customers/{book['A']}/key-figures").status_code == 200
    marketing = api_as("marketing")
    assert marketing.get("/api/v1/analytics/reports/pareto").status_code == 200


def test_analyst_sees_pseudonyms_everywhere(api_as: Any, client: Any, book: dict[str, int]) -> None:
    analyst = api_as("analyst")
    data = analyst.get("/api/v1/analytics/reports/pareto", **PERIOD).json()
    numbers = {r["customer_number"] for r in data["rows"]}
    ids = {r["party_id"] for r in data["rows"]}
    assert pseudonym("customer", book["A"]) in ids and book["A"] not in ids
    from kundebase.parties.models import Party

    real_numbers = set(Party.objects.values_list("customer_number", flat=True))
    assert not numbers & real_numbers
    body = analyst.get("/api/v1/analytics/reports/quadrant/export", format="csv", **PERIOD).content.decode()
    assert pseudonym("customer", book["B"]) in body and not any(n in body for n in real_numbers)
    kf = analyst.get(f"/api/v1/analytics/customers/{book['B']}/key-figures").json()
    assert kf["party_id"] == pseudonym("customer", book["B"])
    client.force_login(analyst.user)
    page = client.get("/analytics/reports/pareto/", PERIOD).content.decode()
    assert pseudonym("number", book["A"]) in page and not any(n in page for n in real_numbers)


@pytest.mark.parametrize("path", ["/analytics/", "/analytics/reports/", "/analytics/reports/pareto/",
                                  "/analytics/reports/quadrant/", "/analytics/reports/rfm/?compare_to=2026-03-01",
                                  "/analytics/reports/cohorts/", "/analytics/reports/geography/?level=region",
                                  "/analytics/reports/sources/", "/analytics/text/"])
def test_pages_render_with_a_chart(client: Any, make_user: Any, book: dict[str, int], path: str) -> None:
    client.force_login(make_user("boss", "administrator"))
    r = client.get(path)
    assert r.status_code == 200
    if path != "/analytics/reports/":
        assert b"<svg" in r.content


def test_pages_refuse_without_permission(client: Any, make_user: Any, db: Any) -> None:
    res = client.get("/analytics/")  # not signed in: sent to sign in first
    assert res.status_code == 302 and res["Location"] == "/login/?next=/analytics/"
    client.force_login(make_user("svc", "service"))
    assert client.get("/analytics/reports/pareto/").status_code == 403
    assert client.get("/analytics/text/").status_code == 403


def test_page_export_and_bad_filter(client: Any, make_user: Any, book: dict[str, int]) -> None:
    client.force_login(make_user("boss", "administrator"))
    r = client.get("/analytics/reports/geography/", {"format": "xlsx", "level": "region"})
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    r = client.get("/analytics/reports/pareto/", {"start": "yesterday"})
    assert r.status_code == 200 and b"start" in r.content


def test_key_figure_card(client: Any, make_user: Any, book: dict[str, int]) -> None:
    client.force_login(make_user("seller", "sales"))
    r = client.get(f"/analytics/customers/{book['B']}/key-figures/")
    assert r.status_code == 200 and "-NOK\xa0250.00" in r.content.decode()


def test_suggestion_api_flow(api: Any, book: dict[str, int]) -> None:
    from kundebase.interactions.services import log_interaction
    from kundebase.orders.services import create_category

    create_category(name="Heat pumps")
    log_interaction(party_id=book["E"], data={"kind": "email", "subject": "Árajánlat hőszivattyúra",
                                              "body": "Szeretnénk a régi gázkazánt egy hőszivattyúra cserélni."})
    r = api.post("/api/v1/analytics/text/suggest")
    assert r.status_code == 200 and r.json()["suggested"] == 1
    [suggestion] = api.get("/api/v1/analytics/suggestions", party_id=book["E"]).json()
    assert suggestion["accepted"] is False and suggestion["category"] == "Heat pumps"
    accepted = api.post(f"/api/v1/analytics/suggestions/{suggestion['id']}/accept")
    assert accepted.status_code == 200 and accepted.json()["accepted"] is True
    assert api.get("/api/v1/analytics/suggestions", party_id=book["E"]).json() == []
    assert api.post(f"/api/v1/analytics/suggestions/{suggestion['id']}/dismiss").status_code == 409
    assert api.post("/api/v1/analytics/suggestions/999999/accept").status_code == 404
    text = api.get("/api/v1/analytics/text", start="2026-01-01").json()
    assert any(d["category"] == "Heat pumps" for d in text["demographics"])


def test_suggest_and_review_buttons(client: Any, make_user: Any, book: dict[str, int]) -> None:
    from kundebase.interactions.services import log_interaction
    from kundebase.orders.models import ProductInterest
    from kundebase.orders.services import create_category

    create_category(name="Solar panels")
    log_interaction(party_id=book["A"], data={"kind": "email", "subject": "Solcellepanel på låvetaket",
                                              "body": "Hva vil solcellepanel koste for et sørvendt tak?"})
    client.force_login(make_user("seller", "sales"))
    assert client.post("/analytics/text/suggest/").status_code == 403  # sales reviews, but does not run the analysis
    client.force_login(make_user("boss", "administrator"))
    assert client.post("/analytics/text/suggest/").status_code == 302
    suggestion = ProductInterest.objects.get(party_id=book["A"], accepted=False)
    client.force_login(make_user("seller2", "sales"))
    assert client.post(f"/analytics/suggestions/{suggestion.pk}/accept/").status_code == 302
    suggestion.refresh_from_db()
    assert suggestion.accepted
    assert client.get(f"/analytics/suggestions/{suggestion.pk}/accept/").status_code == 405


def test_out_of_range_ids_are_not_found(api: Any, db: Any) -> None:
    huge = 2**70
    assert api.get(f"/api/v1/analytics/customers/{huge}/key-figures").status_code == 404
    assert api.get("/api/v1/analytics/customers/-1/key-figures").status_code == 404
    assert api.post(f"/api/v1/analytics/suggestions/{huge}/accept").status_code == 404
    assert api.post(f"/api/v1/analytics/suggestions/{huge}/dismiss").status_code == 404
    assert api.get("/api/v1/analytics/suggestions", party_id=huge).json() == []
