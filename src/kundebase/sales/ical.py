"""A user's open tasks as an iCalendar feed (RFC 5545), so they show in the phone's calendar."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from icalendar import Calendar, Event

from kundebase.sales.models import Task

TASK_LENGTH = dt.timedelta(minutes=30)
FEED_DAYS_BACK = 30
"""Open tasks due up to this many days ago are still in the feed (overdue work should stay visible)."""


def feed(user: Any, *, host: str = "kundebase") -> bytes:
    from django.utils import timezone

    since = timezone.now() - dt.timedelta(days=FEED_DAYS_BACK)
    cal = Calendar()
    cal.add("prodid", "-//Kundebase//Tasks//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"Kundebase: {user.get_username()}")
    tasks = (Task.objects.filter(assigned_to=user, completed_at__isnull=True, due_at__gte=since)
             .select_related("party", "deal").order_by("due_at", "id")[:1000])
    for task in tasks:
        event = Event()
        event.add("uid", f"task-{task.pk}@{host}")
        event.add("summary", task.title)
        event.add("dtstart", task.due_at)
        event.add("dtend", task.due_at + TASK_LENGTH)
        event.add("dtstamp", task.updated_at)
        event.add("priority", {"high": 1, "normal": 5, "low": 9}.get(task.priority, 5))
        lines = [task.notes] if task.notes else []
        if task.party is not None:
            lines.append(task.party.display_name)
        if task.deal is not None:
            lines.append(task.deal.title)
        if lines:
            event.add("description", "\n".join(lines))
        base = getattr(settings, "KUNDEBASE_BASE_URL", "") or ""
        if base and task.party_id:
            event.add("url", f"{base.rstrip('/')}/customers/{task.party_id}/")
        cal.add_component(event)
    return cal.to_ical()
