"""The one write path for deals, pipelines, exchange rates and tasks (used by the API, the pages and the CLI).

Every function validates all its input first and reports every bad field at once (422 naming the field); only
then does it write, inside one transaction, so a refused request leaves nothing behind.
"""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kundebase.core.errors import Conflict, ErrorCollector, NotFound, ValidationFailed
from kundebase.core.field_values import date_value, datetime_value
from kundebase.sales.access import deal_or_404, may_act_for, task_or_404
from kundebase.sales.models import (
    CalendarFeed,
    Deal,
    DealLine,
    ExchangeRate,
    LostReason,
    Pipeline,
    Stage,
    StageChange,
    Task,
)

MAX_STAGES = 30
FOLLOW_UP_HOUR = dt.time(9, 0)
"""A follow-up date from the timeline becomes a task due at this local time that day."""


def base_currency() -> str:
    return str(getattr(settings, "KUNDEBASE_DEFAULT_CURRENCY", "NOK")).upper()


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) and getattr(actor, "is_authenticated", False) else None


# --- small field cleaners ------------------------------------------------------------------------------------

def _text(data: dict[str, Any], key: str, limit: int, errors: ErrorCollector, *, required: bool = False) -> str:
    value = str(data.get(key) or "").strip()
    if required and not value:
        errors.add(key, _("Required"), "required")
    if len(value) > limit:
        errors.add(key, _("At most %(n)d characters (got %(m)d)") % {"n": limit, "m": len(value)}, "too_long")
    if "\x00" in value:
        errors.add(key, _("Contains a NUL character"))
    return value[:limit]


def _decimal(value: Any, key: str, errors: ErrorCollector, *, places: str = "0.01") -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        errors.add(key, _("%(v)s is not a number") % {"v": value})
        return Decimal(0)
    if not number.is_finite() or abs(number) >= Decimal("1e12"):
        errors.add(key, _("%(v)s is out of range") % {"v": value})
        return Decimal(0)
    if number < 0:
        errors.add(key, _("Must not be negative"))
    return number.quantize(Decimal(places))


def _int(value: Any, key: str, errors: ErrorCollector) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        errors.add(key, _("%(v)s is not a whole number") % {"v": value})
        return None


def _probability(value: Any, key: str, errors: ErrorCollector) -> int | None:
    number = _int(value, key, errors)
    if number is not None and not 0 <= number <= 100:
        errors.add(key, _("Between 0 and 100"), "out_of_range")
        return None
    return number


def _rate(currency: str, errors: ErrorCollector) -> Decimal:
    """The rate of ``currency`` to the base currency; a currency without a rate is refused on ``currency``."""
    if len(currency) != 3 or not currency.isalpha():
        errors.add("currency", _("Use a three-letter ISO 4217 code"), "invalid_currency")
        return Decimal(1)
    if currency == base_currency():
        return Decimal(1)
    found = ExchangeRate.objects.filter(currency=currency).first()
    if found is None:
        errors.add("currency", _("No exchange rate for %(c)s to %(b)s; an administrator sets one first")
                   % {"c": currency, "b": base_currency()}, "no_exchange_rate")
        return Decimal(1)
    return found.rate


def _user_id(value: Any, key: str, errors: ErrorCollector) -> int | None:
    uid = _int(value, key, errors)
    if uid is not None and not get_user_model().objects.filter(pk=uid, is_active=True).exists():
        errors.add(key, _("User %(id)s does not exist") % {"id": uid}, "not_found")
        return None
    return uid


# --- exchange rates and pipelines ----------------------------------------------------------------------------

@transaction.atomic
def set_exchange_rate(*, currency: str, rate: Any) -> ExchangeRate:
    errors = ErrorCollector()
    code = str(currency or "").strip().upper()
    if len(code) != 3 or not code.isalpha():
        errors.add("currency", _("Use a three-letter ISO 4217 code"), "invalid_currency")
    elif code == base_currency():
        errors.add("currency", _("%(c)s is the base currency") % {"c": code}, "base_currency")
    value = _decimal(rate, "rate", errors, places="0.00000001")
    if value == 0:
        errors.add("rate", _("Must be greater than zero"), "out_of_range")
    errors.raise_if_any()
    found, _created = ExchangeRate.objects.update_or_create(currency=code, defaults={"rate": value})
    return found


