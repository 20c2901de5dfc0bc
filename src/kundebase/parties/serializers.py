"""Customers as the API and the access export show them (plain dicts, masked for pseudonymised roles)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet

from kundebase.parties.models import Address, Company, ContactPoint, ContactRole, Party, Person
from kundebase.privacy.masking import is_pseudonymised, mask_party

CP_FIELDS = ("id", "kind", "value", "normalised", "label", "is_primary", "is_verified")
ADDRESS_FIELDS = ("id", "kind", "street", "postcode", "city", "municipality", "region", "country", "is_primary",
                  "valid_from")


def with_children(qs: QuerySet[Any]) -> QuerySet[Any]:
    """Fetch contact points and addresses in two queries for a whole page, never one per customer."""
    return qs.prefetch_related(
        Prefetch("contact_points", queryset=ContactPoint.objects.order_by("-is_primary", "id")),
        Prefetch("addresses", queryset=Address.objects.order_by("-is_primary", "id")),
    )


def role_dict(role: ContactRole) -> dict[str, Any]:
    return {
        "id": role.pk, "person_id": role.person_id, "person_name": role.person.display_name,
        "company_id": role.company_id, "company_name": role.company.display_name, "position": role.position,
        "department": role.department, "start_date": role.start_date, "end_date": role.end_date,
        "is_primary_contact": role.is_primary_contact,
    }


def _common(party: Party) -> dict[str, Any]:
    return {
        "id": party.pk, "kind": party.kind, "customer_number": party.customer_number, "status": party.status,
        "display_name": party.display_name, "preferred_language": party.preferred_language,
        "custom_fields": party.custom_fields, "version": party.version, "created_at": party.created_at,
        "updated_at": party.updated_at, "merged_into_id": party.merged_into_id,
        "contact_points": [{f: getattr(cp, f) for f in CP_FIELDS} for cp in party.contact_points.all()],
        "addresses": [{f: getattr(a, f) for f in ADDRESS_FIELDS} for a in party.addresses.all()],
    }


def person_dict(person: Person, user: object = None) -> dict[str, Any]:
    data = _common(person) | {
        "given_name": person.given_name, "family_name": person.family_name, "birth_date": person.birth_date,
        "age": person.age(), "gender": person.gender,
        "roles": [role_dict(r) for r in person.roles.select_related("person", "company").order_by("id")],
    }
    return mask_party(data) if user is not None and is_pseudonymised(user) else data


def company_dict(company: Company, user: object = None) -> dict[str, Any]:
    data = _common(company) | {
        "legal_name": company.legal_name, "org_number": company.org_number, "org_country": company.org_country,
        "parent_id": company.parent_id, "industry_code": company.industry_code, "employees": company.employees,
        "annual_revenue": company.annual_revenue, "bank_account": company.bank_account,
        "payment_terms_days": company.payment_terms_days, "credit_limit": company.credit_limit,
        "dunning_status": company.dunning_status,
        "contacts": [role_dict(r) for r in company.contact_roles.select_related("person", "company").order_by("id")],
    }
    return mask_party(data) if user is not None and is_pseudonymised(user) else data


def summary_dict(party: Party, user: object = None) -> dict[str, Any]:
    data = {"id": party.pk, "kind": party.kind, "customer_number": party.customer_number,
            "display_name": party.display_name, "status": party.status}
    return mask_party(data) if user is not None and is_pseudonymised(user) else data
