"""REST routes of saved deal views: named filter sets for the deal list, a user's own or shared (thin:
:mod:`kundebase.sales.deal_views` checks and writes). ``GET /deals?view_id=`` lists a view's deals."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import ConfigDict, Field, StrictInt

from kundebase.core.api_auth import require
from kundebase.core.problems import Problem
from kundebase.sales import deal_views

router = Router(tags=["sales"])
ERRORS = {400: Problem, 401: Problem, 403: Problem, 404: Problem, 422: Problem}


class DealFilters(Schema):
    model_config = ConfigDict(extra="forbid")
    status: str | None = Field(None, description="open, won or lost")
    pipeline: StrictInt | None = Field(None, description="pipeline id")
    stage: StrictInt | None = Field(None, description="stage id")
    owner: StrictInt | None = Field(None, description="owner's user id")
    q: str | None = Field(None, max_length=200, description="the title contains this")


class SavedViewIn(Schema):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(max_length=80)
    filters: DealFilters = Field(default_factory=DealFilters)  # type: ignore[arg-type]
    shared: bool = False


class SavedViewOut(Schema):
    id: int
    name: str
    filters: dict[str, str | int]
    shared: bool
    owner_id: int
    created_at: dt.datetime


@router.get("/deal-views", response={200: list[SavedViewOut], **ERRORS})
def list_views(request: HttpRequest):
    """The caller's saved deal views and those others shared, by name."""
    require(request, "sales.view_deal")
    return list(deal_views.visible_views(request.user))


@router.post("/deal-views", response={201: SavedViewOut, **ERRORS})
def save_view(request: HttpRequest, payload: SavedViewIn):
    """Save the filters under a name (a name the caller used before is replaced); ``shared`` offers it to
    everyone who reads deals."""
    require(request, "sales.view_deal")
    return Status(201, deal_views.save_view(actor=request.user, name=payload.name, shared=payload.shared,
                                            filters=payload.filters.model_dump(exclude_none=True)))


@router.delete("/deal-views/{int:view_id}", response={204: None, **ERRORS})
def delete_view(request: HttpRequest, view_id: int):
    """Remove one of the caller's own views."""
    require(request, "sales.view_deal")
    deal_views.delete_view(actor=request.user, view_id=view_id)
    return Status(204, None)