def _clean_stages(stages: list[dict[str, Any]], errors: ErrorCollector, *, prefix: str = "stages") -> list[Stage]:
    if not stages:
        errors.add(prefix, _("A pipeline needs at least one stage"), "required")
    if len(stages) > MAX_STAGES:
        errors.add(prefix, _("At most %(n)d stages") % {"n": MAX_STAGES}, "too_long")
        return []
    out, seen = [], set()
    for i, item in enumerate(stages):
        e = ErrorCollector()
        name = _text(item, "name", 120, e, required=True)
        probability = _probability(item.get("probability"), "probability", e)
        if probability is None and not e:
            e.add("probability", _("Required"), "required")
        if name.casefold() in seen:
            e.add("name", _("Two stages are called %(n)s") % {"n": name}, "duplicate")
        seen.add(name.casefold())
        for err in e.errors:
            errors.add(f"{prefix}[{i}].{err.field}", err.message, err.code)
        out.append(Stage(name=name, probability=probability or 0, position=i + 1))
    return out


@transaction.atomic
def create_pipeline(*, name: str, stages: list[dict[str, Any]], is_default: bool = False) -> Pipeline:
    errors = ErrorCollector()
    clean_name = _text({"name": name}, "name", 120, errors, required=True)
    if clean_name and Pipeline.objects.filter(name__iexact=clean_name).exists():
        errors.add("name", _("A pipeline with this name exists"), "duplicate")
    built = _clean_stages(stages, errors)
    errors.raise_if_any()
    if is_default:
        Pipeline.objects.filter(is_default=True).update(is_default=False)
    pipeline = Pipeline.objects.create(name=clean_name, is_default=is_default or not Pipeline.objects.exists())
    for stage in built:
        stage.pipeline = pipeline
    Stage.objects.bulk_create(built)
    return pipeline


@transaction.atomic
def add_stage(*, pipeline_id: int, name: str, probability: Any, position: int | None = None) -> Stage:
    pipeline = Pipeline.objects.select_for_update().filter(pk=pipeline_id).first()
    if pipeline is None:
        raise NotFound(_("Pipeline"), pipeline_id)
    errors = ErrorCollector()
    clean_name = _text({"name": name}, "name", 120, errors, required=True)
    chance = _probability(probability, "probability", errors)
    if chance is None and not errors:
        errors.add("probability", _("Required"), "required")
    existing = list(pipeline.stages.order_by("position", "id"))
    if any(s.name.casefold() == clean_name.casefold() for s in existing):
        errors.add("name", _("Two stages are called %(n)s") % {"n": clean_name}, "duplicate")
    if len(existing) >= MAX_STAGES:
        errors.add("name", _("At most %(n)d stages") % {"n": MAX_STAGES}, "too_long")
    if position is not None and not 1 <= position <= len(existing) + 1:
        errors.add("position", _("Between 1 and %(n)d") % {"n": len(existing) + 1}, "out_of_range")
    errors.raise_if_any()
    at = position or len(existing) + 1
    for index, stage in enumerate(existing, start=1):
        wanted = index if index < at else index + 1
        if stage.position != wanted:
            Stage.objects.filter(pk=stage.pk).update(position=wanted)
    return Stage.objects.create(pipeline=pipeline, name=clean_name, probability=chance or 0, position=at)


def default_pipeline() -> Pipeline:
    """The default pipeline; when every pipeline was removed, the shipped one is set up again, so a deal
    always has somewhere to start."""
    from kundebase.sales.models import DEFAULT_PIPELINE, DEFAULT_STAGES

    found = Pipeline.objects.order_by("-is_default", "id").first()
    if found is not None:
        return found
    return create_pipeline(name=DEFAULT_PIPELINE, is_default=True,
                           stages=[{"name": name, "probability": chance} for name, chance in DEFAULT_STAGES])


# --- deals ---------------------------------------------------------------------------------------------------

