"""Campaigns: choose recipients with consent, send personalised e-mail, record what happened.

Sending runs as a job (``run_campaign``) that reports progress on the
campaign row, so the UI can show a bar and the CLI a tqdm line.  Consent is
checked twice: when recipients are chosen and again for each batch just
before sending, so an unsubscribe takes effect even in the middle of a run.
"""

from __future__ import annotations

import datetime as dt
import smtplib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from kundebase.core import audit
from kundebase.core.errors import Conflict, ErrorCollector, NotFound, ValidationFailed
from kundebase.core.languages import ui_languages
from kundebase.interactions.models import Interaction
from kundebase.marketing import audience, exports, personalise
from kundebase.marketing.mailer import Mailer, RateLimiter
from kundebase.marketing.models import Campaign, CampaignRecipient
from kundebase.marketing.segments import get_segment
from kundebase.orders.models import Order
from kundebase.privacy import consent, purposes

BATCH = 500
CONNECTIONS = 4
"""SMTP connections used at once by a send job."""
Progress = Callable[[int, int], None]


def get_campaign(campaign_id: int) -> Campaign:
    campaign = Campaign.objects.filter(pk=campaign_id).first()
    if campaign is None:
        raise NotFound(_("Campaign"), campaign_id)
    return campaign


def validated(data: dict[str, Any]) -> dict[str, Any]:
    """The campaign's fields from ``data`` as they will be stored, or a :class:`ValidationFailed` naming every
    field at fault: the one set of rules for creating, changing, previewing and test-sending a campaign."""
    errors = ErrorCollector()
    name = str(data.get("name") or "").strip()
    if not name or len(name) > 150:
        errors.add("name", _("Give a name of at most 150 characters"), "required")
    segment_id = data.get("segment_id")
    if not isinstance(segment_id, int) or not get_segment_or_none(segment_id):
        errors.add("segment_id", _("Name an existing segment"), "not_found")
    kind = data.get("channel") or Campaign.Channel.EMAIL
    if kind not in Campaign.Channel.values:
        errors.add("channel", _("Must be one of %(c)s") % {"c": ", ".join(Campaign.Channel.values)},
                   "invalid_choice")
    purpose = str(data.get("purpose") or purposes.CAMPAIGN_DEFAULT)
    purposes.require_defined(purpose, errors)
    for field in ("subject", "body", "call_script"):
        if data.get(field):
            try:
                personalise.compile_template(str(data[field]), field)
            except ValidationFailed as exc:
                errors.errors.extend(exc.errors)
    if kind == Campaign.Channel.EMAIL and not (data.get("subject") and data.get("body")):
        errors.add("body", _("An e-mail campaign needs a subject and a body"), "required")
    blocks = data.get("text_blocks") or {}
    if not isinstance(blocks, dict) or any(k not in ui_languages() or not isinstance(v, dict)
                                           for k, v in blocks.items()):
        errors.add("text_blocks", _('Give text blocks per language, e.g. {"nb": {"intro": "…"}, "en": {…}}'))
    offers = data.get("offers") or []
    if not isinstance(offers, list) or not all(isinstance(o, dict) for o in offers):
        errors.add("offers", _("Give a list of offers (objects)"))
    rate = data.get("rate_per_second", 50)
    if not isinstance(rate, int | float) or isinstance(rate, bool) or not 0 < rate <= 10000:
        errors.add("rate_per_second", _("From 0 to 10000 messages per second"))
    days = data.get("conversion_days", 14)
    if not isinstance(days, int) or isinstance(days, bool) or not 0 < days <= 365:
        errors.add("conversion_days", _("From 1 to 365 days"))
    errors.raise_if_any()
    assert isinstance(segment_id, int)  # refused above otherwise
    return {"name": name, "segment_id": segment_id, "channel": kind, "purpose": purpose,
            "from_email": str(data.get("from_email") or "news@kundebase.invalid")[:200],
            "subject": str(data.get("subject") or "")[:300], "body": str(data.get("body") or ""),
            "call_script": str(data.get("call_script") or ""), "text_blocks": blocks, "offers": offers,
            "rate_per_second": float(rate), "conversion_days": days}


@transaction.atomic
def create_campaign(*, data: dict[str, Any], actor: object = None, channel: str = "api") -> Campaign:
    campaign = Campaign.objects.create(**validated(data), created_by=getattr(actor, "username", "") or "")
    audit.record(action="create", actor=actor, entity="campaign", record_id=campaign.pk, channel=channel)
    return campaign


EDITABLE = ("name", "segment_id", "channel", "purpose", "from_email", "subject", "body", "call_script",
            "text_blocks", "offers", "rate_per_second", "conversion_days")


