"""Privacy records.  The audit log lives here because every other app writes to it."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    """Who viewed, exported, changed or erased which person's data, when and through which channel.

    Append-only and tamper-evident: each entry stores the SHA-256 of its own
    content together with the previous entry's hash, so an edited or deleted row
    breaks the chain (``kundebase audit verify``).  Field names are logged,
    never the sensitive values themselves.
    """

    class Action(models.TextChoices):
        VIEW = "view", _("Viewed")
        CREATE = "create", _("Created")
        CHANGE = "change", _("Changed")
        DELETE = "delete", _("Deleted")
        EXPORT = "export", _("Exported")
        ERASE = "erase", _("Erased")
        MERGE = "merge", _("Merged")
        UNMERGE = "unmerge", _("Unmerged")
        RESTRICT = "restrict", _("Restricted")
        LOGIN = "login", _("Signed in")
        LOGIN_FAILED = "login_failed", _("Sign-in failed")

    occurred_at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    entity = models.CharField(max_length=40, blank=True)
    record_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    party_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    channel = models.CharField(max_length=20, blank=True)
    fields = models.JSONField(default=list, blank=True)
    note = models.CharField(max_length=300, blank=True)
    previous_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["id"]
        permissions = [
            ("pseudonymised_only", "Sees pseudonymised identifiers only"),
        ]
