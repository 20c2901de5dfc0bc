"""REST routes for deals, pipelines and their stages, exchange rates and tasks (thin: the services decide)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import ConfigDict, Field, StrictInt

from kundebase.core import pagination
from kundebase.core.api_auth import require
from kundebase.core.problems import Problem
from kundebase.sales import credit, deal_lines, deal_views, services
from kundebase.sales.access import deal_or_404, deals_for, task_or_404, tasks_for
from kundebase.sales.models import Deal, ExchangeRate, Pipeline

router = Router(tags=["sales"])
ERRORS = {400: Problem, 401: Problem, 403: Problem, 404: Problem, 409: Problem, 422: Problem}


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")


class StageIn(Strict):
    name: str = Field(max_length=120)
    probability: StrictInt


class StageAdd(StageIn):
    position: StrictInt | None = None


class StageOut(Schema):
    id: int
    name: str
    label: str
    position: int
    probability: int


class PipelineIn(Strict):
    name: str = Field(max_length=120)
    is_default: bool = False
    stages: list[StageIn] = Field(max_length=30)


class PipelineOut(Schema):
    id: int
    name: str
    label: str
    is_default: bool
    stages: list[StageOut]

    @staticmethod
    def resolve_stages(obj: Pipeline) -> list[object]:
        return list(obj.stages.all())


class RateIn(Strict):
    rate: Decimal


class RateOut(Schema):
    currency: str
    rate: Decimal
    updated_at: dt.datetime


class DealLineIn(Strict):
    product_id: StrictInt
    quantity: Decimal = Field(Decimal(1), description="Greater than zero (up to three decimals)")
    unit_price: Decimal | None = Field(None, description="In the deal's currency; default the product's list "
                                                         "price")


class DealLineOut(Schema):
    id: int
    product_id: int
    sku: str
    name: str
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal

    @staticmethod
    def resolve_sku(obj: object) -> str:
        return obj.product.sku  # type: ignore[attr-defined]

    @staticmethod
    def resolve_name(obj: object) -> str:
        return obj.product.name  # type: ignore[attr-defined]


class LinesIn(Strict):
    lines: list[DealLineIn] = Field(max_length=100)


class DealIn(Strict):
    title: str = Field(max_length=200)
    party_id: StrictInt
    contact_person_id: StrictInt | None = None
    pipeline_id: StrictInt | None = None
    stage_id: StrictInt | None = None
    amount: Decimal = Decimal(0)
    currency: str | None = Field(None, max_length=3)
    expected_close_on: dt.date | None = None
    probability: StrictInt | None = None
    owner_id: StrictInt | None = None
    campaign_id: StrictInt | None = None
    lines: list[DealLineIn] | None = Field(None, max_length=100,
                                           description="Products on the deal; the amount becomes their sum (an "
                                                       "amount given beside them must be that sum)")


class DealPatch(Strict):
    title: str | None = Field(None, max_length=200)
    contact_person_id: StrictInt | None = None
    amount: Decimal | None = None
    currency: str | None = Field(None, max_length=3)
    expected_close_on: dt.date | None = None
    probability: StrictInt | None = None
    owner_id: StrictInt | None = None
    campaign_id: StrictInt | None = None


class MoveIn(Strict):
    stage_id: StrictInt


class WinIn(Strict):
    note: str = Field("", max_length=300)


class LoseIn(Strict):
    reason: str = Field(max_length=12)
    note: str = Field("", max_length=300)


class StageChangeOut(Schema):
    from_stage_id: int | None
    to_stage_id: int | None
    status: str
    changed_at: dt.datetime
    changed_by_id: int | None


class DealOut(Schema):
    id: int
    title: str
    party_id: int
    contact_person_id: int | None
    pipeline_id: int
    stage_id: int
    amount: Decimal
    currency: str
    amount_base: Decimal
    weighted_amount: Decimal
    expected_close_on: dt.date | None
    probability: int
    owner_id: int | None
    campaign_id: int | None
    status: str
    lost_reason: str
    close_note: str
    closed_at: dt.datetime | None
    stage_entered_at: dt.datetime
    created_at: dt.datetime


class DealDetail(DealOut):
    history: list[StageChangeOut]
    lines: list[DealLineOut]
    credit_warning: str = Field(description="Set when the customer's open balance plus this open deal passes "
                                            "its credit limit, or the customer is in debt collection")

    @staticmethod
    def resolve_history(obj: Deal) -> list[object]:
        return list(obj.stage_changes.all())

    @staticmethod
    def resolve_lines(obj: Deal) -> list[object]:
        return list(obj.lines.select_related("product"))

    @staticmethod
    def resolve_credit_warning(obj: Deal) -> str:
        return credit.warning(obj.party_id, obj.amount_base) if obj.status == Deal.Status.OPEN else ""


class DealList(Schema):
    items: list[DealOut]
    next: str | None


class TaskIn(Strict):
    title: str = Field(max_length=200)
    notes: str = Field("", max_length=10_000)
    due_at: dt.datetime
    priority: str = Field("normal", max_length=6)
    assigned_to_id: StrictInt | None = None
    party_id: StrictInt | None = None
    deal_id: StrictInt | None = None


class TaskPatch(Strict):
    title: str | None = Field(None, max_length=200)
    notes: str | None = Field(None, max_length=10_000)
    due_at: dt.datetime | None = None
    priority: str | None = Field(None, max_length=6)
    assigned_to_id: StrictInt | None = None
    done: bool | None = None


class TaskOut(Schema):
    id: int
    title: str
    notes: str
    due_at: dt.datetime
    priority: str
    assigned_to_id: int
    party_id: int | None
    deal_id: int | None
    interaction_id: int | None
    completed_at: dt.datetime | None


class TaskList(Schema):
    items: list[TaskOut]
    next: str | None


# --- pipelines, stages, exchange rates -------------------------------------------------------------------------

@router.get("/pipelines", response={200: list[PipelineOut], **ERRORS})
def list_pipelines(request: HttpRequest):
    require(request, "sales.view_pipeline")
    return list(Pipeline.objects.prefetch_related("stages"))


@router.post("/pipelines", response={201: PipelineOut, **ERRORS})
def create_pipeline(request: HttpRequest, payload: PipelineIn):
    """A pipeline with its ordered stages, each with the probability a deal gets on entering it."""
    require(request, "sales.add_pipeline", "sales.add_stage")
    return Status(201, services.create_pipeline(name=payload.name, is_default=payload.is_default,
                                                stages=[s.model_dump() for s in payload.stages]))


@router.post("/pipelines/{int:pipeline_id}/stages", response={201: StageOut, **ERRORS})
def add_stage(request: HttpRequest, pipeline_id: int, payload: StageAdd):
    """Add a stage at ``position`` (1 = first; default last); the stages after it move one place on."""
    require(request, "sales.add_stage")
    return Status(201, services.add_stage(pipeline_id=pipeline_id, name=payload.name,
                                          probability=payload.probability, position=payload.position))


class StageFlowOut(Schema):
    stage_id: int
    name: str
    entered: int
    moved_on: int
    conversion: float | None
    average_days: float | None


@router.get("/pipelines/{int:pipeline_id}/flow", response={200: list[StageFlowOut], **ERRORS})
def pipeline_flow(request: HttpRequest, pipeline_id: int):
    """Per stage: deals that entered it, those that went on (a later stage, or won), the conversion and the
    average days spent in it; over the deals the caller may see."""
    require(request, "sales.view_pipeline", "sales.view_deal")
    from kundebase.core.errors import NotFound
    from kundebase.sales.flow import stage_flow

    pipeline = Pipeline.objects.filter(pk=pipeline_id).first()
    if pipeline is None:
        raise NotFound("Pipeline", pipeline_id)
    return [f.__dict__ for f in stage_flow(pipeline, deals_for(request.user))]


@router.get("/exchange-rates", response={200: list[RateOut], **ERRORS})
def list_rates(request: HttpRequest):
    require(request, "sales.view_exchangerate")
    return list(ExchangeRate.objects.all())


@router.put("/exchange-rates/{currency}", response={200: RateOut, **ERRORS})
def set_rate(request: HttpRequest, currency: str, payload: RateIn):
    """Units of the base currency (``KUNDEBASE_DEFAULT_CURRENCY``) per unit of ``currency``."""
    require(request, "sales.add_exchangerate", "sales.change_exchangerate")
    return services.set_exchange_rate(currency=currency, rate=payload.rate)


# --- deals -----------------------------------------------------------------------------------------------------

@router.get("/deals", response={200: DealList, **ERRORS})
def list_deals(request: HttpRequest, pipeline_id: int | None = None, stage_id: int | None = None,
               status: str | None = None, owner_id: int | None = None, party_id: int | None = None,
               view_id: int | None = None, cursor: str | None = None, limit: int = 50):
    """Deals the caller may see (a salesperson: their own), with filters, in the order they were made;
    ``view_id`` applies a saved view's filters (see ``/deal-views``), the other parameters narrow further."""
    require(request, "sales.view_deal")
    qs = deals_for(request.user)
    if view_id is not None:
        qs = deal_views.apply_filters(qs, deal_views.view_or_404(request.user, view_id).filters)
    for key, value in (("pipeline_id", pipeline_id), ("stage_id", stage_id), ("status", status),
                       ("owner_id", owner_id), ("party_id", party_id)):
        if value is not None:
            qs = qs.filter(**{key: value})
    items, nxt = pagination.page(qs, cursor, limit)
    return {"items": items, "next": nxt}


