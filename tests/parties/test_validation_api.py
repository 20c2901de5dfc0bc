"""Every validation rule of persons and companies, through the API: refused with problem+json, nothing written."""

from __future__ import annotations

import random

import pytest

from kundebase.demo import numbers

pytestmark = pytest.mark.django_db


def _company(**fields):
    return {"legal_name": "Fjellsport AS", **fields}


def _assert_refused(res, field, code=None):
    from kundebase.parties.models import Party

    assert res.status_code == 422, res.content
    assert res["Content-Type"] == "application/problem+json"
    problem = res.json()
    assert problem["status"] == 422 and problem["code"]
    found = {(e["field"], e["code"]) for e in problem["errors"]}
    assert any(f == field and (code is None or c == code) for f, c in found), problem
    assert all(e["message"] for e in problem["errors"])
    assert Party.objects.count() == 0
    return problem


@pytest.mark.parametrize(
    ("country", "bad"),
    [("NO", "923609017"), ("NO", "12345"), ("DK", "13585627"), ("SE", "1234567890"), ("HU", "12892312-7-41"),
     ("HU", "12345670"), ("DE", "DE136695975"), ("DE", "DE12345")],
)
def test_org_number_with_bad_checksum_is_refused(api, country, bad):
    res = api.post("/api/v1/companies", _company(org_country=country, org_number=bad))
    problem = _assert_refused(res, "org_number", "invalid_org_number")
    assert bad in problem["detail"] or country in problem["detail"]


@pytest.mark.parametrize("country", ["NO", "DK", "HU", "DE"])
def test_valid_org_numbers_are_accepted_and_normalised(api, country):
    number = numbers.org_number(random.Random(country), country)
    res = api.post("/api/v1/companies", _company(org_country=country, org_number=f" {number} "))
    assert res.status_code == 201, res.content
    body = res.json()
    assert body["org_number"].replace("-", "") .removeprefix("DE") in number.replace("-", "").removeprefix("DE")
    found = api.get("/api/v1/lookup", q=number)
    assert [p["id"] for p in found.json()["items"]] == [body["id"]]


def test_swedish_org_number_is_checked(api):
    res = api.post("/api/v1/companies", _company(org_country="SE", org_number="556036-0793"))
    assert res.status_code == 201, res.content


@pytest.mark.parametrize(
    ("account", "country"),
    [("NO9386011117948", "NO"), ("DE89370400440532013001", "DE"), ("GB82WEST12345698765433", "GB"),
     ("86011117948", "NO"), ("1234.56.78901", "NO"), ("12345678", "DK"), ("XX00", "NO")],
)
def test_bad_bank_account_is_refused(api, account, country):
    res = api.post("/api/v1/companies", _company(org_country=country, bank_account=account))
    _assert_refused(res, "bank_account", "invalid_bank_account")


@pytest.mark.parametrize(("account", "country"), [("NO93 8601 1117 947", "NO"), ("8601.11.17947", "NO"),
                                                  ("DE89 3704 0044 0532 0130 00", "DE")])
def test_good_bank_accounts_are_stored_compact(api, account, country):
    res = api.post("/api/v1/companies", _company(org_country=country, bank_account=account))
    assert res.status_code == 201, res.content
    assert " " not in res.json()["bank_account"] and "." not in res.json()["bank_account"]


@pytest.mark.parametrize("code", ["47-11", "Z99", "4", "G47.1.1.1", "hello", "47.111"])
def test_bad_nace_code_is_refused(api, code):
    _assert_refused(api.post("/api/v1/companies", _company(industry_code=code)), "industry_code")


@pytest.mark.parametrize("code", ["47.11", "g47.1", "62.01", "A01"])
def test_good_nace_codes(api, code):
    res = api.post("/api/v1/companies", _company(industry_code=code))
    assert res.status_code == 201, res.content
    assert res.json()["industry_code"] == code.upper()


@pytest.mark.parametrize("country", ["XX", "Norway", "", "12"])
def test_unknown_country_is_refused(api, person_payload, country):
    payload = person_payload | {"addresses": [{"city": "Oslo", "country": country}]}
    res = api.post("/api/v1/persons", payload)
    _assert_refused(res, "addresses[0].country")


def test_unknown_registration_country_is_refused(api):
    _assert_refused(api.post("/api/v1/companies", _company(org_country="QQ")), "org_country", "unknown_country")


@pytest.mark.parametrize(
    "phone",
    ["12", "+47 123", "abc def ghi", "+999 1234567", "0047 2233445566778", "+47 22 33 44 55 " * 3],
)
def test_bad_phone_is_refused(api, person_payload, phone):
    payload = person_payload | {"contact_points": [{"kind": "phone", "value": phone}]}
    _assert_refused(api.post("/api/v1/persons", payload), "contact_points[0].value")


