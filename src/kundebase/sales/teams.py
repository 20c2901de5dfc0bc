"""The one write path for sales teams: who manages whom (administrators set it; a manager then sees and works
on the team's deals and tasks, see :mod:`kundebase.sales.access`)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from kundebase.core import audit
from kundebase.core.errors import ErrorCollector, NotFound
from kundebase.sales.models import TeamMembership


@transaction.atomic
def set_manager(*, member_id: int, manager_id: int | None, actor: Any = None, channel: str = "api"
                ) -> TeamMembership | None:
    """Give ``member_id`` the manager ``manager_id``, or none (``None``): the member's earlier manager stops
    seeing their deals at once."""
    users = get_user_model().objects
    if not users.filter(pk=member_id, is_active=True).exists():
        raise NotFound(_("User"), member_id)
    errors = ErrorCollector()
    if manager_id is not None:
        if manager_id == member_id:
            errors.add("manager_id", _("A salesperson cannot manage themself"), "self")
        elif not users.filter(pk=manager_id, is_active=True).exists():
            errors.add("manager_id", _("User %(id)s does not exist") % {"id": manager_id}, "not_found")
    errors.raise_if_any()
    if manager_id is None:
        TeamMembership.objects.filter(member_id=member_id).delete()
        found = None
    else:
        found, _created = TeamMembership.objects.update_or_create(member_id=member_id,
                                                                  defaults={"manager_id": manager_id})
    audit.record(action="change", actor=actor, entity="team_membership", record_id=member_id, channel=channel)
    return found


def memberships() -> list[TeamMembership]:
    return list(TeamMembership.objects.select_related("member", "manager").order_by("manager__username",
                                                                                    "member__username"))
