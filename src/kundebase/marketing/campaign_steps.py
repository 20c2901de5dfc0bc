"""One campaign message to one customer, started by a trigger (birthday greeting, first-purchase follow-up)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from kundebase.core.dialect import for_connection
from kundebase.marketing import audience
from kundebase.marketing.campaigns import get_campaign, send_batch
from kundebase.marketing.mailer import Mailer, RateLimiter
from kundebase.marketing.models import Campaign, CampaignRecipient


def send_single(*, campaign_id: int, party_id: int, smtp_url: str | None = None) -> CampaignRecipient | None:
    """Send the campaign's message to one customer when the consent rules allow; ``None`` when they do not."""
    campaign = get_campaign(campaign_id)
    if campaign.channel != Campaign.Channel.EMAIL:
        return None
    ph = for_connection().placeholder
    allowed: list[dict[str, Any]] = []
    for rows, _excluded in audience.chunks(None, purpose=campaign.purpose, channel="email",
                                           members=(f"SELECT {ph}", [party_id])):
        allowed.extend(rows)
    if not allowed:
        return None
    row = allowed[0]
    with transaction.atomic():
        recipient = CampaignRecipient.objects.create(campaign=campaign, party_id=party_id, address=row["email"],
                                                     tracking=bool(row["tracking"]))
        Campaign.objects.filter(pk=campaign.pk).update(total=campaign.total + 1)
    with Mailer(smtp_url) as mailer:
        send_batch(campaign, [recipient], [mailer], RateLimiter(0))
    recipient.refresh_from_db()
    return recipient
