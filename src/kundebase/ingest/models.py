"""Where customer data comes in: named sources, import jobs with their rows, raw events and identities.

Job and row state live in the database (not in a worker's memory) so that an
import killed half-way resumes from the last committed chunk, and a file seen
before is recognised by its content hash and changes nothing.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kundebase.core.models import TimeStamped


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class Source(TimeStamped):
    """A named origin of customer data (a web shop, a fair's visitor list, a phone's contacts).

    Event clients authenticate with the source's write key; only its SHA-256 is kept.
    """

    name = models.CharField(_("name"), max_length=120, unique=True)
    key_digest = models.CharField(max_length=64, unique=True, null=True, blank=True)
    key_prefix = models.CharField(max_length=8, blank=True)
    priority = models.PositiveSmallIntegerField(
        _("priority"), default=50, help_text=_("Higher wins when sources disagree (survivorship)"))
    verified = models.BooleanField(_("verified source"), default=False)
    active = models.BooleanField(_("active"), default=True)
    maintenance_until = models.DateTimeField(
        _("maintenance until"), null=True, blank=True,
        help_text=_("Until then the event API answers 503 for this source, so clients keep and retry events"))
    refused_count = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def issue_key(self) -> str:
        """A new write key (shown once); the previous one stops working."""
        key = "wk_" + secrets.token_urlsafe(24)
        self.key_digest = key_digest(key)
        self.key_prefix = key[:8]
        return key


class MappingTemplate(TimeStamped):
    """A saved column mapping (file column → Kundebase field) for one source and entity, reused on the next file."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="mappings")
    name = models.CharField(_("name"), max_length=120)
    entity = models.CharField(_("entity"), max_length=20)
    columns = models.JSONField(_("columns"), default=dict)
    options = models.JSONField(_("options"), default=dict, blank=True)

    class Meta:
        verbose_name = _("mapping template")
        verbose_name_plural = _("mapping templates")
        constraints = [models.UniqueConstraint(fields=["source", "name"], name="uniq_mapping_per_source")]

    def __str__(self) -> str:
        return f"{self.source.name}/{self.name}"


class ImportJob(TimeStamped):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Running")
        PAUSED = "paused", _("Paused")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    class Phase(models.TextChoices):
        """What the running import is doing now, as its page and the command line say it."""

        READING = "reading", _("Reading the file")
        LINKING = "linking", _("Checking the whole file for duplicates")
        WRITING = "writing", _("Checking for duplicates and writing")
        FINISHING = "finishing", _("Summing up")
        DONE = "done", _("Finished")

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="imports")
    entity = models.CharField(_("entity"), max_length=20)
    file_name = models.CharField(_("file"), max_length=300)
    file_path = models.CharField(max_length=500, blank=True)
    file_format = models.CharField(_("format"), max_length=10)
    content_hash = models.CharField(max_length=64, db_index=True)
    mapping = models.JSONField(default=dict)
    options = models.JSONField(default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    total_rows = models.PositiveIntegerField(null=True, blank=True)
    rows_done = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(_("new"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    unchanged_count = models.PositiveIntegerField(_("unchanged"), default=0)
    review_count = models.PositiveIntegerField(_("possible duplicates"), default=0)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    quarantine_count = models.PositiveIntegerField(_("quarantined"), default=0)
    message = models.TextField(blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    phase = models.CharField(_("phase"), max_length=10, choices=Phase.choices, default=Phase.READING)
    run_started_at = models.DateTimeField(null=True, blank=True)
    run_rows_start = models.PositiveIntegerField(default=0)
    """Where the current run (the first, or a resumption) began: the rate and the time left are this run's."""
    finished_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["source", "entity", "content_hash"],
                                               name="uniq_import_per_file")]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.status})"

    @property
    def progress(self) -> float:
        if not self.total_rows:
            return 1.0 if self.status == self.Status.DONE else 0.0
        return min(1.0, self.rows_done / self.total_rows)

    def rate(self, now: datetime | None = None) -> float | None:
        """Rows per second of the current run, or ``None`` before a chunk of it was written."""
        if self.run_started_at is None or self.rows_done <= self.run_rows_start:
            return None
        seconds = ((now or timezone.now()) - self.run_started_at).total_seconds()
        return (self.rows_done - self.run_rows_start) / seconds if seconds > 0 else None

    def seconds_left(self, now: datetime | None = None) -> float | None:
        """The time left at the current run's rate, while it runs."""
        rate = self.rate(now)
        if self.status != self.Status.RUNNING or not rate or self.total_rows is None:
            return None
        return max(0.0, (self.total_rows - self.rows_done) / rate)


