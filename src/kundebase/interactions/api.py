"""REST routes for the interaction timeline."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import ConfigDict, Field, StrictInt

from kundebase.core import pagination
from kundebase.core.api_auth import require
from kundebase.core.errors import NotFound
from kundebase.interactions import services
from kundebase.interactions.models import Interaction
from kundebase.privacy.masking import FREE_TEXT, is_pseudonymised, mask_free_text

router = Router(tags=["interactions"])


class InteractionIn(Schema):
    model_config = ConfigDict(extra="forbid")
    party_id: StrictInt
    kind: str = Field(description="inquiry, visit, letter, email, call, meeting, note, web_visit, purchase, campaign")
    direction: str = "in"
    channel: str = "other"
    occurred_at: dt.datetime | None = None
    subject: str = Field("", max_length=300)
    body: str = Field("", max_length=100_000)
    outcome: str = Field("", max_length=300)
    follow_up_on: dt.date | None = None
    contact_person_id: StrictInt | None = None
    custom_fields: dict[str, Any] = Field(default_factory=dict)
    confirm_special_category_reason: str | None = Field(
        None, max_length=500,
        description="When the text screen flags special-category words, the recorded reason to keep them")


class InteractionPatch(Schema):
    model_config = ConfigDict(extra="forbid")
    kind: str | None = None
    direction: str | None = None
    channel: str | None = None
    occurred_at: dt.datetime | None = None
    subject: str | None = Field(None, max_length=300)
    body: str | None = Field(None, max_length=100_000)
    outcome: str | None = Field(None, max_length=300)
    follow_up_on: dt.date | None = None
    follow_up_done: bool | None = None
    confirm_special_category_reason: str | None = Field(None, max_length=500)


class InteractionOut(Schema):
    id: int
    party_id: int
    kind: str
    direction: str
    channel: str
    occurred_at: dt.datetime
    subject: str
    body: str
    outcome: str
    handled_by: str | None
    follow_up_on: dt.date | None
    follow_up_done_at: dt.datetime | None
    contact_person_id: int | None
    source: str
    custom_fields: dict[str, Any]

    @staticmethod
    def resolve_handled_by(obj: Interaction) -> str | None:
        return obj.handled_by.username if obj.handled_by_id else None  # type: ignore[union-attr]


class InteractionList(Schema):
    items: list[InteractionOut]
    next: str | None


@router.get("/interactions", response={200: InteractionList})
def list_interactions(request: HttpRequest, party_id: int | None = None, kind: str | None = None,
                      open_follow_up: bool = False, cursor: str | None = None, limit: int = 50):
    require(request, "interactions.view_interaction")
    qs = Interaction.objects.select_related("handled_by")
    if party_id is not None:
        qs = qs.filter(party_id=party_id)
    if kind:
        qs = qs.filter(kind=kind)
    if open_follow_up:
        qs = qs.filter(follow_up_on__isnull=False, follow_up_done_at__isnull=True)
    items, nxt = pagination.page(qs, cursor, limit)
    return {"items": [_for_viewer(item, request.user) for item in items], "next": nxt}


def _for_viewer(found: Interaction, user: object) -> Interaction:
    """The interaction as the user may see it: for the pseudonymised role an unsaved copy without what was
    written."""
    if not is_pseudonymised(user):
        return found
    shown = copy.copy(found)
    for key, value in mask_free_text({key: getattr(found, key) for key in FREE_TEXT}).items():
        setattr(shown, key, value)
    return shown


@router.post("/interactions", response={201: InteractionOut})
def create_interaction(request: HttpRequest, payload: InteractionIn):
    require(request, "interactions.add_interaction")
    data = payload.model_dump()
    return Status(201, services.log_interaction(party_id=data.pop("party_id"), data=data, actor=request.user))


@router.get("/interactions/{int:interaction_id}", response={200: InteractionOut})
def get_interaction(request: HttpRequest, interaction_id: int):
    require(request, "interactions.view_interaction")
    found = Interaction.objects.select_related("handled_by").filter(pk=interaction_id).first()
    if found is None:
        raise NotFound("Interaction", interaction_id)
    return _for_viewer(found, request.user)


@router.patch("/interactions/{int:interaction_id}", response={200: InteractionOut})
def patch_interaction(request: HttpRequest, interaction_id: int, payload: InteractionPatch):
    require(request, "interactions.change_interaction")
    return services.update_interaction(interaction_id=interaction_id, changes=payload.model_dump(exclude_unset=True),
                                       actor=request.user)


@router.delete("/interactions/{int:interaction_id}", response={204: None})
def delete_interaction(request: HttpRequest, interaction_id: int):
    require(request, "interactions.delete_interaction")
    services.delete_interaction(interaction_id=interaction_id, actor=request.user)
    return Status(204, None)
