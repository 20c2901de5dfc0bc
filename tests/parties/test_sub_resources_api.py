"""Contact points, addresses and contact roles as sub-resources; deleting customers; the companies API."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(api, person_payload):
    res = api.post("/api/v1/persons", person_payload)
    assert res.status_code == 201
    return res.json()


@pytest.fixture
def company(api):
    res = api.post("/api/v1/companies", {
        "legal_name": "Fjellsport AS", "org_country": "NO", "org_number": "923 609 016", "industry_code": "47.64",
        "employees": 12, "annual_revenue": "12500000.00", "bank_account": "8601 11 17947", "payment_terms_days": 30,
        "credit_limit": "50000", "dunning_status": "reminder_1",
        "contact_points": [{"kind": "website", "value": "www.fjellsport.no"}],
        "addresses": [{"kind": "visiting", "street": "Storgata 1", "postcode": "0155", "city": "Oslo",
                       "country": "NO"}]})
    assert res.status_code == 201, res.content
    return res.json()


def test_company_fields_round_trip(api, company):
    got = api.get(f"/api/v1/companies/{company['id']}").json()
    assert got["org_number"] == "923609016"
    assert got["bank_account"] == "86011117947"
    assert got["dunning_status"] == "reminder_1"
    assert got["contact_points"][0]["normalised"] == "fjellsport.no"
    assert [p["id"] for p in api.get("/api/v1/lookup", q="NO 923 609 016").json()["items"]] == [company["id"]]
    assert [c["id"] for c in api.get("/api/v1/companies", industry_code="47").json()["items"]] == [company["id"]]


def test_contact_points_add_change_remove_keep_one_primary(api, person):
    pid = person["id"]
    res = api.post(f"/api/v1/parties/{pid}/contact-points", {"kind": "email", "value": "kari@jobb.no",
                                                            "is_primary": True})
    assert res.status_code == 201
    new = res.json()
    emails = [cp for cp in api.get(f"/api/v1/persons/{pid}").json()["contact_points"] if cp["kind"] == "email"]
    assert [cp["id"] for cp in emails if cp["is_primary"]] == [new["id"]]
    res = api.patch(f"/api/v1/parties/{pid}/contact-points/{new['id']}", {"value": "not an email"})
    assert res.status_code == 422
    assert api.delete(f"/api/v1/parties/{pid}/contact-points/{new['id']}").status_code == 204
    emails = [cp for cp in api.get(f"/api/v1/persons/{pid}").json()["contact_points"] if cp["kind"] == "email"]
    assert len(emails) == 1 and emails[0]["is_primary"]
    assert api.delete(f"/api/v1/parties/{pid}/contact-points/999999").status_code == 404
    assert api.post("/api/v1/parties/999999/contact-points", {"kind": "email", "value": "a@b.no"}).status_code == 404


def test_addresses_add_change_remove(api, person):
    pid = person["id"]
    res = api.post(f"/api/v1/parties/{pid}/addresses", {"kind": "delivery", "city": "Bergen", "country": "NO"})
    assert res.status_code == 201
    aid = res.json()["id"]
    assert api.patch(f"/api/v1/parties/{pid}/addresses/{aid}", {"country": "ZZ"}).status_code == 422
    res = api.patch(f"/api/v1/parties/{pid}/addresses/{aid}", {"postcode": "5003"})
    assert res.status_code == 200 and res.json()["postcode"] == "5003" and res.json()["city"] == "Bergen"
    assert api.post(f"/api/v1/parties/{pid}/addresses", {"country": "NO"}).status_code == 422
    assert api.delete(f"/api/v1/parties/{pid}/addresses/{aid}").status_code == 204
    assert len(api.get(f"/api/v1/persons/{pid}").json()["addresses"]) == 1


def test_roles_link_persons_and_companies(api, person, company):
    res = api.post("/api/v1/roles", {"person_id": person["id"], "company_id": company["id"],
                                     "position": "Innkjøpssjef", "department": "Innkjøp",
                                     "start_date": "2020-01-01", "is_primary_contact": True})
    assert res.status_code == 201, res.content
    role = res.json()
    assert (role["person_name"], role["company_name"]) == ("Kari Nordmann", "Fjellsport AS")
    assert api.get(f"/api/v1/persons/{person['id']}").json()["roles"][0]["position"] == "Innkjøpssjef"
    bad = api.patch(f"/api/v1/roles/{role['id']}", {"end_date": "2019-01-01"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "end_date"
    assert api.post("/api/v1/roles", {"person_id": company["id"], "company_id": person["id"]}).status_code == 422
    assert api.delete(f"/api/v1/roles/{role['id']}").status_code == 204
    assert api.get(f"/api/v1/persons/{person['id']}").json()["roles"] == []


def test_delete_with_orders_is_refused_and_without_is_done(api, person, company):
    order = api.post("/api/v1/orders", {"party_id": person["id"], "lines": [{"description": "Tent", "revenue": 100}]})
    assert order.status_code == 201
    res = api.delete(f"/api/v1/persons/{person['id']}")
    assert res.status_code == 409 and res.json()["code"] == "has_orders"
    assert api.get(f"/api/v1/persons/{person['id']}").status_code == 200
    assert api.delete(f"/api/v1/companies/{company['id']}").status_code == 204
    assert api.get(f"/api/v1/companies/{company['id']}").status_code == 404
    assert api.delete(f"/api/v1/persons/{company['id']}").status_code == 404


def test_list_pagination_with_cursor(api, person_payload):
    for i in range(5):
        payload = person_payload | {"family_name": f"Hansen{i}", "contact_points": [], "addresses": []}
        assert api.post("/api/v1/persons", payload).status_code == 201
    seen, cursor = [], None
    while True:
        page = api.get("/api/v1/persons", limit=2, **({"cursor": cursor} if cursor else {})).json()
        seen += [p["id"] for p in page["items"]]
        cursor = page["next"]
        if not cursor:
            break
    assert len(seen) == 5 == len(set(seen))
    assert api.get("/api/v1/persons", cursor="garbage").status_code in (400, 422)


def test_sales_cannot_delete_but_analyst_cannot_write(api_as, person_payload):
    analyst = api_as("analyst")
    res = analyst.post("/api/v1/persons", person_payload)
    assert res.status_code == 403 and res["Content-Type"] == "application/problem+json"
    assert api_as("marketing", "m").post("/api/v1/persons", person_payload).status_code == 403