def _timeline(deal: Deal, subject: str, actor: Any, channel: str) -> None:
    """The deal's life on the customer timeline, written by the interactions service like every entry there."""
    from kundebase.interactions.services import log_interaction

    log_interaction(party_id=deal.party_id, actor=actor, channel=channel, source_record_id=f"deal:{deal.pk}",
                    data={"kind": "note", "direction": "internal", "channel": "other", "subject": subject[:300],
                          "source": "sales", "contact_person_id": deal.contact_person_id})


def _history(deal: Deal, from_stage: Stage | None, actor: Any) -> None:
    StageChange.objects.create(deal=deal, from_stage=from_stage, to_stage=deal.stage, status=deal.status,
                               changed_at=timezone.now(), changed_by=_user(actor))


def _clean_deal(data: dict[str, Any], errors: ErrorCollector, deal: Deal | None) -> dict[str, Any]:
    """Check every field given (all of them on create); stage and pipeline only on create."""
    from kundebase.marketing.models import Campaign
    from kundebase.parties.models import Party, Person

    creating = deal is None
    out: dict[str, Any] = {}
    if creating or "title" in data:
        out["title"] = _text(data, "title", 200, errors, required=True)
    if creating:
        party_id = _int(data.get("party_id"), "party_id", errors)
        if party_id is None:
            if "party_id" not in {e.field for e in errors.errors}:
                errors.add("party_id", _("Name the customer (a person or a company)"), "required")
        elif not Party.objects.filter(pk=party_id, merged_into__isnull=True).exists():
            errors.add("party_id", _("Customer %(id)s does not exist") % {"id": party_id}, "not_found")
        out["party_id"] = party_id
        pipeline_id = _int(data.get("pipeline_id"), "pipeline_id", errors)
        pipeline = (Pipeline.objects.filter(pk=pipeline_id).first() if pipeline_id is not None
                    else default_pipeline())
        if pipeline is None:
            errors.add("pipeline_id", _("Pipeline %(id)s does not exist") % {"id": pipeline_id or "-"}, "not_found")
        stage_id = _int(data.get("stage_id"), "stage_id", errors)
        stage = None
        if pipeline is not None:
            if stage_id is None:
                stage = pipeline.stages.order_by("position", "id").first()
            else:
                stage = Stage.objects.filter(pk=stage_id).first()
                if stage is None:
                    errors.add("stage_id", _("Stage %(id)s does not exist") % {"id": stage_id}, "not_found")
                elif stage.pipeline_id != pipeline.pk:
                    errors.add("stage_id", _("Stage %(s)s belongs to another pipeline than %(p)s")
                               % {"s": stage.name, "p": pipeline.name}, "wrong_pipeline")
                    stage = None
        out["pipeline"], out["stage"] = pipeline, stage
    party_id = out.get("party_id") if creating else deal.party_id  # type: ignore[union-attr]
    if "contact_person_id" in data or creating:
        person_id = _int(data.get("contact_person_id"), "contact_person_id", errors)
        if person_id is not None and not Person.objects.filter(pk=person_id).exists():
            errors.add("contact_person_id", _("Person %(id)s does not exist") % {"id": person_id}, "not_found")
        elif person_id is not None and person_id != party_id and party_id is not None:
            from kundebase.parties.models import ContactRole

            if not ContactRole.objects.filter(person_id=person_id, company_id=party_id).exists():
                errors.add("contact_person_id", _("Person %(id)s is not a contact person of this customer")
                           % {"id": person_id}, "not_a_contact")
        out["contact_person_id"] = person_id
    if creating or "amount" in data:
        out["amount"] = _decimal(data.get("amount") if data.get("amount") is not None else 0, "amount", errors)
    if creating or "currency" in data:
        out["currency"] = str(data.get("currency") or base_currency()).strip().upper()
    currency = out.get("currency", deal.currency if deal else base_currency())
    out["amount_base"] = (out.get("amount", deal.amount if deal else Decimal(0)) * _rate(currency, errors)
                          ).quantize(Decimal("0.01"))
    if creating or "expected_close_on" in data:
        close = date_value(data.get("expected_close_on"), "expected_close_on", errors)
        open_deal = creating or deal.status == Deal.Status.OPEN  # type: ignore[union-attr]
        if close is not None and open_deal and close < timezone.localdate():
            errors.add("expected_close_on", _("An open deal cannot be expected to close in the past"), "past_date")
        out["expected_close_on"] = close
    if "probability" in data and data.get("probability") is not None:
        out["probability"] = _probability(data.get("probability"), "probability", errors)
    if "owner_id" in data:
        out["owner_id"] = _user_id(data.get("owner_id"), "owner_id", errors)
    if "campaign_id" in data or creating:
        campaign_id = _int(data.get("campaign_id"), "campaign_id", errors)
        if campaign_id is not None and not Campaign.objects.filter(pk=campaign_id).exists():
            errors.add("campaign_id", _("Campaign %(id)s does not exist") % {"id": campaign_id}, "not_found")
        out["campaign_id"] = campaign_id
    return out