@router.post("/deals", response={201: DealDetail, **ERRORS})
def create_deal(request: HttpRequest, payload: DealIn):
    """Open a deal; without ``stage_id`` it starts in the pipeline's first stage with that stage's probability."""
    require(request, "sales.add_deal")
    return Status(201, services.create_deal(data=payload.model_dump(exclude_unset=True), actor=request.user))


@router.get("/deals/{int:deal_id}", response={200: DealDetail, **ERRORS})
def get_deal(request: HttpRequest, deal_id: int):
    require(request, "sales.view_deal")
    return deal_or_404(request.user, deal_id)


@router.patch("/deals/{int:deal_id}", response={200: DealDetail, **ERRORS})
def update_deal(request: HttpRequest, deal_id: int, payload: DealPatch):
    require(request, "sales.change_deal")
    return services.update_deal(deal_id=deal_id, changes=payload.model_dump(exclude_unset=True),
                                actor=request.user)


@router.put("/deals/{int:deal_id}/lines", response={200: DealDetail, **ERRORS})
def set_lines(request: HttpRequest, deal_id: int, payload: LinesIn):
    """Replace an open deal's products; its amount becomes the sum of quantity × unit price (an empty list
    removes them and leaves the amount to be typed)."""
    require(request, "sales.change_deal")
    return deal_lines.set_deal_lines(deal_id=deal_id, lines=[line.model_dump() for line in payload.lines],
                                     actor=request.user)


