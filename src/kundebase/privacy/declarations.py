"""Why every standard field is stored: data category, purpose, legal basis, identifier flag, erasure action.

This is the record of processing at field level.  Erasure and masking read it, ``docs/privacy.md`` explains
it, and a test fails when a model gains a field that is not declared here, so nothing is stored without a
stated reason.  Custom fields carry the same declaration on their ``CustomFieldDefinition``.

Erasure actions:

* ``delete`` – the value is removed (emptied, or the row deleted where the row is nothing but this datum);
* ``mask`` – the value is replaced by a neutral placeholder, because the row must survive (orders point at it);
* ``keep`` – kept as is: the value is not personal once the identifying fields are gone (amounts, dates,
  product lines), or bookkeeping law requires it (anonymised orders).
"""

from __future__ import annotations

from dataclasses import dataclass

from kundebase.core.models import DataCategory as C
from kundebase.core.models import LegalBasis as B

DELETE, MASK, KEEP = "delete", "mask", "keep"


@dataclass(frozen=True)
class FieldDeclaration:
    model: str
    field: str
    category: str
    purpose: str
    legal_basis: str
    personal_identifier: bool
    erasure: str

    @property
    def key(self) -> str:
        return f"{self.model}.{self.field}"


REGISTER = "Keep the customer register: identify the customer and serve them"
CONTACT = "Reach the customer about their orders and inquiries"
BOOKS = "Bookkeeping and revenue statistics (bookkeeping law)"
TIMELINE = "Remember what was agreed with the customer and follow up"
TECH = "Technical record keeping (timestamps, versions, links)"
ORG = "Know the business customer, invoice and give credit"

