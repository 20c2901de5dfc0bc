"""Custom fields: an administrator defines them with a purpose; values are type-checked; required means required."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

FIELD = {"entity": "person", "key": "shoe_size", "label": "Shoe size", "field_type": "integer",
         "purpose": "Boot fitting advice in the store needs the customer's shoe size.",
         "legal_basis": "legitimate_interest", "data_category": "other"}


def _define(api, **changes):
    res = api.post("/api/v1/custom-fields", FIELD | changes)
    assert res.status_code == 201, res.content
    return res.json()


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"purpose": ""}, "purpose"), ({"purpose": "because"}, "purpose"), ({"legal_basis": ""}, "legal_basis"),
     ({"legal_basis": "whim"}, "legal_basis"), ({"field_type": "colour"}, "field_type"),
     ({"entity": "planet"}, "entity"), ({"key": "9lives"}, "key"), ({"key": "skostørrelse"}, "key"),
     ({"field_type": "choice", "choices": []}, "choices")],
)
def test_definition_needs_purpose_basis_and_valid_type(api, changes, field):
    from kundebase.core.models import CustomFieldDefinition

    res = api.post("/api/v1/custom-fields", FIELD | changes)
    assert res.status_code == 422, res.content
    assert res["Content-Type"] == "application/problem+json"
    assert field in {e["field"] for e in res.json()["errors"]}
    assert not CustomFieldDefinition.objects.exists()


def test_duplicate_key_is_refused(api):
    _define(api)
    res = api.post("/api/v1/custom-fields", FIELD)
    assert res.status_code == 422 and res.json()["errors"][0]["code"] == "duplicate"


def test_only_administrators_define_fields(api_as):
    res = api_as("sales").post("/api/v1/custom-fields", FIELD)
    assert res.status_code == 403 and res["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("field_type", "extra", "good", "bad"),
    [("integer", {}, 43, "forty-three"), ("integer", {}, 43, 43.5), ("decimal", {}, "12.50", "12,5x"),
     ("date", {}, "2024-05-01", "01.05.2024"), ("boolean", {}, True, "perhaps"),
     ("choice", {"choices": ["S", "M", "L"]}, "M", "XXL"), ("integer", {}, 42, True)],
)
def test_values_are_type_checked(api, person_payload, field_type, extra, good, bad):
    from kundebase.parties.models import Person

    _define(api, field_type=field_type, **extra)
    res = api.post("/api/v1/persons", person_payload | {"custom_fields": {"shoe_size": bad}})
    assert res.status_code == 422, res.content
    assert res.json()["errors"][0]["field"] == "custom_fields.shoe_size"
    assert not Person.objects.exists()
    res = api.post("/api/v1/persons", person_payload | {"custom_fields": {"shoe_size": good}})
    assert res.status_code == 201, res.content
    assert res.json()["custom_fields"]["shoe_size"] not in (None, "")


def test_unknown_and_required_fields(api, person_payload):
    _define(api, required=True)
    res = api.post("/api/v1/persons", person_payload)
    assert res.status_code == 422
    assert ("custom_fields.shoe_size", "required") in {(e["field"], e["code"]) for e in res.json()["errors"]}
    res = api.post("/api/v1/persons", person_payload | {"custom_fields": {"shoe_size": 40, "eye_colour": "blue"}})
    assert res.status_code == 422
    assert res.json()["errors"][0]["code"] == "unknown_field"
    created = api.post("/api/v1/persons", person_payload | {"custom_fields": {"shoe_size": 40}})
    assert created.status_code == 201
    pid = created.json()["id"]
    res = api.patch(f"/api/v1/persons/{pid}", {"custom_fields": {"shoe_size": None}})
    assert res.status_code == 422
    res = api.patch(f"/api/v1/persons/{pid}", {"custom_fields": {"shoe_size": 41}})
    assert res.status_code == 200 and res.json()["custom_fields"] == {"shoe_size": 41}


def test_field_is_per_entity(api):
    _define(api)
    res = api.post("/api/v1/companies", {"legal_name": "X AS", "custom_fields": {"shoe_size": 40}})
    assert res.status_code == 422 and res.json()["errors"][0]["code"] == "unknown_field"
    assert [f["key"] for f in api.get("/api/v1/custom-fields", entity="person").json()] == ["shoe_size"]
    assert api.get("/api/v1/custom-fields", entity="company").json() == []