@transaction.atomic
def update_campaign(*, campaign_id: int, changes: dict[str, Any], actor: object = None,
                    channel: str = "api") -> Campaign:
    """Change a draft (the same rules as creating it); a campaign that has started sending is kept as sent."""
    campaign = Campaign.objects.select_for_update().get(pk=get_campaign(campaign_id).pk)
    if campaign.status != Campaign.Status.DRAFT:
        raise Conflict(_("The campaign was already started and can no longer be changed"), code="already_started")
    current = {field: getattr(campaign, field) for field in EDITABLE}
    values = validated({**current, **{k: v for k, v in changes.items() if k in EDITABLE}})
    changed = sorted(k for k, v in values.items() if current[k] != v)
    for field in changed:
        setattr(campaign, field, values[field])
    campaign.save(update_fields=[*changed] or None)
    audit.record(action="update", actor=actor, entity="campaign", record_id=campaign.pk, channel=channel,
                 fields=changed)
    return campaign


def get_segment_or_none(segment_id: int) -> Any:
    try:
        return get_segment(segment_id)
    except NotFound:
        return None


@transaction.atomic
def prepare(*, campaign_id: int, actor: object = None, channel: str = "api") -> Campaign:
    """Choose the recipients (consent-checked) and queue the campaign."""
    campaign = Campaign.objects.select_for_update().get(pk=get_campaign(campaign_id).pk)
    if campaign.channel != Campaign.Channel.EMAIL:
        raise ValidationFailed.one("channel", _("Letter and call campaigns produce lists; use the list action"),
                                   "not_email")
    if campaign.status != Campaign.Status.DRAFT:
        raise ValidationFailed.one("status", _("The campaign was already started"), "already_started")
    excluded: dict[str, int] = {}
    total = 0
    for allowed, left_out in audience.chunks(campaign.segment, purpose=campaign.purpose, channel="email"):
        for reason, n in left_out.items():
            excluded[reason] = excluded.get(reason, 0) + n
        CampaignRecipient.objects.bulk_create(
            CampaignRecipient(campaign=campaign, party_id=row["id"], address=row["email"], tracking=row["tracking"])
            for row in allowed)
        total += len(allowed)
    campaign.status = Campaign.Status.QUEUED
    campaign.total, campaign.processed, campaign.excluded = total, 0, excluded
    campaign.save(update_fields=["status", "total", "processed", "excluded"])
    audit.record(action="export", actor=actor, entity="campaign", record_id=campaign.pk, channel=channel,
                 fields=["email", "name"], note=f"{total} recipients; excluded {sum(excluded.values())}")
    return campaign


def _last_purchases(party_ids: list[int]) -> dict[int, dict[str, Any]]:
    latest: dict[int, dict[str, Any]] = {}
    rows = (Order.objects.filter(party_id__in=party_ids).order_by("party_id", "ordered_at", "id")
            .values_list("party_id", "ordered_at", "revenue", "currency"))
    for party_id, ordered_at, revenue, currency in rows:
        latest[party_id] = {"date": timezone.localdate(ordered_at), "revenue": revenue, "currency": currency}
    return latest


def _rows_for(party_ids: list[int]) -> dict[int, dict[str, Any]]:
    from kundebase.parties.models import Party

    rows = Party.objects.filter(pk__in=party_ids).values("id", "display_name", "customer_number",
                                                        "preferred_language", "person__given_name",
                                                        "person__family_name")
    return {r["id"]: {**r, "given_name": r["person__given_name"], "family_name": r["person__family_name"]}
            for r in rows}


def _deliver(recipient: CampaignRecipient, message: Any, mailer: Mailer, limiter: RateLimiter,
             conversion_days: int) -> None:
    limiter.wait()
    sent_at = timezone.now()
    try:
        mailer.send(message)
        recipient.status = CampaignRecipient.Status.SENT
    except smtplib.SMTPRecipientsRefused as exc:
        recipient.status, recipient.bounced_at = CampaignRecipient.Status.BOUNCED, sent_at
        recipient.error = str(next(iter(exc.recipients.values()), ""))[:300]
    except (smtplib.SMTPException, OSError) as exc:
        recipient.status, recipient.error = CampaignRecipient.Status.FAILED, str(exc)[:300]
        return
    recipient.sent_at = sent_at
    recipient.convert_until = sent_at + dt.timedelta(days=conversion_days)


def _save_results(batch: list[CampaignRecipient]) -> None:
    """One UPDATE per recipient with executemany (the ORM's CASE-WHEN bulk_update costs more than the sending)."""
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.executemany(
            "UPDATE marketing_campaignrecipient SET status = %s, sent_at = %s, convert_until = %s, bounced_at = %s, "
            "error = %s WHERE id = %s",
            [(r.status, adapt(r.sent_at), adapt(r.convert_until), adapt(r.bounced_at), r.error, r.pk)
             for r in batch])


