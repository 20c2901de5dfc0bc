"""When two customers are merged, their marketing records follow the survivor.

Registered on ``core.hooks.after_merge``: the points ledger, campaign results,
static segment memberships and trigger fires move to the survivor; a club
membership moves too unless the survivor already has one (then the survivor's
is kept and the ledger entries still add up on it).
"""

from __future__ import annotations

from kundebase.marketing.models import (
    CampaignRecipient,
    LoyaltyEntry,
    LoyaltyMember,
    SegmentMember,
    TriggerFire,
)


def move_to_survivor(*, survivor_id: int, merged_id: int, actor: object = None) -> None:
    LoyaltyEntry.objects.filter(party_id=merged_id).update(party_id=survivor_id)
    CampaignRecipient.objects.filter(party_id=merged_id).update(party_id=survivor_id)
    TriggerFire.objects.filter(party_id=merged_id).exclude(
        occurrence__in=TriggerFire.objects.filter(party_id=survivor_id).values("occurrence")).update(
        party_id=survivor_id)
    already = SegmentMember.objects.filter(party_id=survivor_id).values("segment_id")
    SegmentMember.objects.filter(party_id=merged_id).exclude(segment_id__in=already).update(party_id=survivor_id)
    if not LoyaltyMember.objects.filter(party_id=survivor_id).exists():
        LoyaltyMember.objects.filter(party_id=merged_id).update(party_id=survivor_id)
