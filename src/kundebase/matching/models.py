"""What matching keeps: trained models, blocking keys, runs, the review queue, merges."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class MatchModel(models.Model):
    """One trained Fellegi–Sunter model (m and u per comparison level, and the prior), per kind.

    The newest row of a kind is the one in force, at entry and in runs; older rows are kept so a
    score in the review queue can always be explained with the parameters that produced it.
    """

    kind = models.CharField(_("kind"), max_length=10)
    params = models.JSONField(_("parameters"))
    trained_at = models.DateTimeField(_("trained"), default=timezone.now)
    records = models.PositiveIntegerField(_("records"), default=0)

    class Meta:
        verbose_name = _("match model")
        verbose_name_plural = _("match models")
        indexes = [models.Index(fields=["kind", "-trained_at"], name="matchmodel_latest")]


class BlockingKey(models.Model):
    """An indexed blocking key of a customer: the entry check finds candidates through these."""

    party = models.ForeignKey("parties.Party", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255, db_index=True)

    class Meta:
        verbose_name = _("blocking key")
        verbose_name_plural = _("blocking keys")
        indexes = [models.Index(fields=["party"], name="blockingkey_party")]


class PendingParty(models.Model):
    """A customer created or changed since the last run: the incremental run scores these."""

    party_id = models.BigIntegerField(primary_key=True)
    queued_at = models.DateTimeField(default=timezone.now)


class MatchSettings(models.Model):
    """The administrator's choices for runs (a single row)."""

    auto_merge = models.BooleanField(_("merge automatically above the high threshold"), default=False)
    auto_merge_threshold = models.FloatField(_("automatic merge threshold"), default=0.995)
    review_threshold = models.FloatField(_("review threshold"), default=0.5)

    class Meta:
        verbose_name = _("matching settings")
        verbose_name_plural = _("matching settings")

    @classmethod
    def current(cls) -> MatchSettings:
        obj, _created = cls.objects.get_or_create(pk=1)
        return obj


class MatchJob(models.Model):
    """A batch or incremental run, with its progress for the UI."""

    class Mode(models.TextChoices):
        FULL = "full", _("Full")
        INCREMENTAL = "incremental", _("Incremental")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    mode = models.CharField(_("mode"), max_length=12, choices=Mode.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    step = models.CharField(_("step"), max_length=40, blank=True)
    progress = models.FloatField(_("progress"), default=0.0)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    stats = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("match run")
        verbose_name_plural = _("match runs")
        ordering = ["-created_at"]


class ReviewPair(models.Model):
    """A pair the model is unsure about (or a decision about one): the review queue and its memory.

    A rejected pair is remembered, so no later run proposes it again.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        MERGED = "merged", _("Merged")
        REJECTED = "rejected", _("Not a duplicate")

    kind = models.CharField(max_length=10)
    left = models.ForeignKey("parties.Party", on_delete=models.CASCADE, related_name="+")
    right = models.ForeignKey("parties.Party", on_delete=models.CASCADE, related_name="+")
    probability = models.FloatField()
    benefit = models.FloatField(default=0.0, db_index=True)
    evidence = models.JSONField(default=list)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    job = models.ForeignKey(MatchJob, null=True, blank=True, on_delete=models.SET_NULL, related_name="pairs")
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.CharField(max_length=150, blank=True)

    class Meta:
        verbose_name = _("review pair")
        verbose_name_plural = _("review queue")
        constraints = [models.UniqueConstraint(fields=["left", "right"], name="uniq_review_pair")]
        ordering = ["-benefit", "-probability"]


class MergeRecord(models.Model):
    """Everything needed to undo one merge: both parties' rows and every row that was re-pointed."""

    survivor = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="+")
    merged = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="+")
    merged_at = models.DateTimeField(default=timezone.now)
    merged_by = models.CharField(max_length=150, blank=True)
    snapshot = models.JSONField()
    unmerged_at = models.DateTimeField(null=True, blank=True)
    unmerged_by = models.CharField(max_length=150, blank=True)

    class Meta:
        verbose_name = _("merge")
        verbose_name_plural = _("merges")
        ordering = ["-merged_at"]
