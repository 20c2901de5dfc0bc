"""REST routes for custom-field definitions and the service's health."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection
from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import ConfigDict, Field

from kundebase import __version__
from kundebase.core import services
from kundebase.core.api_auth import require
from kundebase.core.dialect import for_connection
from kundebase.core.models import CustomFieldDefinition

router = Router(tags=["custom fields"])


class CustomFieldIn(Schema):
    model_config = ConfigDict(extra="forbid")
    entity: str
    key: str = Field(max_length=60)
    label: str = Field(max_length=120)
    field_type: str
    purpose: str = Field(max_length=2000)
    legal_basis: str
    data_category: str = "other"
    required: bool = False
    choices: list[str] = Field(default_factory=list, max_length=200)
    personal_identifier: bool = False
    special_category_basis: str = Field("", max_length=2000)
    special_category_reference: str = Field("", max_length=200)
    special_category_date: dt.date | None = None


class CustomFieldOut(Schema):
    id: int
    entity: str
    key: str
    label: str
    field_type: str
    purpose: str
    legal_basis: str
    data_category: str
    required: bool
    choices: list[Any]
    personal_identifier: bool


class Health(Schema):
    status: str
    version: str
    database: str


@router.get("/health", response=Health, auth=None, tags=["service"])
def health(request: HttpRequest):
    """Liveness and database reachability, for load balancers (no authentication)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return {"status": "ok", "version": __version__, "database": for_connection(connection).name}


@router.get("/custom-fields", response={200: list[CustomFieldOut]})
def list_custom_fields(request: HttpRequest, entity: str | None = None):
    require(request, "core.view_customfielddefinition")
    qs = CustomFieldDefinition.objects.all()
    if entity:
        qs = qs.filter(entity=entity)
    return list(qs)


@router.post("/custom-fields", response={201: CustomFieldOut})
def create_custom_field(request: HttpRequest, payload: CustomFieldIn):
    """Define a field. Purpose and legal basis are mandatory; special categories need a documented basis."""
    require(request, "core.add_customfielddefinition")
    return Status(201, services.create_custom_field(data=payload.model_dump(), actor=request.user))


@router.delete("/custom-fields/{int:field_id}", response={204: None})
def delete_custom_field(request: HttpRequest, field_id: int):
    require(request, "core.delete_customfielddefinition")
    services.delete_custom_field(field_id=field_id, actor=request.user)
    return Status(204, None)
