"""Deals in pipelines of stages, their stage history, tasks and the per-user calendar feed secret."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from kundebase.core.models import TimeStamped


class ExchangeRate(models.Model):
    """How many units of the base currency one unit of ``currency`` is worth; deals in a currency without a
    rate are refused, so pipeline sums in the base currency are never a mix of currencies."""

    currency = models.CharField(_("currency"), max_length=3, unique=True)
    rate = models.DecimalField(_("rate to the base currency"), max_digits=18, decimal_places=8)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        ordering = ["currency"]

    def __str__(self) -> str:
        return f"{self.currency} {self.rate}"


class Pipeline(TimeStamped):
    name = models.CharField(_("name"), max_length=120, unique=True)
    is_default = models.BooleanField(_("default"), default=False)

    class Meta:
        verbose_name = _("pipeline")
        verbose_name_plural = _("pipelines")
        ordering = ["-is_default", "name"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        from django.utils.translation import gettext

        return gettext(self.name) if self.name else ""


class Stage(models.Model):
    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="stages")
    name = models.CharField(_("name"), max_length=120)
    position = models.PositiveSmallIntegerField(_("position"))
    probability = models.PositiveSmallIntegerField(_("default probability (%)"))

    class Meta:
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        ordering = ["pipeline", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["pipeline", "name"], name="stage_name_per_pipeline"),
            models.CheckConstraint(condition=models.Q(probability__lte=100), name="stage_probability_max"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The stage's name in the reader's language: the seeded names are message ids with a translation,
        names an administrator typed are shown as typed."""
        from django.utils.translation import gettext

        return gettext(self.name) if self.name else ""


DEFAULT_PIPELINE = gettext_noop("Sales")
DEFAULT_STAGES = [(gettext_noop("Lead"), 10), (gettext_noop("Qualified"), 25), (gettext_noop("Proposal"), 50),
                  (gettext_noop("Negotiation"), 75)]
"""The pipeline and stages every installation starts with (seeded by migration 0002; the names are message ids
so readers see them in their language)."""


class LostReason(models.TextChoices):
    PRICE = "price", _("Price")
    COMPETITOR = "competitor", _("Chose a competitor")
    NO_BUDGET = "no_budget", _("No budget")
    NO_DECISION = "no_decision", _("No decision")
    TIMING = "timing", _("Bad timing")
    PRODUCT_FIT = "product_fit", _("Product does not fit")
    OTHER = "other", _("Other")


class Deal(TimeStamped):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        WON = "won", _("Won")
        LOST = "lost", _("Lost")

    title = models.CharField(_("title"), max_length=200)
    party = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="deals",
                              verbose_name=_("customer"))
    contact_person = models.ForeignKey("parties.Person", null=True, blank=True, on_delete=models.SET_NULL,
                                       related_name="deals_as_contact", verbose_name=_("contact person"))
    pipeline = models.ForeignKey(Pipeline, on_delete=models.PROTECT, related_name="deals")
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="deals")
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2, default=Decimal("0"))
    currency = models.CharField(_("currency"), max_length=3)
    # The amount in the base currency at the rate of the last write: boards and reports sum it directly.
    amount_base = models.DecimalField(_("amount in base currency"), max_digits=16, decimal_places=2,
                                      default=Decimal("0"))
    expected_close_on = models.DateField(_("expected close date"), null=True, blank=True)
    probability = models.PositiveSmallIntegerField(_("probability (%)"))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="deals", verbose_name=_("owner"))
    campaign = models.ForeignKey("marketing.Campaign", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="deals", verbose_name=_("source campaign"))
    status = models.CharField(_("status"), max_length=4, choices=Status.choices, default=Status.OPEN)
    lost_reason = models.CharField(_("lost reason"), max_length=12, choices=LostReason.choices, blank=True)
    close_note = models.CharField(_("note"), max_length=300, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    stage_entered_at = models.DateTimeField(_("in stage since"), default=timezone.now)

    class Meta:
        verbose_name = _("deal")
        verbose_name_plural = _("deals")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["pipeline", "status", "stage"], name="deal_board"),
                   models.Index(fields=["owner", "status"], name="deal_owner")]
        permissions = [("view_all_deals", _("See and change every salesperson's deals and tasks"))]

    def __str__(self) -> str:
        return self.title

    @property
    def weighted_amount(self) -> Decimal:
        return (self.amount_base * self.probability / 100).quantize(Decimal("0.01"))


class StageChange(models.Model):
    """One row per move (creation, stage change, won, lost): conversion and velocity are read from here."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.ForeignKey(Stage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    to_stage = models.ForeignKey(Stage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(_("status"), max_length=4, choices=Deal.Status.choices)
    changed_at = models.DateTimeField(_("time"), default=timezone.now)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")
        ordering = ["changed_at", "id"]
        indexes = [models.Index(fields=["deal", "changed_at"], name="stagechange_deal")]


class Task(TimeStamped):
    class Priority(models.TextChoices):
        LOW = "low", _("Low")
        NORMAL = "normal", _("Normal")
        HIGH = "high", _("High")

    title = models.CharField(_("title"), max_length=200)
    notes = models.TextField(_("notes"), blank=True)
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tasks",
                                    verbose_name=_("assigned to"))
    due_at = models.DateTimeField(_("due"))
    priority = models.CharField(_("priority"), max_length=6, choices=Priority.choices, default=Priority.NORMAL)
    party = models.ForeignKey("parties.Party", null=True, blank=True, on_delete=models.CASCADE,
                              related_name="tasks", verbose_name=_("customer"))
    deal = models.ForeignKey(Deal, null=True, blank=True, on_delete=models.CASCADE, related_name="tasks",
                             verbose_name=_("deal"))
    interaction = models.OneToOneField("interactions.Interaction", null=True, blank=True,
                                       on_delete=models.SET_NULL, related_name="task")
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["due_at", "id"]
        indexes = [models.Index(fields=["assigned_to", "completed_at", "due_at"], name="task_mine")]

    def __str__(self) -> str:
        return self.title


class CalendarFeed(models.Model):
    """The secret in a user's calendar feed URL; a phone's calendar cannot sign in, so the URL is the key."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed")
    secret = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")


class Invoice(TimeStamped):
    """One invoice of the imported accounts-receivable ledger (in the base currency), with what is paid on it;
    re-importing the same invoice number updates it."""

    party = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="invoices",
                              verbose_name=_("customer"))
    invoice_number = models.CharField(_("invoice number"), max_length=60, unique=True)
    issued_on = models.DateField(_("invoice date"))
    due_on = models.DateField(_("due date"))
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    paid = models.DecimalField(_("paid"), max_digits=14, decimal_places=2, default=Decimal("0"))
    source = models.CharField(_("source"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["party", "due_on"], name="invoice_party_due")]
        constraints = [models.CheckConstraint(condition=models.Q(paid__lte=models.F("amount")),
                                              name="invoice_paid_within_amount")]

    @property
    def open_amount(self) -> Decimal:
        return self.amount - self.paid
