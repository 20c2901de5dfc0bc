"""Object-level rules: a salesperson sees and changes their own deals and tasks, a manager also those of their
team's members (:class:`~kundebase.sales.models.TeamMembership`); ``sales.view_all_deals`` (administrators)
sees everyone's.  API routes and pages both filter through here, so a deal that is not yours
is a 404 everywhere rather than a 403 that confirms it exists."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from kundebase.core.errors import NotFound
from kundebase.sales.models import Deal, Task, TeamMembership

SEE_ALL = "sales.view_all_deals"


def sees_all(user: Any) -> bool:
    return bool(user is None or getattr(user, "has_perm", lambda _p: False)(SEE_ALL))


def team_member_ids(user: Any) -> Any:
    """A subquery of the users ``user`` manages (empty for anyone who manages no one)."""
    return TeamMembership.objects.filter(manager_id=getattr(user, "pk", None)).values("member_id")


def sees_others(user: Any) -> bool:
    """Whether the user sees deals or tasks of anyone else (an administrator, or a manager with a team): pages
    then name each deal's owner."""
    return sees_all(user) or TeamMembership.objects.filter(manager_id=getattr(user, "pk", None)).exists()


def may_act_for(user: Any, user_id: int | None) -> bool:
    """Whether ``user`` may own a deal or be assigned a task for ``user_id``: themself, their team, or anyone
    when they see all."""
    if sees_all(user) or user_id == getattr(user, "pk", None):
        return True
    return TeamMembership.objects.filter(manager_id=getattr(user, "pk", None), member_id=user_id).exists()


def deals_for(user: Any) -> QuerySet[Deal]:
    qs = Deal.objects.all()
    return qs if sees_all(user) else qs.filter(Q(owner=user) | Q(owner__in=team_member_ids(user)))


def tasks_for(user: Any) -> QuerySet[Task]:
    qs = Task.objects.all()
    return qs if sees_all(user) else qs.filter(Q(assigned_to=user) | Q(assigned_to__in=team_member_ids(user)))


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
