"""REST routes of the privacy app: screen, consents, registers, marketing decision, data subject rights,
quarantine review and audit verification.  Thin: the modules named in each route do the work."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import ConfigDict, Field, StrictInt

from kundebase.core import audit, pagination
from kundebase.core.api_auth import require
from kundebase.privacy import access, consent, erasure, purposes, quarantine, registers, retention
from kundebase.privacy.models import DataSubjectRequest, Purpose, Quarantine
from kundebase.privacy.screen import summary

router = Router(tags=["privacy"])


class ScreenIn(Schema):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(max_length=200_000)


class Trigger(Schema):
    word: str
    category: str


class ScreenOut(Schema):
    categories: list[str]
    triggers: list[Trigger]
    language: str


class PurposeOut(Schema):
    key: str
    name: str
    description: str
    legal_basis: str
    requires_consent: bool


class ConsentIn(Schema):
    model_config = ConfigDict(extra="forbid")
    party_id: StrictInt
    purpose: str = Field("", max_length=60)
    channel: str = Field(description="email, sms, phone, post or profiling")
    status: str = Field(description="granted, denied or withdrawn")
    legal_basis: str = Field("consent", max_length=30)
    explanation: str = Field("", max_length=2000)
    source: str = Field("api", description="form, import, event, employee, unsubscribe, merge or api")
    source_detail: str = Field("", max_length=200)
    captured_at: dt.datetime | None = None
    notice_version: str = Field("", max_length=60)
    double_opt_in_at: dt.datetime | None = None
    valid_from: dt.datetime | None = None
    valid_until: dt.datetime | None = None


class ConsentOut(Schema):
    id: int
    party_id: int
    purpose: str
    channel: str
    status: str
    legal_basis: str
    explanation: str
    source: str
    captured_at: dt.datetime
    notice_version: str
    double_opt_in_at: dt.datetime | None
    valid_from: dt.datetime | None
    valid_until: dt.datetime | None
    recorded_by: str

    @staticmethod
    def resolve_purpose(obj: Any) -> str:
        return obj.purpose.key


class ConsentState(Schema):
    purpose: str
    channel: str
    status: str


class ConsentLedger(Schema):
    party_id: int
    current: list[ConsentState]
    events: list[ConsentOut]


class MarketingDecision(Schema):
    party_id: int
    channel: str
    purpose: str
    allowed: bool
    reason: str


class RegisterImportOut(Schema):
    register_name: str
    imported: int
    skipped: list[str]
    skipped_count: int
    matched_customers: int


class RequestOut(Schema):
    id: int
    kind: str
    status: str
    party_id_at_request: int | None
    received_at: dt.datetime
    due_at: dt.datetime
    completed_at: dt.datetime | None
    requested_by: str
    handled_by: str
    outcome: str


class RequestList(Schema):
    items: list[RequestOut]
    next: str | None


class RightIn(Schema):
    model_config = ConfigDict(extra="forbid")
    requested_by: str = Field("", max_length=150, description="Who asked (the person, a representative …)")


class QuarantineOut(Schema):
    id: int
    source: str
    source_row: str
    row_data: dict[str, Any]
    reason: str
    categories: list[str]
    status: str
    created_at: dt.datetime
    reviewed_at: dt.datetime | None
    reviewed_by: str
    review_note: str


class QuarantineList(Schema):
    items: list[QuarantineOut]
    next: str | None


class ReviewIn(Schema):
    model_config = ConfigDict(extra="forbid")
    decision: Literal["release", "reject"]
    note: str = Field(max_length=2000)


class VerifyOut(Schema):
    ok: bool
    checked: int
    problems: list[str]


class RetentionItem(Schema):
    party_id: int
    country: str
    category: str
    last_activity: dt.datetime | None


class RetentionOut(Schema):
    generated_at: dt.datetime
    candidates: list[RetentionItem]
    bookkeeping_country: str
    bookkeeping_years: int
    orders_kept_until: dt.datetime | None
    expired_orders: int = Field(description="anonymised orders past their bookkeeping period, deleted by --apply")
    expiring: dict[str, int] = Field(default_factory=dict, description="per kind of record with a retention "
                                     "period of its own (e-mail bodies), how many are past it and go with --apply")


@router.post("/privacy/screen", response={200: ScreenOut})
def screen(request: HttpRequest, payload: ScreenIn):
    """Which special-category words a text contains (nothing is stored)."""
    return summary(payload.text)


@router.get("/privacy/purposes", response={200: list[PurposeOut]})
def list_purposes(request: HttpRequest):
    require(request, "privacy.view_consentevent")
    return list(Purpose.objects.filter(active=True).order_by("key"))


@router.post("/privacy/consents", response={201: ConsentOut})
def record_consent(request: HttpRequest, payload: ConsentIn):
    """Append a ledger entry; a withdrawal takes effect immediately everywhere (the state is derived)."""
    require(request, "privacy.add_consentevent")
    data = payload.model_dump()
    return Status(201, consent.record(**data, actor=request.user, channel_of_request="api"))


@router.get("/privacy/consents", response={200: ConsentLedger})
def get_ledger(request: HttpRequest, party_id: int):
    require(request, "privacy.view_consentevent")
    from kundebase.parties.services import get_party

    get_party(party_id)
    state = consent.current_state(party_id)
    return {"party_id": party_id,
            "current": [{"purpose": p, "channel": c, "status": s} for (p, c), s in sorted(state.items())],
            "events": list(consent.ledger(party_id))}


@router.get("/privacy/marketing-allowed", response={200: MarketingDecision})
def marketing_allowed(request: HttpRequest, party_id: int, channel: str, purpose: str = purposes.CAMPAIGN_DEFAULT):
    """Whether the customer may be contacted for marketing on this channel now, and why."""
    require(request, "privacy.view_consentevent")
    allowed, reason = registers.marketing_allowed(party_id, channel, purpose)
    return {"party_id": party_id, "channel": channel, "purpose": purpose, "allowed": allowed, "reason": reason}


@router.post("/privacy/registers/{register_name}", response={200: RegisterImportOut})
def import_register(request: HttpRequest, register_name: str, file: File[UploadedFile], append: bool = False):
    """Upload a register file (no_reservasjon, dk_robinson or internal); it is stored as keyed hashes."""
    require(request, "privacy.add_optoutentry")
    from kundebase.core.errors import ValidationFailed
    from kundebase.ingest import limits

    try:  # the register is read whole: refuse an oversized upload before reading it
        limits.check_size(file.size or 0)
    except limits.LimitExceeded as exc:
        raise ValidationFailed.one("file", str(exc), "too_large") from exc
    result = registers.import_register(register=register_name, content=file.read(), batch=file.name or "",
                                       replace=not append, actor=request.user, channel="api")
    return result.as_dict()



@router.post("/privacy/persons/{int:party_id}/access", response={200: Any})
def access_request(request: HttpRequest, party_id: int, format: Literal["json", "html", "pdf"] = "json"):
    """Everything held about the customer, as JSON, a readable HTML report or a PDF (logged as a request)."""
    require(request, "privacy.add_datasubjectrequest")
    body, _req = access.access_request(party_id=party_id, actor=request.user, channel="api", fmt=format)
    response = HttpResponse(body, content_type=access.FORMATS[format])
    if format == "pdf":
        response["Content-Disposition"] = f'attachment; filename="access-{party_id}.pdf"'
    return response


@router.post("/privacy/persons/{int:party_id}/erasure", response={200: RequestOut})
def erase(request: HttpRequest, party_id: int, payload: RightIn | None = None):
    """Erase the person field by field; orders are anonymised, identifiers suppressed. One transaction."""
    require(request, "privacy.add_datasubjectrequest")
    return erasure.erase(party_id=party_id, actor=request.user, channel="api",
                         requested_by=payload.requested_by if payload else "")


@router.post("/privacy/persons/{int:party_id}/restriction", response={200: RequestOut})
def restrict(request: HttpRequest, party_id: int, payload: RightIn | None = None):
    require(request, "privacy.add_datasubjectrequest")
    return erasure.restrict(party_id=party_id, actor=request.user, channel="api",
                            requested_by=payload.requested_by if payload else "")


@router.delete("/privacy/persons/{int:party_id}/restriction", response={200: RequestOut})
def lift_restriction(request: HttpRequest, party_id: int):
    require(request, "privacy.add_datasubjectrequest")
    return erasure.restrict(party_id=party_id, actor=request.user, channel="api", lift=True)


@router.get("/privacy/requests", response={200: RequestList})
def list_requests(request: HttpRequest, status: str | None = None, cursor: str | None = None, limit: int = 50):
    require(request, "privacy.view_datasubjectrequest")
    qs = DataSubjectRequest.objects.all()
    if status:
        qs = qs.filter(status=status)
    items, nxt = pagination.page(qs, cursor, limit)
    return {"items": items, "next": nxt}


@router.get("/privacy/quarantine", response={200: QuarantineList})
def list_quarantine(request: HttpRequest, status: str = "pending", cursor: str | None = None, limit: int = 50):
    require(request, "privacy.view_quarantine")
    items, nxt = pagination.page(Quarantine.objects.filter(status=status), cursor, limit)
    return {"items": items, "next": nxt}


@router.post("/privacy/quarantine/{int:quarantine_id}/review", response={200: QuarantineOut})
def review_quarantine(request: HttpRequest, quarantine_id: int, payload: ReviewIn):
    require(request, "privacy.change_quarantine")
    return quarantine.review(quarantine_id=quarantine_id, decision=payload.decision, note=payload.note,
                             actor=request.user)


@router.get("/privacy/audit/verify", response={200: VerifyOut})
def verify_audit(request: HttpRequest):
    require(request, "core.view_auditentry")
    result = audit.verify()
    return {"ok": result.ok, "checked": result.checked, "problems": result.problems}


@router.get("/privacy/retention", response={200: RetentionOut})
def retention_plan(request: HttpRequest):
    """The dry-run report of the retention policies (``kundebase privacy retention --apply`` carries it out)."""
    require(request, "privacy.view_countrypolicy")
    plan = retention.plan()
    return {"generated_at": plan.generated_at, "candidates": [c.__dict__ for c in plan.candidates],
            "bookkeeping_country": plan.bookkeeping_country, "bookkeeping_years": plan.bookkeeping_years,
            "orders_kept_until": plan.orders_kept_until, "expired_orders": len(plan.expired_orders),
            "expiring": plan.expiring}
