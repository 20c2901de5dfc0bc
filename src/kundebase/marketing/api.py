"""REST routes of the marketing app: segments, target-list exports, campaigns, loyalty and triggers.

Thin on purpose: validation and writes happen in the services; a bad rule
comes back as a 422 problem naming the path in the rule (``rule.and[2].value``).
"""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field, StrictInt

from kundebase.core.api_auth import require
from kundebase.core.errors import NotFound
from kundebase.marketing import campaigns, configuration, exports, language_info, loyalty, segments, tasks
from kundebase.marketing.models import Export, Segment, TriggerRule
from kundebase.privacy import purposes

router = Router(tags=["marketing"])


class RuleIn(Schema):
    rule: Any


class CountOut(Schema):
    count: int


class SegmentIn(Schema):
    name: str
    rule: Any
    kind: str = "dynamic"
    description: str = ""


class SegmentPatch(Schema):
    name: str | None = None
    rule: Any = None
    kind: str | None = None
    description: str | None = None


class SegmentOut(Schema):
    id: int
    name: str
    description: str
    kind: str
    rule: Any
    snapshot_at: str | None
    count: int | None = None


class ExportIn(Schema):
    use: str
    format: str = "csv"
    purpose: str = exports.DEFAULT_PURPOSE


class ExportOut(Schema):
    id: int
    segment_id: int | None
    use: str
    channel: str
    format: str
    rows: int
    excluded: dict[str, int]
    fields: list[str]
    download: str


def _segment_out(segment: Segment, with_count: bool = False) -> dict[str, Any]:
    return {"id": segment.pk, "name": segment.name, "description": segment.description, "kind": segment.kind,
            "rule": segment.rule, "snapshot_at": segment.snapshot_at.isoformat() if segment.snapshot_at else None,
            "count": segments.segment_count(segment) if with_count else None}


def _export_out(export: Export) -> dict[str, Any]:
    return {"id": export.pk, "segment_id": export.segment_id, "use": export.purpose, "channel": export.channel,
            "format": export.file_format, "rows": export.rows, "excluded": export.excluded, "fields": export.fields,
            "download": f"/api/v1/exports/{export.pk}/file"}


@router.get("/segments/language", response={200: dict})
def segment_language(request: HttpRequest):
    """The attributes, operators and value shapes of the segment language (what the visual builder offers)."""
    require(request, "marketing.view_segment")
    return language_info.describe()


@router.post("/segments/count", response={200: CountOut})
def count_rule(request: HttpRequest, payload: RuleIn):
    """Count the customers a rule selects (the builder's live count)."""
    require(request, "marketing.view_segment")
    return {"count": segments.count(rule=payload.rule)}


@router.get("/segments", response={200: list[SegmentOut]})
def list_segments(request: HttpRequest):
    require(request, "marketing.view_segment")
    return [_segment_out(s) for s in Segment.objects.all()[:500]]


@router.post("/segments", response={201: SegmentOut})
def create_segment(request: HttpRequest, payload: SegmentIn):
    require(request, "marketing.add_segment")
    segment = segments.create_segment(data=payload.model_dump(), actor=request.user)
    return Status(201, _segment_out(segment, with_count=True))


@router.get("/segments/{int:segment_id}", response={200: SegmentOut})
def get_segment(request: HttpRequest, segment_id: int):
    require(request, "marketing.view_segment")
    return _segment_out(segments.get_segment(segment_id), with_count=True)


@router.patch("/segments/{int:segment_id}", response={200: SegmentOut})
def patch_segment(request: HttpRequest, segment_id: int, payload: SegmentPatch):
    require(request, "marketing.change_segment")
    changes = payload.model_dump(exclude_unset=True)
    segment = segments.update_segment(segment_id=segment_id, changes=changes, actor=request.user)
    return _segment_out(segment, with_count=True)


@router.delete("/segments/{int:segment_id}", response={204: None})
def delete_segment(request: HttpRequest, segment_id: int):
    require(request, "marketing.delete_segment")
    segments.delete_segment(segment_id=segment_id, actor=request.user)
    return Status(204, None)