@pytest.mark.parametrize("spelling", ["+47 22 33 44 55", "0047 22334455", "22 33 44 55", "(+47) 22334455"])
def test_phone_spellings_normalise_to_e164_and_are_found(api, person_payload, spelling):
    payload = person_payload | {"contact_points": [{"kind": "phone", "value": spelling}]}
    res = api.post("/api/v1/persons", payload)
    assert res.status_code == 201, res.content
    assert res.json()["contact_points"][0]["normalised"] == "+4722334455"
    for query in ("+47 22 33 44 55", "0047 22334455", "22334455"):
        assert [p["id"] for p in api.get("/api/v1/lookup", q=query).json()["items"]] == [res.json()["id"]]


@pytest.mark.parametrize("email", ["not-an-email", "a@b", "kari@@example.no", "kari nordmann@example.no",
                                   "kari@example..no", "@example.no", "x" * 300 + "@example.no"])
def test_bad_email_is_refused(api, person_payload, email):
    payload = person_payload | {"contact_points": [{"kind": "email", "value": email}]}
    res = api.post("/api/v1/persons", payload)
    _assert_refused(res, "contact_points[0].value")


def test_birth_date_rules(api, person_payload):
    import datetime as dt

    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    _assert_refused(api.post("/api/v1/persons", person_payload | {"birth_date": tomorrow}), "birth_date", "future_date")
    _assert_refused(api.post("/api/v1/persons", person_payload | {"birth_date": "1850-01-01"}), "birth_date",
                    "implausible_date")
    _assert_refused(api.post("/api/v1/persons", person_payload | {"birth_date": "1980-02-30"}), "birth_date")


def test_every_problem_is_reported_at_once(api, person_payload):
    payload = person_payload | {
        "birth_date": "2999-01-01", "gender": "robot",
        "contact_points": [{"kind": "email", "value": "nope"}, {"kind": "phone", "value": "1"}],
    }
    problem = _assert_refused(api.post("/api/v1/persons", payload), "birth_date")
    fields = {e["field"] for e in problem["errors"]}
    assert {"birth_date", "gender", "contact_points[0].value", "contact_points[1].value"} <= fields


# --- corporate groups --------------------------------------------------------------------------------------


def _make(api, name, parent_id=None):
    res = api.post("/api/v1/companies", _company(legal_name=name, parent_id=parent_id))
    assert res.status_code == 201, res.content
    return res.json()["id"]


def test_group_cycle_of_two_is_refused(api):
    a = _make(api, "A AS")
    b = _make(api, "B AS", a)
    res = api.patch(f"/api/v1/companies/{a}", {"parent_id": b})
    assert res.status_code == 422
    assert ("parent_id", "cycle") in {(e["field"], e["code"]) for e in res.json()["errors"]}
    assert api.get(f"/api/v1/companies/{a}").json()["parent_id"] is None


def test_deeper_cycle_and_self_parent_are_refused(api):
    a = _make(api, "A AS")
    b = _make(api, "B AS", a)
    c = _make(api, "C AS", b)
    d = _make(api, "D AS", c)
    for child, parent in ((a, d), (a, c), (b, d), (c, c)):
        res = api.patch(f"/api/v1/companies/{child}", {"parent_id": parent})
        assert res.status_code == 422, (child, parent)
        assert res.json()["errors"][0]["code"] == "cycle"
    tree = api.get(f"/api/v1/companies/{d}/group").json()
    assert tree["id"] == a
    assert tree["children"][0]["id"] == b
    assert tree["children"][0]["children"][0]["children"][0]["id"] == d


def test_parent_must_be_an_existing_company(api, person_payload):
    person = api.post("/api/v1/persons", person_payload).json()["id"]
    res = api.post("/api/v1/companies", _company(parent_id=person))
    assert res.status_code == 422
    assert res.json()["errors"][0] == {"field": "parent_id", "code": "not_found",
                                       "message": res.json()["errors"][0]["message"]}
    res = api.post("/api/v1/companies", _company(parent_id=987654321))
    assert res.status_code == 422


def test_moving_a_subsidiary_to_another_group_is_allowed(api):
    a, x = _make(api, "A AS"), _make(api, "X AS")
    b = _make(api, "B AS", a)
    res = api.patch(f"/api/v1/companies/{b}", {"parent_id": x})
    assert res.status_code == 200
    assert api.get(f"/api/v1/companies/{x}/group").json()["children"][0]["id"] == b
    assert api.get(f"/api/v1/companies/{a}/group").json()["children"] == []
