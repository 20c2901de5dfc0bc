"""Cases: opened by a message to a support address, answered within the service level of their category."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kundebase.core import audit
from kundebase.core.errors import ErrorCollector, NotFound
from kundebase.service.models import Case, Priority, SlaRule

_remembered: ContextVar[list[tuple[str, str, str, int]] | None] = ContextVar("service_levels", default=None)


def _rules() -> list[tuple[str, str, str, int]]:
    """The service-level table, ``(category, name, priority, hours)`` (read once inside :func:`remembered`)."""
    rows = _remembered.get()
    if rows is None:
        rows = list(SlaRule.objects.order_by("id").values_list("category", "category_name", "priority", "hours"))
    return rows


@contextmanager
def remembered() -> Iterator[None]:
    """Within the block the service-level table is read once: a batch of fetched messages opens many cases."""
    token = _remembered.set(_rules())
    try:
        yield
    finally:
        _remembered.reset(token)


def due_at(category: str, priority: str, start: dt.datetime) -> dt.datetime | None:
    """When an answer is due: the rule for the category and priority, else the priority's rule for any category."""
    rules = {slug: hours for slug, _name, level, hours in _rules() if level == priority and slug in (category, "")}
    hours = rules.get(category, rules.get(""))
    return start + dt.timedelta(hours=hours) if hours is not None else None


def categories() -> list[tuple[str, str]]:
    """The categories the service levels name, ``(slug, name)``."""
    seen: dict[str, str] = {}
    for slug, name, _level, _hours in _rules():
        if slug:
            seen.setdefault(slug, name or slug)
    return sorted(seen.items())


def suggest_category(text: str) -> str:
    """The first category whose words occur in the text (the text intelligence's term table), or ``""``."""
    from kundebase.analytics.text.interests import matching_categories

    known = categories()
    found = matching_categories(text, [(i, slug, name) for i, (slug, name) in enumerate(known)])
    return known[found[0]][0] if found else ""


def open_case(*, party_id: int | None, subject: str, text: str, mailbox: Any = None, channel: str = "email",
              opened_at: dt.datetime | None = None) -> Case:
    start = opened_at or timezone.now()
    category = suggest_category(f"{subject}\n{text}")
    case = Case.objects.create(party_id=party_id, subject=subject[:300], channel=channel, category=category,
                               priority=Priority.NORMAL, mailbox=mailbox,
                               due_at=due_at(category, Priority.NORMAL, start))
    audit.record(action="create", actor=None, entity="case", record_id=case.pk, party_id=party_id, channel="mail",
                 fields=["subject", "category", "priority"])
    return case


def reopen_for_customer(case: Case) -> None:
    """The customer wrote again: a case waiting for them is open again and due within its service level."""
    if case.status == Case.Status.PENDING:
        case.status = Case.Status.OPEN
        case.due_at = due_at(case.category, case.priority, timezone.now())
        case.save(update_fields=["status", "due_at", "updated_at"])


@transaction.atomic
def update_case(*, case_id: int, changes: dict[str, Any], actor: object = None, channel: str = "web") -> Case:
    """Change status, priority, category or assignee; the due time follows a new category or priority."""
    from django.contrib.auth import get_user_model

    case = Case.objects.select_for_update().filter(pk=case_id).first()
    if case is None:
        raise NotFound(_("Case"), case_id)
    errors = ErrorCollector()
    fields: list[str] = []
    if "status" in changes:
        if changes["status"] not in Case.Status.values:
            errors.add("status", _("%(v)s is not one of: %(c)s") % {"v": changes["status"],
                                                                   "c": ", ".join(Case.Status.values)},
                       "invalid_choice")
        else:
            case.status = changes["status"]
            case.closed_at = timezone.now() if case.status == Case.Status.CLOSED else None
            fields += ["status", "closed_at"]
    if "priority" in changes:
        if changes["priority"] not in Priority.values:
            errors.add("priority", _("%(v)s is not one of: %(c)s") % {"v": changes["priority"],
                                                                     "c": ", ".join(Priority.values)},
                       "invalid_choice")
        else:
            case.priority = changes["priority"]
            fields.append("priority")
    if "category" in changes:
        value = str(changes["category"] or "")
        if value and value not in dict(categories()):
            errors.add("category", _("%(v)s is not a category with a service level") % {"v": value},
                       "invalid_choice")
        else:
            case.category = value
            fields.append("category")
    if "assigned_to_id" in changes:
        user_id = changes["assigned_to_id"]
        if user_id not in (None, "") and not get_user_model().objects.filter(pk=user_id, is_active=True).exists():
            errors.add("assigned_to_id", _("User %(id)s does not exist") % {"id": user_id}, "not_found")
        else:
            case.assigned_to_id = int(user_id) if user_id not in (None, "") else None
            fields.append("assigned_to")
    errors.raise_if_any()
    if {"priority", "category"} & set(fields):
        case.due_at = due_at(case.category, case.priority, case.created_at)
        fields.append("due_at")
    case.save()
    audit.record(action="change", actor=actor, entity="case", record_id=case.pk, party_id=case.party_id,
                 channel=channel, fields=sorted(set(fields)))
    return case


def case_list(*, status: str = "", assigned_to: int | None = None, category: str = "", priority: str = "",
              overdue: bool = False, party_id: int | None = None, escalated: bool = False) -> QuerySet[Case]:
    """Cases for the list page and the API, soonest due first; ``status="active"`` is open or pending."""
    qs = Case.objects.select_related("party", "assigned_to")
    if status == "active":
        qs = qs.exclude(status=Case.Status.CLOSED)
    elif status:
        qs = qs.filter(status=status)
    if assigned_to is not None:
        qs = qs.filter(assigned_to_id=assigned_to)
    if category:
        qs = qs.filter(category=category)
    if priority:
        qs = qs.filter(priority=priority)
    if party_id is not None:
        qs = qs.filter(party_id=party_id)
    if overdue:
        qs = qs.filter(due_at__lt=timezone.now()).exclude(status=Case.Status.CLOSED)
    if escalated:
        qs = qs.filter(escalated_at__isnull=False)
    return qs.order_by("due_at", "id")