@router.post("/segments/{int:segment_id}/snapshot", response={200: SegmentOut})
def snapshot_segment(request: HttpRequest, segment_id: int):
    require(request, "marketing.change_segment")
    segments.refresh_snapshot(segment_id=segment_id, actor=request.user)
    return _segment_out(segments.get_segment(segment_id), with_count=True)


@router.post("/segments/{int:segment_id}/exports", response={201: ExportOut})
def export_segment(request: HttpRequest, segment_id: int, payload: ExportIn):
    """Export the segment as a target list; people without the needed consent are excluded and counted."""
    require(request, "marketing.add_export")
    result = exports.export_segment(segment_id=segment_id, use=payload.use, file_format=payload.format,
                                    purpose=payload.purpose, actor=request.user)
    return Status(201, _export_out(result.export))


@router.get("/exports/{int:export_id}", response={200: ExportOut})
def get_export(request: HttpRequest, export_id: int):
    require(request, "marketing.view_export")
    export = Export.objects.filter(pk=export_id).first()
    if export is None:
        raise NotFound("Export", export_id)
    return _export_out(export)


@router.get("/exports/{int:export_id}/file", response={200: None})
def download_export(request: HttpRequest, export_id: int):
    require(request, "marketing.view_export")
    export = Export.objects.filter(pk=export_id).first()
    path = exports.export_path(export) if export else None
    if export is None or path is None or not path.exists():
        raise NotFound("Export", export_id)
    return FileResponse(exports.open_for(export, request.user), as_attachment=True, filename=path.name)


# --- campaigns ------------------------------------------------------------------------------------------

class CampaignIn(Schema):
    name: str
    segment_id: StrictInt
    channel: str = "email"
    purpose: str = purposes.CAMPAIGN_DEFAULT
    from_email: str = "news@kundebase.invalid"
    subject: str = ""
    body: str = ""
    call_script: str = ""
    text_blocks: dict[str, Any] = {}
    offers: list[Any] = []
    rate_per_second: float = 50
    conversion_days: StrictInt = 14


class BounceIn(Schema):
    address: str
    reason: str = ""
    campaign_id: StrictInt | None = None


def _campaign_out(campaign: Any) -> dict[str, Any]:
    return {"id": campaign.pk, "name": campaign.name, "segment_id": campaign.segment_id, "channel": campaign.channel,
            "status": campaign.status, "statistics": campaigns.statistics(campaign)}


@router.post("/campaigns", response={201: dict})
def create_campaign(request: HttpRequest, payload: CampaignIn):
    require(request, "marketing.add_campaign")
    return Status(201, _campaign_out(campaigns.create_campaign(data=payload.model_dump(), actor=request.user)))


@router.get("/campaigns/{int:campaign_id}", response={200: dict})
def get_campaign(request: HttpRequest, campaign_id: int):
    """The campaign with its statistics and sending progress."""
    require(request, "marketing.view_campaign")
    return _campaign_out(campaigns.get_campaign(campaign_id))


@router.post("/campaigns/{int:campaign_id}/send", response={202: dict})
def send_campaign(request: HttpRequest, campaign_id: int):
    """Choose the recipients and start sending in the background; poll the campaign for progress."""
    require(request, "marketing.change_campaign")
    campaign = campaigns.prepare(campaign_id=campaign_id, actor=request.user)
    tasks.start_sending(campaign.pk)
    return Status(202, _campaign_out(campaign))


@router.post("/campaigns/bounces", response={200: dict})
def report_bounce(request: HttpRequest, payload: BounceIn):
    """A bounce report from the mail system: marks the latest message to the address as bounced."""
    require(request, "marketing.change_campaign")
    marked = campaigns.record_bounce(address=payload.address, reason=payload.reason,
                                     campaign_id=payload.campaign_id, actor=request.user)
    return {"marked": marked}


# --- loyalty --------------------------------------------------------------------------------------------

class JoinIn(Schema):
    party_id: StrictInt
    consent: bool
    notice_version: str = ""


class PointsIn(Schema):
    points: StrictInt
    reference: str = ""


class ActionIn(Schema):
    action: str
    reference: str = ""