@transaction.atomic
def create_deal(*, data: dict[str, Any], actor: Any = None, channel: str = "api") -> Deal:
    from kundebase.parties.services import refuse_erased
    from kundebase.sales.deal_lines import amount_from_lines

    errors = ErrorCollector()
    data = dict(data)
    lines = amount_from_lines(data, errors)  # with products, the amount is their sum
    cleaned = _clean_deal(data, errors, None)
    if "owner_id" not in cleaned:
        cleaned["owner_id"] = getattr(_user(actor), "pk", None)
    elif not may_act_for(actor, cleaned["owner_id"]):
        errors.add("owner_id", _("You may only create deals you or your team own"), "forbidden_owner")
    errors.raise_if_any()
    refuse_erased(cleaned["party_id"])
    from kundebase.sales.credit import check_new_business

    check_new_business(cleaned["party_id"], cleaned["amount_base"])  # refused here when the policy says so
    stage = cleaned["stage"]
    if cleaned.get("probability") is None:
        cleaned["probability"] = stage.probability
    deal = Deal.objects.create(**cleaned, stage_entered_at=timezone.now())
    for line in lines or []:
        line.deal = deal
    DealLine.objects.bulk_create(lines or [])
    _history(deal, None, actor)
    _timeline(deal, _("Deal created: %(t)s (%(s)s)") % {"t": deal.title, "s": stage.name}, actor, channel)
    return deal


@transaction.atomic
def update_deal(*, deal_id: int, changes: dict[str, Any], actor: Any = None, channel: str = "api") -> Deal:
    deal = deal_or_404(actor, deal_id)
    for key in ("party_id", "pipeline_id", "stage_id", "status"):
        if key in changes:
            raise ValidationFailed.one(key, _("Cannot be changed here; move or close the deal instead"),
                                       "read_only")
    from kundebase.sales.deal_lines import refuse_amount_beside_lines

    errors = ErrorCollector()
    cleaned = _clean_deal(changes, errors, deal)
    refuse_amount_beside_lines(deal, changes, errors)
    if "owner_id" in cleaned and not may_act_for(actor, cleaned["owner_id"]):
        errors.add("owner_id", _("Only an administrator, or the manager of both, hands a deal to someone else"),
                   "forbidden_owner")
    errors.raise_if_any()
    for key, value in cleaned.items():
        setattr(deal, key, value)
    deal.save()
    return deal


def _open(deal: Deal) -> None:
    if deal.status != Deal.Status.OPEN:
        raise Conflict(_("The deal is %(s)s; reopen it first") % {"s": deal.get_status_display()}, "deal_closed")


@transaction.atomic
def move_deal(*, deal_id: int, stage_id: Any, actor: Any = None, channel: str = "api") -> Deal:
    """Move an open deal to another stage of its pipeline; its probability becomes that stage's default."""
    deal = deal_or_404(actor, deal_id)
    errors = ErrorCollector()
    target_id = _int(stage_id, "stage_id", errors)
    if target_id is None and not errors:
        errors.add("stage_id", _("Required"), "required")
    errors.raise_if_any()
    assert target_id is not None  # refused above when missing
    stage = Stage.objects.filter(pk=target_id).first()
    if stage is None:
        raise ValidationFailed.one("stage_id", _("Stage %(id)s does not exist") % {"id": target_id}, "not_found")
    if stage.pipeline_id != deal.pipeline_id:
        raise ValidationFailed.one("stage_id", _("Stage %(s)s belongs to another pipeline than %(p)s")
                                   % {"s": stage.name, "p": deal.pipeline.name}, "wrong_pipeline")
    _open(deal)
    if stage.pk == deal.stage_id:
        return deal
    previous = deal.stage
    deal.stage, deal.probability, deal.stage_entered_at = stage, stage.probability, timezone.now()
    deal.save(update_fields=["stage", "probability", "stage_entered_at", "updated_at"])
    _history(deal, previous, actor)
    _timeline(deal, _("Deal %(t)s moved from %(a)s to %(b)s") % {"t": deal.title, "a": previous.name,
                                                                  "b": stage.name}, actor, channel)
    return deal


