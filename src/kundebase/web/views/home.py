"""The home dashboard: what this user has to do today, what happened lately, and a few key numbers."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from kundebase.interactions.models import Interaction
from kundebase.interactions.services import open_follow_ups
from kundebase.orders.models import Order
from kundebase.parties.models import Party
from kundebase.web import panels, todo
from kundebase.web.access import requires, signed_in_user

DUE_AHEAD = dt.timedelta(days=7)
RECENT = 10


@requires()
def dashboard(request: HttpRequest) -> HttpResponse:
    """Each section appears only for roles that may read it, and is then read with one query."""
    user = signed_in_user(request)
    today = timezone.localdate()
    ctx: dict[str, object] = {"today": today}
    sees_customers = user.has_perms(("parties.view_party", "parties.view_contactpoint"))
    if user.has_perm("interactions.view_interaction") and sees_customers:
        ctx["follow_ups"] = list(open_follow_ups(user=user, due_by=today + DUE_AHEAD)[:20])
        # Newest logged first (the primary key), which needs no index on the time column.
        recent = list(Interaction.objects.filter(handled_by=user).select_related("party").order_by("-id")[:RECENT])
        ctx["recent_mine"] = bool(recent)
        ctx["recent"] = recent or list(Interaction.objects.select_related("party").order_by("-id")[:RECENT])
    if user.has_perm("parties.view_party"):
        ctx["customers"] = Party.objects.filter(merged_into__isnull=True).aggregate(
            total=Count("id"), active=Count("id", filter=Q(status="active")),
            prospects=Count("id", filter=Q(status="prospect")))
    if user.has_perm("orders.view_order"):
        start = timezone.make_aware(dt.datetime.combine(today.replace(day=1), dt.time()))
        ctx["month"] = Order.objects.filter(ordered_at__gte=start).aggregate(
            revenue=Sum("revenue"), cost=Sum("cost"), orders=Count("id"))
        month = ctx["month"]
        month["margin"] = (month["revenue"] or 0) - (month["cost"] or 0)  # type: ignore[index]
    if user.has_perm("interactions.view_interaction"):
        week_ago = timezone.now() - dt.timedelta(days=7)
        ctx["logged_this_week"] = Interaction.objects.filter(created_at__gte=week_ago).count()
    ctx["panels"] = panels.for_request(request)
    ctx["todo"] = todo.for_user(user)
    return render(request, "web/dashboard.html", ctx)
