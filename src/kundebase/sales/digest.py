"""The daily task digest: one e-mail per user with open tasks due today or overdue (and, for a manager, those
of their team), sent over the configured SMTP server (``KUNDEBASE_SMTP_URL``) by ``kundebase sales digest``.

Users without an e-mail address or without tasks get nothing; one refused recipient does not stop the others.
"""

from __future__ import annotations

import datetime as dt
import smtplib
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any
from urllib.parse import urlparse

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kundebase.sales.models import Task, TeamMembership

LIMIT = 100
"""Tasks listed per person and section; the count above the list covers all of them."""


@dataclass
class DigestResult:
    sent: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    skipped: int = 0


def default_sender() -> str:
    host = urlparse(str(settings.KUNDEBASE_BASE_URL)).hostname or "localhost"
    return f"kundebase@{host}"


def _line(task: Task, *, now: dt.datetime, owner: bool = False) -> str:
    due = timezone.localtime(task.due_at)
    when = due.strftime("%H:%M") if due.date() == now.date() else due.strftime("%Y-%m-%d %H:%M")
    parts = [when, task.title]
    if task.party_id and task.party is not None:
        parts.append(task.party.display_name)
    if task.deal_id and task.deal is not None:
        parts.append(task.deal.title)
    if owner:
        parts.append(task.assigned_to.get_username())
    return "- " + " · ".join(parts)


def compose(user: Any, *, now: dt.datetime | None = None) -> EmailMessage | None:
    """The digest for one user, or ``None`` when they have nothing due (or no address)."""
    if not user.email:
        return None
    now = timezone.localtime(now or timezone.now())
    end = (now + dt.timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    due = Task.objects.filter(completed_at__isnull=True, due_at__lt=end).select_related("party", "deal",
                                                                                        "assigned_to")
    own = list(due.filter(assigned_to=user).order_by("due_at", "id")[:LIMIT])
    team = list(due.filter(assigned_to__in=TeamMembership.objects.filter(manager=user).values("member_id"))
                .order_by("due_at", "id")[:LIMIT])
    if not own and not team:
        return None
    start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    overdue = [t for t in own if t.due_at < start]
    today = [t for t in own if t.due_at >= start]
    lines = [_("Good morning, %(n)s.") % {"n": user.get_full_name() or user.get_username()}, ""]
    if overdue:
        lines += [_("Overdue (%(n)d)") % {"n": len(overdue)}, *(_line(t, now=now) for t in overdue), ""]
    if today:
        lines += [_("Due today (%(n)d)") % {"n": len(today)}, *(_line(t, now=now) for t in today), ""]
    if team:
        lines += [_("Your team's tasks due (%(n)d)") % {"n": len(team)},
                  *(_line(t, now=now, owner=True) for t in team), ""]
    lines.append(_("Your tasks: %(url)s") % {"url": settings.KUNDEBASE_BASE_URL + reverse("sales:tasks")})
    message = EmailMessage()
    message["To"] = user.email
    message["Subject"] = _("Your tasks for %(d)s: %(n)d due") % {"d": now.date().isoformat(),
                                                                 "n": len(own) + len(team)}
    message.set_content("\n".join(lines))
    return message


def send_digests(*, sender: str | None = None, language: str | None = None, now: dt.datetime | None = None,
                 smtp_url: str | None = None) -> DigestResult:
    """Compose and send every user's digest over one SMTP session."""
    from kundebase.marketing.mailer import Mailer

    result = DigestResult()
    users = (get_user_model().objects.filter(is_active=True).exclude(email="")
             .filter(Q(tasks__completed_at__isnull=True) | Q(sales_team__isnull=False)).distinct().order_by("pk"))
    with translation.override(language or settings.LANGUAGE_CODE), Mailer(smtp_url) as mailer:
        for user in users:
            if not user.has_perm("sales.view_task"):
                continue
            message = compose(user, now=now)
            if message is None:
                result.skipped += 1
                continue
            message["From"] = sender or default_sender()
            try:
                mailer.send(message)
            except smtplib.SMTPRecipientsRefused:
                result.refused.append(user.email)
            else:
                result.sent.append(user.email)
    return result