_ROWS: list[tuple[str, str, str, str, str, bool, str]] = [
    # model, field, category, purpose, legal basis, personal identifier, erasure
    ("parties.Party", "id", C.OTHER, TECH, B.LEGITIMATE_INTEREST, False, KEEP),
    ("parties.Party", "created_at", C.OTHER, TECH, B.LEGITIMATE_INTEREST, False, KEEP),
    ("parties.Party", "updated_at", C.OTHER, TECH, B.LEGITIMATE_INTEREST, False, KEEP),
    ("parties.Party", "version", C.OTHER, TECH, B.LEGITIMATE_INTEREST, False, KEEP),
    ("parties.Party", "kind", C.OTHER, TECH, B.LEGITIMATE_INTEREST, False, KEEP),
    ("parties.Party", "customer_number", C.IDENTITY, REGISTER, B.CONTRACT, True, MASK),
    ("parties.Party", "status", C.BEHAVIOUR, REGISTER, B.CONTRACT, False, KEEP),
    ("parties.Party", "display_name", C.IDENTITY, REGISTER, B.CONTRACT, True, MASK),
    ("parties.Party", "search_name", C.IDENTITY, REGISTER, B.CONTRACT, True, DELETE),
    ("parties.Party", "preferred_language", C.DEMOGRAPHIC, CONTACT, B.LEGITIMATE_INTEREST, False, DELETE),
    ("parties.Party", "custom_fields", C.OTHER, "As declared on each custom field", B.LEGITIMATE_INTEREST, True,
     DELETE),
    ("parties.Party", "merged_into", C.OTHER, TECH, B.LEGITIMATE_INTEREST, False, KEEP),
    ("parties.Party", "erased_at", C.OTHER, "Prove that an erasure request was carried out", B.LEGAL_OBLIGATION,
     False, KEEP),
    ("parties.Party", "restricted_at", C.OTHER, "Honour a restriction of processing", B.LEGAL_OBLIGATION, False,
     KEEP),
    ("parties.Person", "party_ptr", C.OTHER, TECH, B.LEGITIMATE_INTEREST, False, KEEP),
    ("parties.Person", "given_name", C.IDENTITY, REGISTER, B.CONTRACT, True, DELETE),
    ("parties.Person", "family_name", C.IDENTITY, REGISTER, B.CONTRACT, True, DELETE),
    ("parties.Person", "birth_date", C.DEMOGRAPHIC, "Tell namesakes apart and verify age-restricted sales",
     B.LEGITIMATE_INTEREST, True, DELETE),
    ("parties.Person", "gender", C.DEMOGRAPHIC, "Address the customer correctly", B.CONSENT, False, DELETE),
    ("parties.Company", "party_ptr", C.OTHER, TECH, B.LEGITIMATE_INTEREST, False, KEEP),
    ("parties.Company", "legal_name", C.IDENTITY, ORG, B.CONTRACT, True, MASK),
    ("parties.Company", "org_number", C.IDENTITY, ORG, B.LEGAL_OBLIGATION, True, DELETE),
    ("parties.Company", "org_number_key", C.IDENTITY, ORG, B.LEGAL_OBLIGATION, True, DELETE),
    ("parties.Company", "org_country", C.IDENTITY, ORG, B.LEGAL_OBLIGATION, False, KEEP),
    ("parties.Company", "parent", C.OTHER, "Know corporate groups for credit and reporting", B.LEGITIMATE_INTEREST,
     False, KEEP),
    ("parties.Company", "industry_code", C.OTHER, ORG, B.LEGITIMATE_INTEREST, False, KEEP),
    ("parties.Company", "employees", C.OTHER, ORG, B.LEGITIMATE_INTEREST, False, KEEP),
    ("parties.Company", "annual_revenue", C.FINANCIAL, ORG, B.LEGITIMATE_INTEREST, False, KEEP),
    ("parties.Company", "bank_account", C.FINANCIAL, "Pay refunds and match payments", B.CONTRACT, True, DELETE),
    ("parties.Company", "payment_terms_days", C.FINANCIAL, ORG, B.CONTRACT, False, KEEP),
    ("parties.Company", "credit_limit", C.FINANCIAL, ORG, B.LEGITIMATE_INTEREST, False, KEEP),
    ("parties.Company", "dunning_status", C.FINANCIAL, "Collect unpaid invoices", B.LEGITIMATE_INTEREST, False,
     DELETE),
    ("parties.ContactPoint", "id", C.OTHER, TECH, B.LEGITIMATE_INTEREST, False, DELETE),
    ("parties.ContactPoint", "created_at", C.OTHER, TECH, B.LEGITIMATE_INTEREST, False, DELETE),
    ("parties.ContactPoint", "updated_at", C.OTHER, TECH, B.LEGITIMATE_INTEREST, False, DELETE),
    ("parties.ContactPoint", "party", C.OTHER, TECH, B.LEGITIMATE_INTEREST, False, DELETE),
    ("parties.ContactPoint", "kind", C.CONTACT, CONTACT, B.CONTRACT, False, DELETE),
    ("parties.ContactPoint", "value", C.CONTACT, CONTACT, B.CONTRACT, True, DELETE),
    ("parties.ContactPoint", "normalised", C.CONTACT, "Find the customer by any spelling of the value", B.CONTRACT,
     True, DELETE),
    ("parties.ContactPoint", "label", C.CONTACT, CONTACT, B.CONTRACT, False, DELETE),
    ("parties.ContactPoint", "is_primary", C.CONTACT, CONTACT, B.CONTRACT, False, DELETE),
    ("parties.ContactPoint", "is_verified", C.CONTACT, CONTACT, B.CONTRACT, False, DELETE),
    ("parties.Address", "id", C.OTHER, TECH, B.LEGITIMATE_INTEREST, False, DELETE),
    ("parties.Address", "created_at", C.OTHER, TECH, B.LEGITIMATE_INTEREST, False, DELETE),
    ("parties.Address", "updated_at", C.OTHER, TECH, B.LEGITIMATE_INTEREST, False, DELETE),
    ("parties.Address", "party", C.OTHER, TECH, B.LEGITIMATE_INTEREST, False, DELETE),
    ("parties.Address", "kind", C.CONTACT, CONTACT, B.CONTRACT, False, DELETE),
    ("parties.Address", "street", C.CONTACT, "Deliver goods and send letters", B.CONTRACT, True, DELETE),
    ("parties.Address", "postcode", C.CONTACT, "Deliver goods; regional statistics", B.CONTRACT, False, DELETE),
    ("parties.Address", "city", C.CONTACT, "Deliver goods; regional statistics", B.CONTRACT, False, DELETE),
    ("parties.Address", "municipality", C.CONTACT, "Regional statistics", B.LEGITIMATE_INTEREST, False, DELETE),
    ("parties.Address", "region", C.CONTACT, "Regional statistics", B.LEGITIMATE_INTEREST, False, DELETE),
    ("parties.Address", "country", C.CONTACT, "Apply the right country's law and taxes", B.LEGAL_OBLIGATION,
     False, DELETE),
    ("parties.Address", "is_primary", C.CONTACT, CONTACT, B.CONTRACT, False, DELETE),
    ("parties.Address", "valid_from", C.CONTACT, CONTACT, B.CONTRACT, False, DELETE),
    ("parties.ContactRole", "id", C.OTHER, TECH, B.LEGITIMATE_INTEREST, False, DELETE),
    ("parties.ContactRole", "created_at", C.OTHER, TECH, B.LEGITIMATE_INTEREST, False, DELETE),
    ("parties.ContactRole", "updated_at", C.OTHER, TECH, B.LEGITIMATE_INTEREST, False, DELETE),
    ("parties.ContactRole", "person", C.IDENTITY, "Know whom to contact at a business customer",
     B.LEGITIMATE_INTEREST, True, DELETE),
    ("parties.ContactRole", "company", C.OTHER, TECH, B.LEGITIMATE_INTEREST, False, DELETE),
    ("parties.ContactRole", "position", C.IDENTITY, "Know whom to contact at a business customer",
     B.LEGITIMATE_INTEREST, False, DELETE),
    ("parties.ContactRole", "department", C.IDENTITY, "Know whom to contact at a business customer",
     B.LEGITIMATE_INTEREST, False, DELETE),
    ("parties.ContactRole", "start_date", C.IDENTITY, "Know whom to contact at a business customer",
     B.LEGITIMATE_INTEREST, False, DELETE),
    ("parties.ContactRole", "end_date", C.IDENTITY, "Know whom to contact at a business customer",
     B.LEGITIMATE_INTEREST, False, DELETE),
    ("parties.ContactRole", "is_primary_contact", C.IDENTITY, "Know whom to contact at a business customer",
     B.LEGITIMATE_INTEREST, False, DELETE),
    ("interactions.Interaction", "id", C.OTHER, TECH, B.LEGITIMATE_INTEREST, False, KEEP),
    ("interactions.Interaction", "created_at", C.OTHER, TECH, B.LEGITIMATE_INTEREST, False, KEEP),
    ("interactions.Interaction", "updated_at", C.OTHER, TECH, B.LEGITIMATE_INTEREST, False, KEEP),
    ("interactions.Interaction", "party", C.OTHER, TIMELINE, B.LEGITIMATE_INTEREST, False, KEEP),
    ("interactions.Interaction", "contact_person", C.IDENTITY, TIMELINE, B.LEGITIMATE_INTEREST, True, DELETE),
    ("interactions.Interaction", "kind", C.COMMUNICATION, TIMELINE, B.LEGITIMATE_INTEREST, False, KEEP),
    ("interactions.Interaction", "direction", C.COMMUNICATION, TIMELINE, B.LEGITIMATE_INTEREST, False, KEEP),
    ("interactions.Interaction", "channel", C.COMMUNICATION, TIMELINE, B.LEGITIMATE_INTEREST, False, KEEP),
    ("interactions.Interaction", "occurred_at", C.COMMUNICATION, TIMELINE, B.LEGITIMATE_INTEREST, False, KEEP),
    ("interactions.Interaction", "subject", C.COMMUNICATION, TIMELINE, B.LEGITIMATE_INTEREST, True, DELETE),
    ("interactions.Interaction", "body", C.COMMUNICATION, TIMELINE, B.LEGITIMATE_INTEREST, True, DELETE),
    ("interactions.Interaction", "outcome", C.COMMUNICATION, TIMELINE, B.LEGITIMATE_INTEREST, True, DELETE),
    ("interactions.Interaction", "handled_by", C.OTHER, "Know which employee handled the contact",
     B.LEGITIMATE_INTEREST, False, KEEP),
    ("interactions.Interaction", "follow_up_on", C.COMMUNICATION, TIMELINE, B.LEGITIMATE_INTEREST, False, DELETE),
    ("interactions.Interaction", "follow_up_done_at", C.COMMUNICATION, TIMELINE, B.LEGITIMATE_INTEREST, False,
     KEEP),
    ("interactions.Interaction", "source", C.OTHER, "Provenance of imported contacts", B.LEGITIMATE_INTEREST, False,
     DELETE),
    ("interactions.Interaction", "source_record_id", C.OTHER, "Provenance of imported contacts",
     B.LEGITIMATE_INTEREST, True, DELETE),
    ("interactions.Interaction", "custom_fields", C.OTHER, "As declared on each custom field",
     B.LEGITIMATE_INTEREST, True, DELETE),
    ("orders.Order", "id", C.OTHER, TECH, B.LEGAL_OBLIGATION, False, KEEP),
    ("orders.Order", "created_at", C.OTHER, TECH, B.LEGAL_OBLIGATION, False, KEEP),
    ("orders.Order", "updated_at", C.OTHER, TECH, B.LEGAL_OBLIGATION, False, KEEP),
    ("orders.Order", "party", C.TRANSACTION, BOOKS, B.LEGAL_OBLIGATION, False, KEEP),
    ("orders.Order", "order_number", C.TRANSACTION, BOOKS, B.LEGAL_OBLIGATION, False, KEEP),
    ("orders.Order", "ordered_at", C.TRANSACTION, BOOKS, B.LEGAL_OBLIGATION, False, KEEP),
    ("orders.Order", "channel", C.TRANSACTION, BOOKS, B.LEGAL_OBLIGATION, False, KEEP),
    ("orders.Order", "source", C.TRANSACTION, "Provenance of imported orders", B.LEGITIMATE_INTEREST, True, DELETE),
    ("orders.Order", "currency", C.TRANSACTION, BOOKS, B.LEGAL_OBLIGATION, False, KEEP),
    ("orders.Order", "revenue", C.TRANSACTION, BOOKS, B.LEGAL_OBLIGATION, False, KEEP),
    ("orders.Order", "cost", C.TRANSACTION, BOOKS, B.LEGAL_OBLIGATION, False, KEEP),
    ("orders.Order", "anonymised_at", C.OTHER, "Prove that an order was anonymised", B.LEGAL_OBLIGATION, False,
     KEEP),
    ("orders.OrderLine", "id", C.OTHER, TECH, B.LEGAL_OBLIGATION, False, KEEP),
    ("orders.OrderLine", "order", C.TRANSACTION, BOOKS, B.LEGAL_OBLIGATION, False, KEEP),
    ("orders.OrderLine", "product", C.TRANSACTION, BOOKS, B.LEGAL_OBLIGATION, False, KEEP),
    ("orders.OrderLine", "description", C.TRANSACTION, BOOKS, B.LEGAL_OBLIGATION, False, KEEP),
    ("orders.OrderLine", "quantity", C.TRANSACTION, BOOKS, B.LEGAL_OBLIGATION, False, KEEP),
    ("orders.OrderLine", "revenue", C.TRANSACTION, BOOKS, B.LEGAL_OBLIGATION, False, KEEP),
    ("orders.OrderLine", "cost", C.TRANSACTION, BOOKS, B.LEGAL_OBLIGATION, False, KEEP),
]

