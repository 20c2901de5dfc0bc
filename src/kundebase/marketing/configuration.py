"""Setting up the programme: trigger rules, newsletters, loyalty tiers and earning rules (validated, audited)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from kundebase.core import audit
from kundebase.core.errors import ErrorCollector
from kundebase.marketing.models import (
    Campaign,
    LoyaltyActionRule,
    LoyaltyProgramme,
    LoyaltyTier,
    Newsletter,
    TriggerRule,
)
from kundebase.privacy import purposes


def _int(data: dict[str, Any], key: str, errors: ErrorCollector, low: int, high: int, default: int) -> int:
    value = data.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        errors.add(key, _("Must be a whole number from %(a)d to %(b)d") % {"a": low, "b": high}, "invalid")
        return default
    return value


@transaction.atomic
def create_trigger(*, data: dict[str, Any], actor: object = None, channel: str = "api") -> TriggerRule:
    errors = ErrorCollector()
    name = str(data.get("name") or "").strip()
    if not name or len(name) > 150:
        errors.add("name", _("Give a name of at most 150 characters"), "required")
    event = str(data.get("event") or "")
    if event not in TriggerRule.Event.values:
        errors.add("event", _("Must be one of %(c)s") % {"c": ", ".join(TriggerRule.Event.values)}, "invalid_choice")
    action = data.get("action") or TriggerRule.Action.TASK
    if action not in TriggerRule.Action.values:
        errors.add("action", _("Must be one of %(c)s") % {"c": ", ".join(TriggerRule.Action.values)},
                   "invalid_choice")
    days = _int(data, "days", errors, 0, 3650, 0)
    campaign_id, assignee_id = data.get("campaign_id"), data.get("assignee_id")
    campaign = Campaign.objects.filter(pk=campaign_id).first() if campaign_id else None
    if action == TriggerRule.Action.CAMPAIGN and (campaign is None or campaign.channel != Campaign.Channel.EMAIL):
        errors.add("campaign_id", _("Name an e-mail campaign"), "not_found")
    assignee = get_user_model().objects.filter(pk=assignee_id).first() if assignee_id else None
    if action == TriggerRule.Action.TASK and assignee is None:
        errors.add("assignee_id", _("Name the salesperson who gets the task"), "required")
    errors.raise_if_any()
    rule = TriggerRule.objects.create(name=name, event=event, days=days, action=action, campaign=campaign,
                                      assignee=assignee, task_text=str(data.get("task_text") or "")[:300])
    audit.record(action="create", actor=actor, entity="trigger_rule", record_id=rule.pk, channel=channel)
    return rule


@transaction.atomic
def create_newsletter(*, data: dict[str, Any], actor: object = None, channel: str = "api") -> Newsletter:
    errors = ErrorCollector()
    name = str(data.get("name") or "").strip()
    if not name or len(name) > 150:
        errors.add("name", _("Give a name of at most 150 characters"), "required")
    key = slugify(str(data.get("key") or name))[:60]
    if not key or Newsletter.objects.filter(key=key).exists():
        errors.add("key", _("Give a key not used by another newsletter"), "duplicate")
    purpose = str(data.get("purpose") or purposes.NEWSLETTER_DEFAULT)
    purposes.require_defined(purpose, errors)
    errors.raise_if_any()
    newsletter = Newsletter.objects.create(key=key, name=name, purpose=purpose,
                                           from_email=str(data.get("from_email") or "news@kundebase.invalid")[:200],
                                           notice_version=str(data.get("notice_version") or "1")[:60])
    audit.record(action="create", actor=actor, entity="newsletter", record_id=newsletter.pk, channel=channel)
    return newsletter


@transaction.atomic
def set_tier(*, name: str, threshold: Any, actor: object = None, channel: str = "api") -> LoyaltyTier:
    errors = ErrorCollector()
    name = (name or "").strip()
    if not name or len(name) > 60:
        errors.add("name", _("Give a name of at most 60 characters"), "required")
    value = _int({"threshold": threshold}, "threshold", errors, 0, 10**9, 0)
    errors.raise_if_any()
    tier, _created = LoyaltyTier.objects.update_or_create(name=name, defaults={"threshold": value})
    audit.record(action="change", actor=actor, entity="loyalty_tier", record_id=tier.pk, channel=channel)
    return tier


@transaction.atomic
def set_action_rule(*, action: str, points: Any, actor: object = None, channel: str = "api") -> LoyaltyActionRule:
    errors = ErrorCollector()
    key = slugify(action or "")[:60]
    if not key:
        errors.add("action", _("Name the action"), "required")
    value = _int({"points": points}, "points", errors, -10**6, 10**6, 0)
    errors.raise_if_any()
    rule, _created = LoyaltyActionRule.objects.update_or_create(action=key, defaults={"points": value})
    audit.record(action="change", actor=actor, entity="loyalty_rule", record_id=rule.pk, channel=channel)
    return rule


@transaction.atomic
def set_programme(*, data: dict[str, Any], actor: object = None, channel: str = "api") -> LoyaltyProgramme:
    """The programme's name, points earned per currency unit and how many months points live."""
    from kundebase.marketing.loyalty import programme

    errors = ErrorCollector()
    name = str(data.get("name") or "").strip()
    if not name or len(name) > 150:
        errors.add("name", _("Give a name of at most 150 characters"), "required")
    try:
        per_unit = Decimal(str(data.get("points_per_unit", "")).replace(",", "."))
    except InvalidOperation:
        per_unit = Decimal(-1)
    if not per_unit.is_finite() or not 0 <= per_unit <= 1000 or per_unit.as_tuple().exponent < -4:  # type: ignore[operator]
        errors.add("points_per_unit", _("A number from 0 to 1000 with at most four decimals"), "invalid")
    months = _int(data, "expiry_months", errors, 1, 240, 24)
    errors.raise_if_any()
    current = programme()
    current.name, current.points_per_unit, current.expiry_months = name, per_unit, months
    current.save(update_fields=["name", "points_per_unit", "expiry_months"])
    audit.record(action="change", actor=actor, entity="loyalty_programme", record_id=current.pk, channel=channel,
                 fields=["name", "points_per_unit", "expiry_months"])
    return current
