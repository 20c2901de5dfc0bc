"""What the web application itself must remember: sign-in throttling and each user's open sessions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class LoginThrottle(models.Model):
    """Recent failed sign-ins for one key (``user:<name>``, ``ip:<address>`` or ``pair:<address>|<name>``).

    Kept in the database rather than a per-process cache, so every server worker sees the same
    count and a restart does not reset an attack in progress.
    """

    key = models.CharField(max_length=200, unique=True)
    failures = models.PositiveIntegerField(default=0)
    last_failure_at = models.DateTimeField(default=timezone.now, db_index=True)
    locked_until = models.DateTimeField(null=True, blank=True)


class UserSession(models.Model):
    """One signed-in session of a user, so "log out everywhere" can end them all without scanning every session."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="web_sessions")
    session_key = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    ip = models.CharField(max_length=64, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
