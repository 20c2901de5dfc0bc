"""Every standard field says why it is stored; custom fields cannot be created without it."""

from __future__ import annotations

import pytest

from kundebase.core.models import DataCategory, LegalBasis
from kundebase.privacy.declarations import DECLARATIONS, DELETE, KEEP, MASK, personal_identifiers, undeclared_fields


def test_every_concrete_field_of_the_customer_models_is_declared(db):
    assert undeclared_fields() == []


def test_declarations_use_known_categories_bases_and_actions():
    for decl in DECLARATIONS.values():
        assert decl.category in DataCategory.values, decl
        assert decl.legal_basis in LegalBasis.values, decl
        assert decl.erasure in (DELETE, MASK, KEEP), decl
        assert len(decl.purpose) >= 10, decl


def test_identifiers_are_never_kept_by_erasure():
    ids = personal_identifiers()
    assert "parties.Person.family_name" in ids and "parties.ContactPoint.value" in ids
    assert all(DECLARATIONS[key].erasure != KEEP for key in ids)


def test_a_new_undeclared_field_would_fail(monkeypatch):
    from kundebase.privacy import declarations

    reduced = dict(declarations.DECLARATIONS)
    reduced.pop("parties.Person.birth_date")
    monkeypatch.setattr(declarations, "DECLARATIONS", reduced)
    assert declarations.undeclared_fields() == ["parties.Person.birth_date"]


@pytest.mark.django_db
@pytest.mark.parametrize("missing", ["purpose", "legal_basis"])
def test_custom_field_without_purpose_or_legal_basis_is_refused(api, missing):
    from kundebase.core.models import CustomFieldDefinition

    body = {"entity": "person", "key": "shoe_size", "label": "Shoe size", "field_type": "integer",
            "purpose": "Recommend the right size of safety shoes", "legal_basis": "consent"}
    body[missing] = ""
    res = api.post("/api/v1/custom-fields", body)
    assert res.status_code == 422, res.content
    assert missing in {e["field"] for e in res.json()["errors"]}
    assert not CustomFieldDefinition.objects.exists()


def test_customer_service_models_join_the_registry_with_every_field_declared(db):
    from kundebase.privacy.declarations import DECLARED_MODELS, declaration

    for label in ("service.Case", "service.MailMessage", "service.Attachment", "service.LeadProposal",
                  "service.Mailbox", "service.SlaRule", "service.ReplyTemplate"):
        assert label in DECLARED_MODELS, label
    body = declaration("service.MailMessage", "text_body")
    assert (body.category, body.legal_basis, body.personal_identifier, body.erasure) == (
        DataCategory.COMMUNICATION, LegalBasis.LEGITIMATE_INTEREST, True, DELETE)
    assert declaration("service.LeadProposal", "address").category == DataCategory.IDENTITY
    assert declaration("service.Case", "subject").erasure == DELETE
    assert declaration("service.Case", "category").erasure == KEEP
