"""Custom text fields pass the special-category screen in the one write path, like interaction notes do."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

ORDINARY = {"key": "service_note", "label": "Service note", "field_type": "text",
            "purpose": "Remember how the customer likes to be served", "legal_basis": "legitimate_interest"}


def define(api, entity: str, **extra) -> None:
    res = api.post("/api/v1/custom-fields", ORDINARY | {"entity": entity} | extra)
    assert res.status_code == 201, res.content


def refused(res, category: str = "health", key: str = "service_note") -> None:
    assert res.status_code == 422, res.content
    assert res["Content-Type"] == "application/problem+json"
    error = next(e for e in res.json()["errors"] if e["field"] == f"custom_fields.{key}")
    assert error["code"] == "special_category" and category in error["message"]


def test_person_custom_text_with_special_category_words_is_refused(api, person_payload):
    from kundebase.parties.models import Person

    define(api, "person")
    refused(api.post("/api/v1/persons", person_payload | {"custom_fields": {"service_note": "Har diabetes type 2"}}))
    assert not Person.objects.exists()
    created = api.post("/api/v1/persons", person_payload | {"custom_fields": {"service_note": "Ring etter kl. 16"}})
    assert created.status_code == 201, created.content
    pid = created.json()["id"]
    refused(api.patch(f"/api/v1/persons/{pid}", {"custom_fields": {"service_note": "Hun tar Cipralex"}}))
    assert Person.objects.get(pk=pid).custom_fields == {"service_note": "Ring etter kl. 16"}


def test_company_and_interaction_custom_text_are_screened(api, person_payload):
    from kundebase.interactions.models import Interaction

    define(api, "company")
    define(api, "interaction")
    refused(api.post("/api/v1/companies", {"legal_name": "Fjord AS",
                                           "custom_fields": {"service_note": "Innehaveren er dømt for bedrageri"}}),
            "criminal")
    pid = api.post("/api/v1/persons", person_payload).json()["id"]
    refused(api.post("/api/v1/interactions", {"party_id": pid, "kind": "call",
                                              "custom_fields": {"service_note": "Kunden er medlem av Fagforbundet"}}),
            "trade-union")
    assert not Interaction.objects.exists()


def test_a_field_declared_special_with_its_basis_keeps_the_text(api, person_payload):
    define(api, "person", key="diet_needs", label="Diet needs",
           special_category_basis="Art. 9(2)(a) explicit consent on the order form",
           special_category_reference="DPIA 2026-07", special_category_date="2026-07-01")
    res = api.post("/api/v1/persons", person_payload | {"custom_fields": {"diet_needs": "Har diabetes type 2"}})
    assert res.status_code == 201, res.content