class ImportRow(models.Model):
    """One row of an import: its outcome and a fingerprint, so re-running the same row changes nothing."""

    class Outcome(models.TextChoices):
        CREATED = "created", _("New")
        UPDATED = "updated", _("Updated")
        UNCHANGED = "unchanged", _("Unchanged")
        REVIEW = "review", _("Possible duplicate")
        ERROR = "error", _("Error")
        QUARANTINE = "quarantine", _("Quarantined")

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="rows")
    line = models.PositiveIntegerField()
    fingerprint = models.CharField(max_length=64)
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    record_id = models.BigIntegerField(null=True, blank=True)
    raw = models.JSONField(default=dict, blank=True)
    problems = models.JSONField(default=list, blank=True)
    candidates = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "line"], name="uniq_import_row")]
        indexes = [models.Index(fields=["job", "outcome"], name="importrow_outcome"),
                   models.Index(fields=["fingerprint"], name="importrow_fp")]


class Event(models.Model):
    """A raw event as a tracking client sent it; stored before it is acknowledged, processed afterwards.

    Processed with an ``error``: a dead letter, set aside until it is retried or discarded.
    """

    # no index of its own: the unique (source, message_id) and the (source, anonymous_id) indexes both begin
    # with the source, and every index an event has is written again when it is marked processed
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="events", db_index=False)
    message_id = models.CharField(max_length=200)
    type = models.CharField(max_length=10)
    user_id = models.CharField(max_length=200, blank=True)
    anonymous_id = models.CharField(max_length=200, blank=True)
    payload = models.JSONField()
    received_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)
    """Indexed only where it is empty (``event_waiting``): the queue is all that is ever looked up by it."""
    party_id = models.BigIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    claimed_by = models.CharField(max_length=40, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    """Which worker holds the event (SQLite, which has no ``SKIP LOCKED``): a claim older than
    ``events.CLAIM_TIMEOUT`` is a crashed worker's and is taken over."""

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "message_id"], name="uniq_event_message")]
        indexes = [models.Index(fields=["source", "anonymous_id"], name="event_anon"),
                   # the queue, oldest first: the waiting events only, so a processed event leaves it and the
                   # claim walks it in order (an index of every event's processed_at grew with the history)
                   models.Index(fields=["id"], condition=models.Q(processed_at__isnull=True), name="event_waiting"),
                   # the events of user ids not known yet, which their user's identify joins to the timeline
                   models.Index(fields=["source", "user_id"], name="event_user_waiting",
                                condition=models.Q(party_id__isnull=True) & ~models.Q(user_id="")),
                   # the dead letters (events processed with an error): few, listed and retried by id
                   models.Index(fields=["id"], condition=~models.Q(error=""), name="event_dead")]


class Identity(models.Model):
    """Which customer an outside identifier (userId, anonymousId, group id) belongs to."""

    class Kind(models.TextChoices):
        USER = "user", _("User id")
        ANONYMOUS = "anonymous", _("Anonymous id")
        GROUP = "group", _("Group id")

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="identities")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    value = models.CharField(max_length=200)
    party_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "kind", "value"], name="uniq_identity")]
