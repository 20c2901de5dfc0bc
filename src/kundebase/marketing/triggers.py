"""Life-event triggers: find who had the event, fire each rule once per customer and occurrence.

Each event is a query that yields ``(party_id, occurrence)``; the occurrence
names the event instance (``birthday:2026``, ``address:812``, ``win_back:order 77``)
and the unique ``TriggerFire`` row makes a second run a no-op.  Firing starts
a campaign message or creates a task (an internal note with a follow-up date
assigned to a salesperson).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, F, Min, OuterRef
from django.utils import timezone

from kundebase.core.dialect import for_connection
from kundebase.interactions import services as interactions
from kundebase.marketing.models import LoyaltyMember, TriggerFire, TriggerRule
from kundebase.marketing.segment_language import select_sql
from kundebase.orders.models import Order
from kundebase.parties.models import Address, ContactRole, Party

LOOKBACK_DAYS = 7
"""Events older than this (beyond the rule's own delay) are not fired on a first run over old data."""


def _rule_ids(rule: dict[str, object], today: dt.date) -> Iterator[int]:
    sql, params = select_sql(rule, for_connection(), today=today)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for (party_id,) in cursor.fetchall():
            yield party_id


def _events(rule: TriggerRule, now: dt.datetime) -> Iterator[tuple[int, str]]:
    today = timezone.localdate(now)
    since = now - dt.timedelta(days=max(rule.days, 1) + LOOKBACK_DAYS)
    if rule.event == TriggerRule.Event.BIRTHDAY:
        for pid in _rule_ids({"attr": "birthday", "op": "today"}, today):
            yield pid, f"birthday:{today.year}"
    elif rule.event == TriggerRule.Event.MOVED:
        older = Address.objects.filter(party_id=OuterRef("party_id"), created_at__lt=OuterRef("created_at"))
        for aid, pid in (Address.objects.filter(created_at__gte=since).filter(Exists(older))
                         .values_list("id", "party_id")):
            yield pid, f"address:{aid}"
    elif rule.event == TriggerRule.Event.NEW_ROLE:
        for rid, pid in ContactRole.objects.filter(created_at__gte=since).values_list("id", "person_id"):
            yield pid, f"role:{rid}"
    elif rule.event == TriggerRule.Event.FIRST_PURCHASE:
        cutoff = now - dt.timedelta(days=rule.days)
        firsts = (Order.objects.values("party_id").annotate(first=Min("ordered_at"))
                  .filter(first__lte=cutoff, first__gte=cutoff - dt.timedelta(days=LOOKBACK_DAYS)))
        for row in firsts:
            yield row["party_id"], "first_purchase"
    elif rule.event == TriggerRule.Event.WIN_BACK:
        for pid in _rule_ids({"attr": "orders.days_since_last", "op": "gte", "value": rule.days}, today):
            last = Order.objects.filter(party_id=pid).order_by("-ordered_at", "-id").values_list("id", flat=True)[:1]
            yield pid, f"win_back:order {last[0] if last else 0}"
    elif rule.event == TriggerRule.Event.TIER_CHANGE:
        for pid, tier_id, changed in (LoyaltyMember.objects.filter(tier_changed_at__gte=since)
                                      .values_list("party_id", "tier_id", "tier_changed_at")):
            yield pid, f"tier:{tier_id}:{changed:%Y-%m-%dT%H:%M:%S}"


def _task_owner(rule: TriggerRule, party_id: int) -> object:
    """Who gets the rule's task: the rule's salesperson, or the owner of the customer's open deal (the one
    expected to close first) when the rule says so and there is one."""
    if rule.assign_to == TriggerRule.AssignTo.DEAL_OWNER:
        from kundebase.sales.models import Deal

        deal = (Deal.objects.filter(party_id=party_id, status=Deal.Status.OPEN, owner__isnull=False,
                                    owner__is_active=True)
                .select_related("owner").order_by(F("expected_close_on").asc(nulls_last=True), "id").first())
        if deal is not None:
            return deal.owner
    return rule.assignee


def _act(rule: TriggerRule, party_id: int, today: dt.date) -> None:
    if rule.action == TriggerRule.Action.CAMPAIGN and rule.campaign_id:
        from kundebase.marketing.campaign_steps import send_single

        send_single(campaign_id=rule.campaign_id, party_id=party_id)
        return
    # A note on the timeline with a follow-up date: the sales app keeps a task for it (due that day, for whoever
    # handled the note), and completing the task closes the follow-up.
    due = today + dt.timedelta(days=rule.task_due_days)
    interactions.log_interaction(
        party_id=party_id,
        data={"kind": "note", "direction": "internal", "channel": "other",
              "subject": (rule.task_text or rule.name)[:300], "follow_up_on": due.isoformat()},
        actor=_task_owner(rule, party_id), channel="trigger", source_record_id=f"trigger:{rule.pk}")


def run(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Evaluate every active rule; returns how many times each fired in this run."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    fired: dict[str, int] = {}
    blocked = set(Party.objects.filter(merged_into__isnull=False).values_list("id", flat=True)) | set(
        Party.objects.filter(erased_at__isnull=False).values_list("id", flat=True)) | set(
        Party.objects.filter(restricted_at__isnull=False).values_list("id", flat=True))
    for rule in TriggerRule.objects.filter(active=True).order_by("pk"):
        count = 0
        for party_id, occurrence in list(_events(rule, now)):
            if party_id in blocked:
                continue
            try:
                with transaction.atomic():
                    TriggerFire.objects.create(rule=rule, party_id=party_id, occurrence=occurrence[:80],
                                               fired_at=now)
                    _act(rule, party_id, today)
            except IntegrityError:
                continue  # fired before for this occurrence
            count += 1
        fired[rule.name] = count
    return fired
