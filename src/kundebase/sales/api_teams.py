"""REST routes of sales teams: who manages whom (thin: :mod:`kundebase.sales.teams` checks and writes)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import ConfigDict, StrictInt

from kundebase.core.api_auth import require
from kundebase.core.problems import Problem
from kundebase.sales import teams

router = Router(tags=["sales"])
ERRORS = {400: Problem, 401: Problem, 403: Problem, 404: Problem, 422: Problem}


class ManagerIn(Schema):
    model_config = ConfigDict(extra="forbid")
    manager_id: StrictInt | None


class MembershipOut(Schema):
    member_id: int
    manager_id: int | None


@router.get("/sales-teams", response={200: list[MembershipOut], **ERRORS})
def list_teams(request: HttpRequest):
    """Every salesperson who has a manager, with the manager."""
    require(request, "sales.view_teammembership")
    return teams.memberships()


@router.put("/sales-teams/{int:member_id}", response={200: MembershipOut, **ERRORS})
def set_manager(request: HttpRequest, member_id: int, payload: ManagerIn):
    """Set a salesperson's manager (``null``: none); the manager sees and works on their deals and tasks."""
    require(request, "sales.add_teammembership", "sales.change_teammembership", "sales.delete_teammembership")
    teams.set_manager(member_id=member_id, manager_id=payload.manager_id, actor=request.user)
    return {"member_id": member_id, "manager_id": payload.manager_id}
