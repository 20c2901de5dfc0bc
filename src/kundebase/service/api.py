"""REST routes for cases and writing to customers."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import ConfigDict, Field, StrictInt

from kundebase.core import pagination
from kundebase.core.api_auth import require
from kundebase.core.errors import NotFound
from kundebase.core.problems import Problem
from kundebase.service import cases, leads, replies
from kundebase.service.models import Case, LeadProposal

router = Router(tags=["service"])
SEND_ERRORS = {502: Problem}
"""Sending answers 502 when the mail server refuses; every other problem answer is added by core.problems."""


class MessageOut(Schema):
    id: int
    direction: str
    message_id: str
    in_reply_to: str
    from_address: str
    to_addresses: str
    subject: str
    sent_at: dt.datetime | None
    text_body: str
    body_removed_at: dt.datetime | None = Field(description="when the retention period for e-mail removed the text")


class CaseOut(Schema):
    id: int
    party_id: int | None
    subject: str
    channel: str
    category: str
    priority: str
    status: str
    due_at: dt.datetime | None
    assigned_to_id: int | None
    created_at: dt.datetime
    closed_at: dt.datetime | None
    escalated_at: dt.datetime | None = Field(description="when the case was escalated for passing its due time")


class CaseDetail(CaseOut):
    messages: list[MessageOut]

    @staticmethod
    def resolve_messages(obj: Case) -> list[object]:
        return list(obj.messages.order_by("sent_at", "id"))


class CaseList(Schema):
    items: list[CaseOut]
    next: str | None


class CasePatch(Schema):
    model_config = ConfigDict(extra="forbid")
    status: str | None = None
    priority: str | None = None
    category: str | None = None
    assigned_to_id: StrictInt | None = None


class ReplyIn(Schema):
    model_config = ConfigDict(extra="forbid")
    body: str = Field(max_length=100_000, description="The text; a template with the customer's fields")
    subject: str = Field("", max_length=300, description="Empty: Re: and the case's subject")
    confirm_special_category_reason: str = Field("", max_length=500)


class MessageIn(ReplyIn):
    party_id: StrictInt
    mailbox_id: StrictInt | None = None


class LeadOut(Schema):
    id: int
    address: str
    name: str
    status: str
    party_id: int | None


class LeadList(Schema):
    items: list[LeadOut]
    next: str | None


@router.get("/service/cases", response={200: CaseList})
def list_cases(request: HttpRequest, status: str = "", mine: bool = False, category: str = "", priority: str = "",
               overdue: bool = False, party_id: int | None = None, cursor: str | None = None, limit: int = 50,
               escalated: bool = False):
    require(request, "service.view_case")
    qs = cases.case_list(status=status, assigned_to=request.user.pk if mine else None, category=category,
                         priority=priority, overdue=overdue, party_id=party_id, escalated=escalated)
    items, nxt = pagination.page(qs, cursor, limit)
    return {"items": items, "next": nxt}


@router.get("/service/cases/{int:case_id}", response={200: CaseDetail})
def get_case(request: HttpRequest, case_id: int):
    require(request, "service.view_case")
    found = Case.objects.filter(pk=case_id).first()
    if found is None:
        raise NotFound("Case", case_id)
    return found


@router.patch("/service/cases/{int:case_id}", response={200: CaseOut})
def patch_case(request: HttpRequest, case_id: int, payload: CasePatch):
    require(request, "service.change_case")
    return cases.update_case(case_id=case_id, changes=payload.model_dump(exclude_unset=True), actor=request.user,
                             channel="api")


@router.post("/service/cases/{int:case_id}/replies", response={201: MessageOut, **SEND_ERRORS})
def reply(request: HttpRequest, case_id: int, payload: ReplyIn):
    require(request, "service.add_mailmessage")
    case = Case.objects.filter(pk=case_id).first()
    if case is None:
        raise NotFound("Case", case_id)
    if case.party_id is None:
        from kundebase.core.errors import Conflict

        raise Conflict("The case has no customer yet: accept the proposed lead first", code="no_customer")
    return Status(201, replies.send(party_id=case.party_id, case_id=case_id, subject=payload.subject,
                                    body=payload.body, actor=request.user, channel="api",
                                    confirm_reason=payload.confirm_special_category_reason))


@router.post("/service/messages", response={201: MessageOut, **SEND_ERRORS})
def compose(request: HttpRequest, payload: MessageIn):
    require(request, "service.add_mailmessage")
    return Status(201, replies.send(party_id=payload.party_id, subject=payload.subject, body=payload.body,
                                    mailbox_id=payload.mailbox_id, actor=request.user, channel="api",
                                    confirm_reason=payload.confirm_special_category_reason))


@router.get("/service/leads", response={200: LeadList})
def list_leads(request: HttpRequest, cursor: str | None = None, limit: int = 50):
    require(request, "service.view_leadproposal")
    items, nxt = pagination.page(LeadProposal.objects.filter(status=LeadProposal.Status.OPEN), cursor, limit)
    return {"items": items, "next": nxt}


@router.post("/service/leads/{int:proposal_id}/accept", response={201: LeadOut})
def accept_lead(request: HttpRequest, proposal_id: int):
    require(request, "service.change_leadproposal", "parties.add_person")
    leads.accept(proposal_id=proposal_id, actor=request.user, channel="api")
    return Status(201, LeadProposal.objects.get(pk=proposal_id))
