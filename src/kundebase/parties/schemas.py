"""API schemas, kept apart from the models: what a client may send is not what we store."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Schema
from pydantic import ConfigDict, Field, StrictInt


class StrictIn(Schema):
    """Inputs refuse unknown keys, so a misspelt field is an error rather than silently ignored."""

    model_config = ConfigDict(extra="forbid")


class ContactPointIn(StrictIn):
    kind: str = Field(description="email, phone, mobile, fax, website or social")
    value: str = Field(max_length=320)
    label: str = Field("", max_length=60)
    is_primary: bool = False
    is_verified: bool = False


class ContactPointPatch(StrictIn):
    kind: str | None = None
    value: str | None = Field(None, max_length=320)
    label: str | None = Field(None, max_length=60)
    is_primary: bool | None = None
    is_verified: bool | None = None


class ContactPointOut(Schema):
    id: int
    kind: str
    value: str
    normalised: str
    label: str
    is_primary: bool
    is_verified: bool


class AddressIn(StrictIn):
    kind: str = "postal"
    street: str = Field("", max_length=200)
    postcode: str = Field("", max_length=12)
    city: str = Field("", max_length=100)
    municipality: str = Field("", max_length=100)
    region: str = Field("", max_length=100)
    country: str = Field(description="ISO 3166-1 alpha-2", max_length=2)
    is_primary: bool = False
    valid_from: dt.date | None = None


class AddressPatch(StrictIn):
    kind: str | None = None
    street: str | None = Field(None, max_length=200)
    postcode: str | None = Field(None, max_length=12)
    city: str | None = Field(None, max_length=100)
    municipality: str | None = Field(None, max_length=100)
    region: str | None = Field(None, max_length=100)
    country: str | None = Field(None, max_length=2)
    is_primary: bool | None = None
    valid_from: dt.date | None = None


class AddressOut(Schema):
    id: int
    kind: str
    street: str
    postcode: str
    city: str
    municipality: str
    region: str
    country: str
    is_primary: bool
    valid_from: dt.date | None


class RoleIn(StrictIn):
    person_id: StrictInt
    company_id: StrictInt
    position: str = Field("", max_length=150)
    department: str = Field("", max_length=150)
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    is_primary_contact: bool = False


class RolePatch(StrictIn):
    position: str | None = Field(None, max_length=150)
    department: str | None = Field(None, max_length=150)
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    is_primary_contact: bool | None = None


class RoleOut(Schema):
    id: int
    person_id: int
    person_name: str
    company_id: int
    company_name: str
    position: str
    department: str
    start_date: dt.date | None
    end_date: dt.date | None
    is_primary_contact: bool


class PartyCommonIn(StrictIn):
    customer_number: str | None = Field(None, max_length=30)
    status: str = "prospect"
    preferred_language: str = Field("", max_length=10)
    custom_fields: dict[str, Any] = Field(default_factory=dict)


class PersonIn(PartyCommonIn):
    given_name: str = Field("", max_length=150)
    family_name: str = Field(max_length=150)
    birth_date: dt.date | None = None
    gender: str = ""
    contact_points: list[ContactPointIn] = Field(default_factory=list, max_length=50)
    addresses: list[AddressIn] = Field(default_factory=list, max_length=20)


class PersonPatch(StrictIn):
    customer_number: str | None = Field(None, max_length=30)
    status: str | None = None
    preferred_language: str | None = Field(None, max_length=10)
    given_name: str | None = Field(None, max_length=150)
    family_name: str | None = Field(None, max_length=150)
    birth_date: dt.date | None = None
    gender: str | None = None
    custom_fields: dict[str, Any] | None = None


class PartyOutBase(Schema):
    id: int
    kind: str
    customer_number: str
    status: str
    display_name: str
    preferred_language: str
    custom_fields: dict[str, Any]
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime
    merged_into_id: int | None
    contact_points: list[ContactPointOut]
    addresses: list[AddressOut]


class PersonOut(PartyOutBase):
    given_name: str
    family_name: str
    birth_date: dt.date | None
    age: int | None
    gender: str
    roles: list[RoleOut]


class CompanyIn(PartyCommonIn):
    legal_name: str = Field(max_length=300)
    org_number: str = Field("", max_length=60)
    org_country: str = Field("", max_length=2)
    parent_id: StrictInt | None = None
    industry_code: str = Field("", max_length=12)
    employees: StrictInt | None = Field(None, ge=0)
    annual_revenue: Decimal | None = None
    bank_account: str = Field("", max_length=40)
    payment_terms_days: StrictInt | None = Field(None, ge=0, le=365)
    credit_limit: Decimal | None = None
    dunning_status: str = "none"
    contact_points: list[ContactPointIn] = Field(default_factory=list, max_length=50)
    addresses: list[AddressIn] = Field(default_factory=list, max_length=20)


class CompanyPatch(StrictIn):
    customer_number: str | None = Field(None, max_length=30)
    status: str | None = None
    preferred_language: str | None = Field(None, max_length=10)
    legal_name: str | None = Field(None, max_length=300)
    org_number: str | None = Field(None, max_length=60)
    org_country: str | None = Field(None, max_length=2)
    parent_id: StrictInt | None = None
    industry_code: str | None = Field(None, max_length=12)
    employees: StrictInt | None = Field(None, ge=0)
    annual_revenue: Decimal | None = None
    bank_account: str | None = Field(None, max_length=40)
    payment_terms_days: StrictInt | None = Field(None, ge=0, le=365)
    credit_limit: Decimal | None = None
    dunning_status: str | None = None
    custom_fields: dict[str, Any] | None = None


class CompanyOut(PartyOutBase):
    legal_name: str
    org_number: str
    org_country: str
    parent_id: int | None
    industry_code: str
    employees: int | None
    annual_revenue: Decimal | None
    bank_account: str
    payment_terms_days: int | None
    credit_limit: Decimal | None
    dunning_status: str
    contacts: list[RoleOut]


class PartySummary(Schema):
    id: int
    kind: str
    customer_number: str
    display_name: str
    status: str


class PersonList(Schema):
    items: list[PersonOut]
    next: str | None


class CompanyList(Schema):
    items: list[CompanyOut]
    next: str | None


class PartySummaryList(Schema):
    items: list[PartySummary]


class PartySearchPage(PartySummaryList):
    total: int = Field(description="customers matching in all (a lower bound when total_exact is false)")
    total_exact: bool = Field(description="false when more matched than were counted")
    offset: int
    limit: int
    next_offset: int | None = Field(description="offset of the next page, or null on the last")
    previous_offset: int | None = Field(description="offset of the previous page, or null on the first")


class GroupNode(Schema):
    id: int
    name: str
    customer_number: str
    children: list[GroupNode]


class DuplicateCandidate(Schema):
    party_id: int
    display_name: str
    customer_number: str
    score: float
    reasons: list[str]