DECLARATIONS: dict[str, FieldDeclaration] = {row[0] + "." + row[1]: FieldDeclaration(*row) for row in _ROWS}
"""``"app.Model.field"`` → its declaration."""

DECLARED_MODELS = ["parties.Party", "parties.Person", "parties.Company", "parties.ContactPoint", "parties.Address",
                   "parties.ContactRole", "interactions.Interaction", "orders.Order", "orders.OrderLine"]
"""Models whose every concrete field must be declared; apps add theirs with :func:`declare`."""


def declare(models: list[str], rows: list[tuple[str, str, str, str, str, bool, str]]) -> None:
    """Add an app's models and their field declarations (from its ``AppConfig.ready``; idempotent).

    The same rows as ``_ROWS`` above; the test of the registry then covers these models too.  Erasure of an
    app's rows is the app's own hook (``privacy.erasure.on_erase``), which must honour what it declares here."""
    for row in rows:
        DECLARATIONS.setdefault(row[0] + "." + row[1], FieldDeclaration(*row))
    for label in models:
        if label not in DECLARED_MODELS:
            DECLARED_MODELS.append(label)

ROW_DELETED_ON_ERASURE = ("parties.ContactPoint", "parties.Address", "parties.ContactRole")
"""Models whose every field is ``delete``: erasure removes their rows."""


def declaration(model: str, field: str) -> FieldDeclaration:
    return DECLARATIONS[f"{model}.{field}"]


def for_model(model: str) -> list[FieldDeclaration]:
    return [d for d in DECLARATIONS.values() if d.model == model]


def personal_identifiers() -> list[str]:
    """Keys of every standard field marked as a personal identifier (masking and erasure use them)."""
    return [d.key for d in DECLARATIONS.values() if d.personal_identifier]


def undeclared_fields() -> list[str]:
    """Concrete model fields with no declaration: must be empty (a test enforces it)."""
    from django.apps import apps

    missing = []
    for label in DECLARED_MODELS:
        model = apps.get_model(label)
        for f in model._meta.local_concrete_fields:
            if f"{label}.{f.name}" not in DECLARATIONS:
                missing.append(f"{label}.{f.name}")
    return missing
