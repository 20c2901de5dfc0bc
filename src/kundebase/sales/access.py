"""Object-level rules: a salesperson sees and changes their own deals and tasks; ``sales.view_all_deals``
(administrators) sees everyone's.  API routes and pages both filter through here, so a deal that is not yours
is a 404 everywhere rather than a 403 that confirms it exists."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from kundebase.core.errors import NotFound
from kundebase.sales.models import Deal, Task

SEE_ALL = "sales.view_all_deals"


def sees_all(user: Any) -> bool:
    return bool(user is None or getattr(user, "has_perm", lambda _p: False)(SEE_ALL))


def deals_for(user: Any) -> QuerySet[Deal]:
    qs = Deal.objects.all()
    return qs if sees_all(user) else qs.filter(owner=user)


def tasks_for(user: Any) -> QuerySet[Task]:
    qs = Task.objects.all()
    return qs if sees_all(user) else qs.filter(assigned_to=user)


def deal_or_404(user: Any, deal_id: int) -> Deal:
    deal = deals_for(user).select_related("party", "stage", "pipeline", "owner", "contact_person",
                                          "campaign").filter(pk=deal_id).first()
    if deal is None:
        raise NotFound(_("Deal"), deal_id)
    return deal


def task_or_404(user: Any, task_id: int) -> Task:
    task = tasks_for(user).select_related("party", "deal", "assigned_to").filter(pk=task_id).first()
    if task is None:
        raise NotFound(_("Task"), task_id)
    return task
