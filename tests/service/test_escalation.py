"""Escalation: an open case past its due time is raised one priority, handed to the escalation owner, noted on
the customer's timeline and marked in the case list — once per due time, however often the job runs."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

pytestmark = pytest.mark.django_db


def _case(customer: Any, subject: str, hours_ago: float, status: str = "open") -> Any:
    from kundebase.service import cases

    case = cases.open_case(party_id=customer.pk, subject=subject, text="Hei",
                           opened_at=timezone.now() - dt.timedelta(hours=hours_ago))
    if status != "open":
        case.status = status
        case.save()
    return case


def test_overdue_cases_are_escalated_once_and_shown_in_the_case_list(
        customer: Any, service_levels: None, make_user: Any, client: Any, settings: Any) -> None:
    from kundebase.core.models import AuditEntry
    from kundebase.interactions.models import Interaction
    from kundebase.service import cases, escalation

    lead = make_user("teamleder", "service")
    settings.KUNDEBASE_ESCALATE_TO = "teamleder"
    overdue = _case(customer, "Fakturaen er feil", hours_ago=30)  # due after 24 h
    fresh = _case(customer, "Spørsmål om levering", hours_ago=2)
    waiting = _case(customer, "Venter på kunden", hours_ago=30, status="pending")
    closed = _case(customer, "Løst", hours_ago=30, status="closed")

    assert escalation.escalate_due() == [overdue.pk]
    overdue.refresh_from_db()
    assert (overdue.priority, overdue.assigned_to_id) == ("high", lead.pk)
    assert overdue.escalated_at is not None and overdue.escalated_at >= overdue.due_at
    for untouched in (fresh, waiting, closed):
        untouched.refresh_from_db()
        assert untouched.priority == "normal" and untouched.escalated_at is None and untouched.assigned_to is None
    [note] = Interaction.objects.filter(party=customer, kind="note")
    assert f"Case #{overdue.pk} escalated" in note.body and "Normal → High" in note.body
    assert "teamleder" in note.body
    assert AuditEntry.objects.filter(entity="case", record_id=overdue.pk, actor="escalation").count() == 1

    # Idempotent: the job runs again and again, nothing more happens.
    assert escalation.escalate_due() == []
    assert escalation.escalate_due(now=timezone.now() + dt.timedelta(hours=1)) == []
    overdue.refresh_from_db()
    assert overdue.priority == "high"
    assert Interaction.objects.filter(party=customer, kind="note").count() == 1

    client.force_login(make_user("kari", "service"))
    page = client.get("/service/cases/").content.decode()
    assert page.count('class="warn escalated"') == 1 and "Fakturaen er feil" in page
    only = client.get("/service/cases/?escalated=1").content.decode()
    assert "Fakturaen er feil" in only and "Spørsmål om levering" not in only
    api = client.get("/api/v1/service/cases?escalated=true").json()
    assert [c["id"] for c in api["items"]] == [overdue.pk] and api["items"][0]["escalated_at"]

    # The customer writes again: a new due time, escalated again (to urgent) only when that one passes too.
    from kundebase.service.models import SlaRule

    SlaRule.objects.create(category="", priority="high", hours=8)
    cases.update_case(case_id=overdue.pk, changes={"status": "pending"})
    overdue.refresh_from_db()
    cases.reopen_for_customer(overdue)
    assert escalation.escalate_due() == []
    assert escalation.escalate_due(now=timezone.now() + dt.timedelta(hours=7)) == []
    assert escalation.escalate_due(now=timezone.now() + dt.timedelta(hours=9)) == [overdue.pk]
    overdue.refresh_from_db()
    assert overdue.priority == "urgent"


def test_escalation_without_an_owner_raises_priority_and_keeps_the_assignee(
        customer: Any, service_levels: None, make_user: Any, settings: Any) -> None:
    from kundebase.service import escalation

    settings.KUNDEBASE_ESCALATE_TO = ""
    kari = make_user("kari", "service")
    case = _case(customer, "Treg respons", hours_ago=48)
    case.assigned_to = kari
    case.priority = "urgent"
    case.save()
    assert escalation.escalate_due() == [case.pk]
    case.refresh_from_db()
    assert case.priority == "urgent" and case.assigned_to_id == kari.pk and case.escalated_at is not None
