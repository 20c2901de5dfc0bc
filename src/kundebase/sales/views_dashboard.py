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


def credit_panel(request: HttpRequest, party: Any) -> dict[str, Any] | None:
    """The customer page's credit section: shown to those who read the ledger, for a customer with invoices
    or a credit limit."""
    if not request.user.has_perm("sales.view_invoice"):
        return None
    from kundebase.sales.credit import position
    from kundebase.sales.models import Invoice

    if getattr(party, "credit_limit", None) is None and not Invoice.objects.filter(party_id=party.pk).exists():
        return None
    from kundebase.parties.models import DunningStatus

    pos = position(party.pk)
    return {"pos": pos, "level": DunningStatus(pos.dunning_level).label,
            "recorded": DunningStatus(pos.recorded_dunning_status).label
            if pos.recorded_dunning_status in DunningStatus.values else pos.recorded_dunning_status}


def register_customer_panel() -> None:
    from kundebase.web.panels import CustomerPanel, register_customer

    register_customer(CustomerPanel("sales-credit", "sales/customer_credit.html", credit_panel))
