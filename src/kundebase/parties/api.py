"""REST routes for persons, companies, contact points, addresses, roles, search and look-up.

Thin on purpose: the services validate and write.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema, Status

from kundebase.core import audit, pagination
from kundebase.core.api_auth import expected_version, require, require_identifying
from kundebase.core.errors import NotFound, ValidationFailed
from kundebase.parties import search as finding
from kundebase.parties import serializers, services
from kundebase.parties.models import Company, Party, Person
from kundebase.parties.schemas import (
    AddressIn,
    AddressOut,
    AddressPatch,
    CompanyIn,
    CompanyList,
    CompanyOut,
    CompanyPatch,
    ContactPointIn,
    ContactPointOut,
    ContactPointPatch,
    GroupNode,
    PartySearchPage,
    PartySummaryList,
    PersonIn,
    PersonList,
    PersonOut,
    PersonPatch,
    RoleIn,
    RoleOut,
    RolePatch,
)

router = Router(tags=["customers"])


class ListFilters(Schema):
    status: str | None = None
    city: str | None = None
    postcode: str | None = None
    country: str | None = None
    updated_since: dt.datetime | None = None
    include_merged: bool = False


def _filtered(qs: Any, filters: ListFilters) -> Any:
    if not filters.include_merged:
        qs = qs.filter(merged_into__isnull=True)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.city:
        qs = qs.filter(addresses__city__iexact=filters.city)
    if filters.postcode:
        qs = qs.filter(addresses__postcode=filters.postcode)
    if filters.country:
        qs = qs.filter(addresses__country=filters.country.upper())
    if filters.updated_since:
        qs = qs.filter(updated_at__gte=filters.updated_since)
    return qs.distinct() if (filters.city or filters.postcode or filters.country) else qs


def _with_etag(response: HttpResponse, party: Party) -> None:
    response["ETag"] = f'"{party.pk}-{party.version}"'


def _person_out(request: HttpRequest, response: HttpResponse, party_id: int) -> dict[str, Any]:
    person = serializers.with_children(Person.objects.filter(pk=party_id)).first()
    if person is None:
        raise NotFound("Person", party_id)
    _with_etag(response, person)
    return serializers.person_dict(person, request.user)


def _company_out(request: HttpRequest, response: HttpResponse, party_id: int) -> dict[str, Any]:
    company = serializers.with_children(Company.objects.filter(pk=party_id)).first()
    if company is None:
        raise NotFound("Company", party_id)
    _with_etag(response, company)
    return serializers.company_dict(company, request.user)


# --- persons -----------------------------------------------------------------------------------------------


@router.get("/persons", response={200: PersonList})
def list_persons(request: HttpRequest, filters: Query[ListFilters], cursor: str | None = None, limit: int = 50):
    require(request, "parties.view_party")
    qs = serializers.with_children(_filtered(Person.objects.all(), filters))
    items, nxt = pagination.page(qs, cursor, limit)
    return {"items": [serializers.person_dict(p, request.user) for p in items], "next": nxt}


@router.post("/persons", response={201: PersonOut})
def create_person(request: HttpRequest, response: HttpResponse, payload: PersonIn, allow_duplicate: bool = True):
    """Create a person. With ``allow_duplicate=false`` a likely duplicate is refused with 409 and its candidates."""
    require(request, "parties.add_party")
    data = payload.model_dump(exclude={"contact_points", "addresses"})
    person = services.create_person(
        data=data, contact_points=[cp.model_dump() for cp in payload.contact_points],
        addresses=[a.model_dump() for a in payload.addresses], actor=request.user, channel="api",
        allow_duplicate=allow_duplicate,
    )
    response["Location"] = f"/api/v1/persons/{person.pk}"
    return Status(201, _person_out(request, response, person.pk))


@router.get("/persons/{int:party_id}", response={200: PersonOut})
def get_person(request: HttpRequest, response: HttpResponse, party_id: int):
    require(request, "parties.view_party")
    out = _person_out(request, response, party_id)
    audit.record(action="view", actor=request.user, entity="person", record_id=party_id, party_id=party_id,
                 channel="api")
    return out


@router.patch("/persons/{int:party_id}", response={200: PersonOut})
def patch_person(request: HttpRequest, response: HttpResponse, party_id: int, payload: PersonPatch):
    """Change some fields. Send ``If-Match`` with the ETag you read: a stale write is refused with 412."""
    require(request, "parties.change_party")
    services.update_person(party_id=party_id, changes=payload.model_dump(exclude_unset=True),
                           expected_version=expected_version(request, party_id), actor=request.user)
    return _person_out(request, response, party_id)


@router.delete("/persons/{int:party_id}", response={204: None})
def delete_person(request: HttpRequest, party_id: int):
    require(request, "parties.delete_party")
    services.get_person(party_id)
    services.delete_party(party_id=party_id, expected_version=expected_version(request, party_id), actor=request.user)
    return Status(204, None)


# --- companies ---------------------------------------------------------------------------------------------


@router.get("/companies", response={200: CompanyList})
def list_companies(request: HttpRequest, filters: Query[ListFilters], cursor: str | None = None, limit: int = 50,
                   parent_id: int | None = None, industry_code: str | None = None):
    require(request, "parties.view_party")
    qs = _filtered(Company.objects.all(), filters)
    if parent_id is not None:
        qs = qs.filter(parent_id=parent_id)
    if industry_code:
        qs = qs.filter(industry_code__startswith=industry_code.upper())
    items, nxt = pagination.page(serializers.with_children(qs), cursor, limit)
    return {"items": [serializers.company_dict(c, request.user) for c in items], "next": nxt}


@router.post("/companies", response={201: CompanyOut})
def create_company(request: HttpRequest, response: HttpResponse, payload: CompanyIn, allow_duplicate: bool = True):
    require(request, "parties.add_party")
    data = payload.model_dump(exclude={"contact_points", "addresses"})
    company = services.create_company(
        data=data, contact_points=[cp.model_dump() for cp in payload.contact_points],
        addresses=[a.model_dump() for a in payload.addresses], actor=request.user, channel="api",
        allow_duplicate=allow_duplicate,
    )
    response["Location"] = f"/api/v1/companies/{company.pk}"
    return Status(201, _company_out(request, response, company.pk))


@router.get("/companies/{int:party_id}", response={200: CompanyOut})
def get_company(request: HttpRequest, response: HttpResponse, party_id: int):
    require(request, "parties.view_party")
    out = _company_out(request, response, party_id)
    audit.record(action="view", actor=request.user, entity="company", record_id=party_id, party_id=party_id,
                 channel="api")
    return out


@router.patch("/companies/{int:party_id}", response={200: CompanyOut})
def patch_company(request: HttpRequest, response: HttpResponse, party_id: int, payload: CompanyPatch):
    require(request, "parties.change_party")
    services.update_company(party_id=party_id, changes=payload.model_dump(exclude_unset=True),
                            expected_version=expected_version(request, party_id), actor=request.user)
    return _company_out(request, response, party_id)


@router.delete("/companies/{int:party_id}", response={204: None})
def delete_company(request: HttpRequest, party_id: int):
    require(request, "parties.delete_party")
    services.get_company(party_id)
    services.delete_party(party_id=party_id, expected_version=expected_version(request, party_id), actor=request.user)
    return Status(204, None)


@router.get("/companies/{int:party_id}/group", response={200: GroupNode})
def company_group(request: HttpRequest, party_id: int):
    """The whole corporate group the company belongs to, from its top parent down."""
    require(request, "parties.view_party")
    return services.group_tree(services.get_company(party_id))


# --- contact points and addresses (shared by persons and companies) ---------------------------------------


@router.post("/parties/{int:party_id}/contact-points", response={201: ContactPointOut})
def add_contact_point(request: HttpRequest, party_id: int, payload: ContactPointIn):
    require(request, "parties.change_party")
    cp = services.add_contact_point(party_id=party_id, data=payload.model_dump(),
                                    expected_version=expected_version(request, party_id), actor=request.user)
    return Status(201, cp)


@router.patch("/parties/{int:party_id}/contact-points/{int:cp_id}", response={200: ContactPointOut})
def patch_contact_point(request: HttpRequest, party_id: int, cp_id: int, payload: ContactPointPatch):
    require(request, "parties.change_party")
    return services.update_contact_point(party_id=party_id, contact_point_id=cp_id,
                                         data=payload.model_dump(exclude_unset=True),
                                         expected_version=expected_version(request, party_id), actor=request.user)


@router.delete("/parties/{int:party_id}/contact-points/{int:cp_id}", response={204: None})
def delete_contact_point(request: HttpRequest, party_id: int, cp_id: int):
    require(request, "parties.change_party")
    services.remove_contact_point(party_id=party_id, contact_point_id=cp_id,
                                  expected_version=expected_version(request, party_id), actor=request.user)
    return Status(204, None)


@router.post("/parties/{int:party_id}/addresses", response={201: AddressOut})
def add_address(request: HttpRequest, party_id: int, payload: AddressIn):
    require(request, "parties.change_party")
    return Status(201, services.add_address(party_id=party_id, data=payload.model_dump(),
                                     expected_version=expected_version(request, party_id), actor=request.user))


@router.patch("/parties/{int:party_id}/addresses/{int:address_id}", response={200: AddressOut})
def patch_address(request: HttpRequest, party_id: int, address_id: int, payload: AddressPatch):
    require(request, "parties.change_party")
    return services.update_address(party_id=party_id, address_id=address_id,
                                   data=payload.model_dump(exclude_unset=True),
                                   expected_version=expected_version(request, party_id), actor=request.user)


@router.delete("/parties/{int:party_id}/addresses/{int:address_id}", response={204: None})
def delete_address(request: HttpRequest, party_id: int, address_id: int):
    require(request, "parties.change_party")
    services.remove_address(party_id=party_id, address_id=address_id,
                            expected_version=expected_version(request, party_id), actor=request.user)
    return Status(204, None)


# --- contact roles -----------------------------------------------------------------------------------------


def _role_out(role_id: int) -> dict[str, Any]:
    from kundebase.parties.models import ContactRole

    return serializers.role_dict(ContactRole.objects.select_related("person", "company").get(pk=role_id))


@router.post("/roles", response={201: RoleOut})
def add_role(request: HttpRequest, payload: RoleIn):
    """Make a person a contact at a company, with position and department."""
    require(request, "parties.change_party")
    data = payload.model_dump()
    role = services.add_role(person_id=data.pop("person_id"), company_id=data.pop("company_id"), data=data,
                             actor=request.user)
    return Status(201, _role_out(role.pk))


@router.patch("/roles/{int:role_id}", response={200: RoleOut})
def patch_role(request: HttpRequest, role_id: int, payload: RolePatch):
    require(request, "parties.change_party")
    services.update_role(role_id=role_id, data=payload.model_dump(exclude_unset=True), actor=request.user)
    return _role_out(role_id)


@router.delete("/roles/{int:role_id}", response={204: None})
def delete_role(request: HttpRequest, role_id: int):
    require(request, "parties.change_party")
    services.remove_role(role_id=role_id, actor=request.user)
    return Status(204, None)


# --- finding -----------------------------------------------------------------------------------------------


@router.get("/search", response={200: PartySearchPage})
def search(request: HttpRequest, q: str, kind: str | None = None, limit: int = 20, offset: int = 0):
    """Find customers by name (case, accents and typos of one or two letters forgiven), e-mail, phone in any
    format, organisation number or customer number; one page of them with the total that matched."""
    require_identifying(request, "parties.view_party")
    if kind not in (None, "person", "company"):
        raise ValidationFailed.one("kind", "Must be person or company")
    if not 1 <= limit <= 100:
        raise ValidationFailed.one("limit", "Must be between 1 and 100")
    if not 0 <= offset <= finding.COUNT_CAP:
        raise ValidationFailed.one("offset", f"Must be between 0 and {finding.COUNT_CAP}")
    page = finding.search(q, kind=kind, offset=offset, limit=limit)
    return {"items": [serializers.summary_dict(p, request.user) for p in page.items], "total": page.total,
            "total_exact": page.exact, "offset": page.offset, "limit": page.limit, "next_offset": page.next_offset,
            "previous_offset": page.previous_offset}


@router.get("/lookup", response={200: PartySummaryList})
def lookup(request: HttpRequest, q: str, country: str | None = None):
    """Exact look-up by e-mail, phone (any format; ``country`` sets how national numbers are read),
    organisation number or customer number."""
    require_identifying(request, "parties.view_party")
    ids = services.lookup(q, default_country=(country or "").upper() or None)
    parties = Party.objects.in_bulk(ids)
    return {"items": [serializers.summary_dict(parties[i], request.user) for i in ids if i in parties]}