@transaction.atomic
def win_deal(*, deal_id: int, note: str = "", actor: Any = None, channel: str = "api") -> Deal:
    deal = deal_or_404(actor, deal_id)
    errors = ErrorCollector()
    clean_note = _text({"note": note}, "note", 300, errors)
    errors.raise_if_any()
    _open(deal)
    deal.status, deal.probability, deal.closed_at, deal.close_note = Deal.Status.WON, 100, timezone.now(), clean_note
    deal.save(update_fields=["status", "probability", "closed_at", "close_note", "updated_at"])
    _history(deal, deal.stage, actor)
    _timeline(deal, _("Deal won: %(t)s") % {"t": deal.title}, actor, channel)
    return deal


@transaction.atomic
def lose_deal(*, deal_id: int, reason: str, note: str = "", actor: Any = None, channel: str = "api") -> Deal:
    deal = deal_or_404(actor, deal_id)
    errors = ErrorCollector()
    if reason not in LostReason.values:
        errors.add("reason", _("%(v)s is not one of: %(c)s") % {"v": reason, "c": ", ".join(LostReason.values)},
                   "invalid_choice")
    clean_note = _text({"note": note}, "note", 300, errors)
    errors.raise_if_any()
    _open(deal)
    deal.status, deal.probability, deal.closed_at = Deal.Status.LOST, 0, timezone.now()
    deal.lost_reason, deal.close_note = reason, clean_note
    deal.save(update_fields=["status", "probability", "closed_at", "lost_reason", "close_note", "updated_at"])
    _history(deal, deal.stage, actor)
    _timeline(deal, _("Deal lost: %(t)s (%(r)s)") % {"t": deal.title, "r": deal.get_lost_reason_display()},
              actor, channel)
    return deal


# --- tasks ---------------------------------------------------------------------------------------------------

def _clean_task(data: dict[str, Any], errors: ErrorCollector, actor: Any, task: Task | None) -> dict[str, Any]:
    from kundebase.parties.models import Party

    creating = task is None
    out: dict[str, Any] = {}
    if creating or "title" in data:
        out["title"] = _text(data, "title", 200, errors, required=True)
    if "notes" in data:
        out["notes"] = _text(data, "notes", 10_000, errors)
    if creating or "due_at" in data:
        due = datetime_value(data.get("due_at"), "due_at", errors)
        if due is None and "due_at" not in {e.field for e in errors.errors}:
            errors.add("due_at", _("Required"), "required")
        out["due_at"] = due
    if creating or "priority" in data:
        priority = data.get("priority") or Task.Priority.NORMAL
        if priority not in Task.Priority.values:
            errors.add("priority", _("%(v)s is not one of: %(c)s") % {"v": priority,
                                                                       "c": ", ".join(Task.Priority.values)},
                       "invalid_choice")
        out["priority"] = priority
    if creating or "assigned_to_id" in data:
        assignee = _user_id(data.get("assigned_to_id"), "assigned_to_id", errors)
        if assignee is None and data.get("assigned_to_id") in (None, ""):
            assignee = getattr(_user(actor), "pk", None)
            if assignee is None:
                errors.add("assigned_to_id", _("Required"), "required")
        elif assignee is not None and not may_act_for(actor, assignee):
            errors.add("assigned_to_id", _("Only an administrator, or their manager, assigns tasks to someone "
                                           "else"), "forbidden_assignee")
        out["assigned_to_id"] = assignee
    if creating:
        deal_id = _int(data.get("deal_id"), "deal_id", errors)
        deal = None
        if deal_id is not None:
            from kundebase.sales.access import deals_for

            deal = deals_for(actor).filter(pk=deal_id).first()
            if deal is None:
                errors.add("deal_id", _("Deal %(id)s does not exist") % {"id": deal_id}, "not_found")
        party_id = _int(data.get("party_id"), "party_id", errors)
        if party_id is not None and not Party.objects.filter(pk=party_id).exists():
            errors.add("party_id", _("Customer %(id)s does not exist") % {"id": party_id}, "not_found")
        if deal is not None and party_id is not None and deal.party_id != party_id:
            errors.add("party_id", _("The deal belongs to another customer"), "mismatch")
        out["deal_id"] = deal_id
        out["party_id"] = party_id if party_id is not None else (deal.party_id if deal else None)
    return out