def send_batch(campaign: Campaign, batch: list[CampaignRecipient], mailers: list[Mailer],
               limiter: RateLimiter) -> None:
    """Render and send one batch, then record per-recipient results and timeline entries in one transaction.

    Messages go out over several SMTP connections at once: SMTP is a chatty protocol, so one connection spends
    most of its time waiting for replies.
    """
    subject = personalise.compile_template(campaign.subject, "subject")
    body = personalise.compile_template(campaign.body, "body")
    party_ids = [r.party_id for r in batch]
    still = set(consent.parties_with_consent(campaign.purpose, "email", party_ids))
    rows = _rows_for(party_ids)
    purchases = _last_purchases(party_ids)
    now = timezone.now()
    outgoing: list[tuple[CampaignRecipient, Any]] = []
    for recipient in batch:
        if recipient.party_id not in still or recipient.party_id not in rows:
            recipient.status, recipient.error = CampaignRecipient.Status.FAILED, "consent withdrawn before sending"
            continue
        context = personalise.context_for(rows[recipient.party_id], text_blocks=campaign.text_blocks,
                                          offers=campaign.offers, last_purchase=purchases.get(recipient.party_id),
                                          recipient_id=recipient.pk)
        outgoing.append((recipient, personalise.build_message(
            sender=campaign.from_email, to=recipient.address, subject=subject, body=body, context=context,
            recipient_id=recipient.pk, tracking=recipient.tracking)))
    lanes = [outgoing[i::len(mailers)] for i in range(len(mailers))]

    def lane(index: int) -> None:
        for recipient, message in lanes[index]:
            _deliver(recipient, message, mailers[index], limiter, campaign.conversion_days)

    if len(mailers) == 1:
        lane(0)
    else:
        with ThreadPoolExecutor(max_workers=len(mailers)) as pool:
            list(pool.map(lane, range(len(mailers))))
    with transaction.atomic():
        _save_results(batch)
        Interaction.objects.bulk_create(
            Interaction(party_id=r.party_id, kind=Interaction.Kind.CAMPAIGN, direction=Interaction.Direction.OUTBOUND,
                        channel=Interaction.Channel.EMAIL, occurred_at=r.sent_at or now,
                        subject=campaign.name[:300], outcome=r.status, source=f"campaign:{campaign.pk}",
                        source_record_id=str(r.pk))
            for r in batch)
        Campaign.objects.filter(pk=campaign.pk).update(processed=campaign.processed + len(batch))
        audit.record(action="export", entity="campaign", record_id=campaign.pk, channel="email",
                     fields=["email", "name"], note=f"batch of {len(batch)} messages")
    campaign.processed += len(batch)


def run_campaign(*, campaign_id: int, progress: Progress | None = None, smtp_url: str | None = None) -> Campaign:
    """Send every pending message of a queued campaign (the background job)."""
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=get_campaign(campaign_id).pk)
        if campaign.status not in (Campaign.Status.QUEUED, Campaign.Status.SENDING):
            raise ValidationFailed.one("status", _("Prepare the campaign first"), "not_queued")
        campaign.status, campaign.started_at = Campaign.Status.SENDING, campaign.started_at or timezone.now()
        campaign.save(update_fields=["status", "started_at"])
    limiter = RateLimiter(campaign.rate_per_second)
    mailers = [Mailer(smtp_url) for _ in range(CONNECTIONS)]
    try:
        while True:
            batch = list(campaign.recipients.filter(status=CampaignRecipient.Status.PENDING).order_by("id")[:BATCH])
            if not batch:
                break
            send_batch(campaign, batch, mailers, limiter)
            if progress:
                progress(campaign.processed, campaign.total)
    except Exception as exc:
        Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.FAILED, error=str(exc)[:1000])
        raise
    finally:
        for mailer in mailers:
            mailer.close()
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.DONE, finished_at=timezone.now())
    campaign.refresh_from_db()
    return campaign


# --- responses --------------------------------------------------------------------------------------------

def _note_on_timeline(recipient: CampaignRecipient, outcome: str) -> None:
    Interaction.objects.filter(source=f"campaign:{recipient.campaign_id}",
                               source_record_id=str(recipient.pk)).update(outcome=outcome)


@transaction.atomic
def unsubscribe(*, recipient_id: int, channel: str = "web") -> CampaignRecipient:
    """Withdraw the e-mail consent for the campaign's purpose, at once, in the consent ledger."""
    recipient = CampaignRecipient.objects.select_for_update().select_related("campaign").filter(
        pk=recipient_id).first()
    if recipient is None:
        raise NotFound(_("Recipient"), recipient_id)
    if recipient.unsubscribed_at is None:
        consent.record(party_id=recipient.party_id, purpose=recipient.campaign.purpose, channel="email",
                       status="withdrawn", source="unsubscribe", source_detail=f"campaign {recipient.campaign_id}",
                       explanation="One-click unsubscribe link", channel_of_request=channel)
        recipient.unsubscribed_at = timezone.now()
        recipient.save(update_fields=["unsubscribed_at"])
        _note_on_timeline(recipient, "unsubscribed")
    return recipient


