"""The dashboard's "My tasks" panel: due today and overdue, each with a button that completes it."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def tasks_panel(request: HttpRequest) -> dict[str, Any] | None:
    if not request.user.has_perm("sales.view_task"):
        return None
    from kundebase.sales.views_tasks import due_lists
    from kundebase.web.access import signed_in_user

    return due_lists(signed_in_user(request))


def register_panel() -> None:
    from kundebase.web.panels import Panel, register

    register(Panel("sales-tasks", "sales/dashboard_tasks.html", tasks_panel))