@router.post("/deals/{int:deal_id}/move", response={200: DealDetail, **ERRORS})
def move_deal(request: HttpRequest, deal_id: int, payload: MoveIn):
    """Move an open deal to another stage of its pipeline (kept in its stage history)."""
    require(request, "sales.change_deal")
    return services.move_deal(deal_id=deal_id, stage_id=payload.stage_id, actor=request.user)


@router.post("/deals/{int:deal_id}/win", response={200: DealDetail, **ERRORS})
def win_deal(request: HttpRequest, deal_id: int, payload: WinIn):
    require(request, "sales.change_deal")
    return services.win_deal(deal_id=deal_id, note=payload.note, actor=request.user)


@router.post("/deals/{int:deal_id}/lose", response={200: DealDetail, **ERRORS})
def lose_deal(request: HttpRequest, deal_id: int, payload: LoseIn):
    """Close as lost with a ``reason`` from the list (price, competitor, no_budget, no_decision, timing,
    product_fit, other)."""
    require(request, "sales.change_deal")
    return services.lose_deal(deal_id=deal_id, reason=payload.reason, note=payload.note, actor=request.user)


# --- tasks -----------------------------------------------------------------------------------------------------

@router.get("/tasks", response={200: TaskList, **ERRORS})
def list_tasks(request: HttpRequest, open: bool | None = None, due_before: dt.datetime | None = None,
               deal_id: int | None = None, party_id: int | None = None, cursor: str | None = None,
               limit: int = 50):
    """The caller's tasks (an administrator: everyone's), in the order they were made (cursor paging)."""
    require(request, "sales.view_task")
    qs = tasks_for(request.user)
    if open is not None:
        qs = qs.filter(completed_at__isnull=open)
    if due_before is not None:
        qs = qs.filter(due_at__lt=due_before)
    if deal_id is not None:
        qs = qs.filter(deal_id=deal_id)
    if party_id is not None:
        qs = qs.filter(party_id=party_id)
    items, nxt = pagination.page(qs, cursor, limit)
    return {"items": items, "next": nxt}


@router.post("/tasks", response={201: TaskOut, **ERRORS})
def create_task(request: HttpRequest, payload: TaskIn):
    require(request, "sales.add_task")
    return Status(201, services.create_task(data=payload.model_dump(exclude_unset=True), actor=request.user))


@router.get("/tasks/{int:task_id}", response={200: TaskOut, **ERRORS})
def get_task(request: HttpRequest, task_id: int):
    require(request, "sales.view_task")
    return task_or_404(request.user, task_id)


@router.patch("/tasks/{int:task_id}", response={200: TaskOut, **ERRORS})
def update_task(request: HttpRequest, task_id: int, payload: TaskPatch):
    """Change a task; ``{"done": true}`` completes it (and the timeline follow-up it came from)."""
    require(request, "sales.change_task")
    return services.update_task(task_id=task_id, changes=payload.model_dump(exclude_unset=True),
                                actor=request.user)