@transaction.atomic
def create_task(*, data: dict[str, Any], actor: Any = None, interaction: Any = None) -> Task:
    errors = ErrorCollector()
    cleaned = _clean_task(data, errors, actor, None)
    errors.raise_if_any()
    return Task.objects.create(**cleaned, interaction=interaction, created_by=_user(actor))


@transaction.atomic
def update_task(*, task_id: int, changes: dict[str, Any], actor: Any = None) -> Task:
    """Change a task's fields; ``done`` (true or false) completes or reopens it in the same transaction."""
    task = task_or_404(actor, task_id)
    changes = dict(changes)
    done = changes.pop("done", None)
    errors = ErrorCollector()
    cleaned = _clean_task(changes, errors, actor, task)
    errors.raise_if_any()
    for key, value in cleaned.items():
        setattr(task, key, value)
    task.save()
    if done is not None:
        task = complete_task(task_id=task.pk, done=bool(done), actor=actor)
    return task


@transaction.atomic
def complete_task(*, task_id: int, done: bool = True, actor: Any = None, channel: str = "api") -> Task:
    """Mark a task done (or not done); a task made from a timeline follow-up closes that follow-up too."""
    task = task_or_404(actor, task_id)
    task.completed_at = (task.completed_at or timezone.now()) if done else None
    task.save(update_fields=["completed_at", "updated_at"])
    if task.interaction_id and done:
        from kundebase.interactions.models import Interaction
        from kundebase.interactions.services import update_interaction

        if Interaction.objects.filter(pk=task.interaction_id, follow_up_done_at__isnull=True).exists():
            update_interaction(interaction_id=task.interaction_id, changes={"follow_up_done": True}, actor=actor,
                               channel=channel)
    return task


@transaction.atomic
def task_from_follow_up(interaction: Any) -> Task | None:
    """Keep the task of a logged contact's "follow up on" date in step with it: create, move or complete."""
    if interaction.handled_by_id is None:
        return None
    task = Task.objects.filter(interaction=interaction).first()
    if interaction.follow_up_on is None:
        return task
    due = timezone.make_aware(dt.datetime.combine(interaction.follow_up_on, FOLLOW_UP_HOUR))
    done = interaction.follow_up_done_at
    if task is None:
        if done is not None:
            return None
        title = _("Follow up: %(s)s") % {"s": interaction.subject or interaction.get_kind_display()}
        return Task.objects.create(title=title[:200], assigned_to_id=interaction.handled_by_id, due_at=due,
                                   party_id=interaction.party_id, interaction=interaction,
                                   created_by_id=interaction.handled_by_id)
    changed = []
    if task.due_at != due:
        task.due_at = due
        changed.append("due_at")
    if done is not None and task.completed_at is None:
        task.completed_at = done
        changed.append("completed_at")
    if changed:
        task.save(update_fields=[*changed, "updated_at"])
    return task


def calendar_secret(user: Any, *, rotate: bool = False) -> str:
    """The user's calendar feed secret, made on first use; ``rotate`` gives a new one (the old URL stops)."""
    feed = CalendarFeed.objects.filter(user=user).first()
    if feed is None or rotate:
        secret = secrets.token_urlsafe(32)
        CalendarFeed.objects.update_or_create(user=user, defaults={"secret": secret,
                                                                   "created_at": timezone.now()})
        return secret
    return feed.secret