@router.post("/loyalty/members", response={201: dict})
def join_club(request: HttpRequest, payload: JoinIn):
    require(request, "marketing.add_loyaltymember")
    loyalty.join(party_id=payload.party_id, consent_given=payload.consent, actor=request.user,
                 notice_version=payload.notice_version)
    return Status(201, loyalty.summary(payload.party_id))


@router.get("/loyalty/members/{int:party_id}", response={200: dict})
def member(request: HttpRequest, party_id: int):
    require(request, "marketing.view_loyaltymember")
    return loyalty.summary(party_id)


@router.post("/loyalty/members/{int:party_id}/redeem", response={200: dict})
def redeem(request: HttpRequest, party_id: int, payload: PointsIn):
    """Spend points; 409 when the balance is too small."""
    require(request, "marketing.add_loyaltyentry")
    loyalty.redeem(party_id=party_id, points=payload.points, reference=payload.reference, actor=request.user)
    return loyalty.summary(party_id)


@router.post("/loyalty/members/{int:party_id}/actions", response={200: dict})
def earn_action(request: HttpRequest, party_id: int, payload: ActionIn):
    require(request, "marketing.add_loyaltyentry")
    loyalty.earn_for_action(party_id=party_id, action=payload.action, reference=payload.reference,
                            actor=request.user)
    return loyalty.summary(party_id)


@router.get("/triggers", response={200: list[dict]})
def list_triggers(request: HttpRequest):
    require(request, "marketing.view_triggerrule")
    return [{"id": r.pk, "name": r.name, "event": r.event, "days": r.days, "action": r.action,
             "campaign_id": r.campaign_id, "assignee_id": r.assignee_id, "assign_to": r.assign_to,
             "task_due_days": r.task_due_days, "active": r.active}
            for r in TriggerRule.objects.order_by("pk")]


class TriggerIn(Schema):
    name: str
    event: str
    days: StrictInt = 0
    action: str = "task"
    campaign_id: StrictInt | None = None
    assignee_id: StrictInt | None = None
    task_text: str = ""
    task_due_days: StrictInt = Field(0, description="The task is due this many days after the event fires "
                                                    "(0 to 365)")
    assign_to: str = Field("user", description="``user``: the rule's salesperson (``assignee_id``); "
                                               "``deal_owner``: the owner of the customer's open deal, else "
                                               "the rule's salesperson")


class NewsletterIn(Schema):
    name: str
    key: str = ""
    purpose: str = purposes.NEWSLETTER_DEFAULT
    from_email: str = "news@kundebase.invalid"
    notice_version: str = "1"


class TierIn(Schema):
    name: str
    threshold: StrictInt


class ActionRuleIn(Schema):
    action: str
    points: StrictInt


@router.post("/triggers", response={201: dict})
def create_trigger(request: HttpRequest, payload: TriggerIn):
    """A life-event rule; ``kundebase triggers run`` evaluates the rules."""
    require(request, "marketing.add_triggerrule")
    rule = configuration.create_trigger(data=payload.model_dump(), actor=request.user)
    return Status(201, {"id": rule.pk, "name": rule.name, "event": rule.event})


@router.post("/newsletters", response={201: dict})
def create_newsletter(request: HttpRequest, payload: NewsletterIn):
    require(request, "marketing.add_newsletter")
    newsletter = configuration.create_newsletter(data=payload.model_dump(), actor=request.user)
    return Status(201, {"id": newsletter.pk, "key": newsletter.key,
                        "subscribe_url": f"/newsletter/{newsletter.key}/subscribe"})


@router.put("/loyalty/tiers", response={200: dict})
def put_tier(request: HttpRequest, payload: TierIn):
    require(request, "marketing.change_loyaltytier", "marketing.add_loyaltytier")
    tier = configuration.set_tier(name=payload.name, threshold=payload.threshold, actor=request.user)
    return {"name": tier.name, "threshold": tier.threshold}


@router.put("/loyalty/rules", response={200: dict})
def put_action_rule(request: HttpRequest, payload: ActionRuleIn):
    require(request, "marketing.change_loyaltyactionrule", "marketing.add_loyaltyactionrule")
    rule = configuration.set_action_rule(action=payload.action, points=payload.points, actor=request.user)
    return {"action": rule.action, "points": rule.points}
