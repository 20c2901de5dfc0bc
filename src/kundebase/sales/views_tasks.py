"""Pages of tasks: my tasks with a form for a new one, marking one done, and the calendar feed by secret URL."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kundebase.core.errors import DomainError
from kundebase.sales import ical, services
from kundebase.sales.access import sees_others, team_member_ids
from kundebase.sales.forms import TaskForm
from kundebase.sales.models import CalendarFeed, Task
from kundebase.web.access import public, require, requires, signed_in_user
from kundebase.web.forms import place_errors
from kundebase.web.redirects import back


def due_lists(user: User) -> dict[str, Any]:
    """The user's open tasks due today and those overdue, read with one query (the dashboard shows both)."""
    now = timezone.localtime()
    start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    end = start + dt.timedelta(days=1)
    due = list(Task.objects.filter(assigned_to=user, completed_at__isnull=True, due_at__lt=end)
               .select_related("party", "deal").order_by("due_at", "id")[:100])
    return {"now": now, "overdue": [t for t in due if t.due_at < start],
            "today": [t for t in due if t.due_at >= start]}


@requires("sales.view_task")
def tasks(request: HttpRequest) -> HttpResponse:
    form = TaskForm(request.POST or None)
    if request.method == "POST":
        require(request, "sales.add_task")
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
            try:
                task = services.create_task(data=data, actor=request.user)
            except DomainError as exc:
                place_errors(form, exc)
            else:
                messages.success(request, _("The task is added."))
                if task.deal_id:
                    return back(request, "/sales/tasks/")
                return redirect("sales:tasks")
    user = signed_in_user(request)
    upcoming = (Task.objects.filter(assigned_to=user, completed_at__isnull=True)
                .select_related("party", "deal").order_by("due_at", "id")[:200])
    feed = CalendarFeed.objects.filter(user=user).first()
    team = (Task.objects.filter(assigned_to__in=team_member_ids(user), completed_at__isnull=True)
            .select_related("party", "deal", "assigned_to").order_by("due_at", "id")[:200])
    return render(request, "sales/tasks.html", {
        "form": form, "upcoming": upcoming, "team_tasks": team, "feed": feed,
        "sees_all": sees_others(request.user),
        "now": timezone.now(), "next": request.get_full_path()}, status=422 if form.errors else 200)


@requires("sales.change_task")
@require_POST
def task_done(request: HttpRequest, task_id: int) -> HttpResponse:
    services.complete_task(task_id=task_id, actor=request.user, channel="web")
    messages.success(request, _("The task is done."))
    return back(request, "/sales/tasks/")


@requires("sales.view_task")
@require_POST
def calendar_rotate(request: HttpRequest) -> HttpResponse:
    """Make (or replace) the user's calendar feed secret; the old URL stops working at once."""
    services.calendar_secret(request.user, rotate=True)
    messages.success(request, _("Your calendar address is new; subscribe to it again on your devices."))
    return redirect("sales:tasks")


@public
def calendar_feed(request: HttpRequest, secret: str) -> HttpResponse:
    """The secret in the URL is the key (calendar apps cannot sign in); an unknown secret is a plain 404."""
    feed = CalendarFeed.objects.select_related("user").filter(secret=secret[:64]).first() if secret else None
    if feed is None or not feed.user.is_active or not feed.user.has_perm("sales.view_task"):
        raise Http404(_("No such calendar"))
    response = HttpResponse(ical.feed(feed.user, host=request.get_host().split(":")[0]),
                            content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    response["Content-Disposition"] = 'inline; filename="kundebase-tasks.ics"'
    return response