def record_open(recipient_id: int) -> None:
    recipient = CampaignRecipient.objects.filter(pk=recipient_id, tracking=True).first()
    if recipient is not None and recipient.opened_at is None:
        CampaignRecipient.objects.filter(pk=recipient_id, opened_at__isnull=True).update(opened_at=timezone.now())
        _note_on_timeline(recipient, "opened")


def record_click(recipient_id: int) -> None:
    recipient = CampaignRecipient.objects.filter(pk=recipient_id, tracking=True).first()
    if recipient is None:
        return
    now = timezone.now()
    CampaignRecipient.objects.filter(pk=recipient_id, opened_at__isnull=True).update(opened_at=now)
    CampaignRecipient.objects.filter(pk=recipient_id, clicked_at__isnull=True).update(clicked_at=now)
    _note_on_timeline(recipient, "clicked")


@transaction.atomic
def record_bounce(*, address: str, reason: str = "", campaign_id: int | None = None, actor: object = None,
                  channel: str = "api") -> int:
    """Mark the latest message to ``address`` as bounced (from a bounce report); returns how many were marked."""
    address = (address or "").strip()
    if not address or len(address) > 320:
        raise ValidationFailed.one("address", _("Give the bounced e-mail address"), "required")
    qs = CampaignRecipient.objects.filter(address__iexact=address, sent_at__isnull=False, bounced_at__isnull=True)
    if campaign_id is not None:
        qs = qs.filter(campaign_id=campaign_id)
    latest = qs.order_by("-sent_at", "-id").first()
    if latest is None:
        return 0
    latest.status, latest.bounced_at, latest.error = CampaignRecipient.Status.BOUNCED, timezone.now(), reason[:300]
    latest.save(update_fields=["status", "bounced_at", "error"])
    _note_on_timeline(latest, "bounced")
    audit.record(action="change", actor=actor, entity="campaign_recipient", record_id=latest.pk,
                 party_id=latest.party_id, channel=channel, fields=["bounced"])
    return 1


def statistics(campaign: Campaign) -> dict[str, Any]:
    recipients = campaign.recipients.all()
    sent = recipients.filter(sent_at__isnull=False)
    converting = Order.objects.filter(party_id=OuterRef("party_id"), ordered_at__gte=OuterRef("sent_at"),
                                      ordered_at__lt=OuterRef("convert_until"))
    in_window = CampaignRecipient.objects.filter(campaign=campaign, party_id=OuterRef("party_id"),
                                                 sent_at__lte=OuterRef("ordered_at"),
                                                 convert_until__gt=OuterRef("ordered_at"))
    revenue = Order.objects.filter(Exists(in_window)).aggregate(total=Sum("revenue"))["total"] or Decimal(0)
    return {
        "recipients": campaign.total,
        "excluded": campaign.excluded,
        "sent": sent.count(),
        "delivered": sent.filter(status=CampaignRecipient.Status.SENT).count(),
        "bounced": recipients.filter(bounced_at__isnull=False).count(),
        "failed": recipients.filter(status=CampaignRecipient.Status.FAILED).count(),
        "opened": recipients.filter(opened_at__isnull=False).count(),
        "clicked": recipients.filter(clicked_at__isnull=False).count(),
        "unsubscribed": recipients.filter(unsubscribed_at__isnull=False).count(),
        "converted": sent.filter(Exists(converting)).count(),
        "revenue": str(Decimal(revenue).quantize(Decimal("0.01"))),
        "progress": {"processed": campaign.processed, "total": campaign.total, "status": campaign.status},
    }


def produce_list(*, campaign_id: int, file_format: str = "csv", actor: object = None,
                 channel: str = "api") -> exports.ExportResult:
    """Letter and call campaigns: the target list, with each recipient's personalised call script."""
    campaign = get_campaign(campaign_id)
    use = "call" if campaign.channel == Campaign.Channel.CALL else "letter"
    script = personalise.compile_template(campaign.call_script or campaign.body or "", "call_script")

    def render(row: dict[str, Any]) -> str:
        from django.template import Context

        context = personalise.context_for(row, text_blocks=campaign.text_blocks, offers=campaign.offers,
                                          last_purchase=None, recipient_id=0)
        return " ".join(script.render(Context(context)).split())

    return exports.export_segment(segment_id=campaign.segment_id, use=use, file_format=file_format,
                                  purpose=campaign.purpose, extra_fields={"script": render}, actor=actor,
                                  channel=channel)
