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
        # the board's count and sum per stage read from the index alone on PostgreSQL (include is ignored elsewhere)
        indexes = [models.Index(fields=["pipeline", "status", "stage"], include=["amount_base"], name="deal_board"),
                   # a board column's first cards, in the order shown, read from the index without a sort
                   models.Index(fields=["stage", "status", "expected_close_on", "id"], name="deal_stage_cards"),
                   models.Index(fields=["owner", "status"], name="deal_owner"),
                   # The forecast reads open deals by expected close date; win rate and cycle closed ones by time.
                   models.Index(fields=["status", "expected_close_on"], name="deal_forecast"),
                   models.Index(fields=["status", "closed_at"], name="deal_closed")]
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


class DunningLevel(models.TextChoices):
    """How far the reminders about a customer's overdue invoices have gone (the same values as a company's
    recorded dunning status, so the two can be compared and the worse one shown)."""

    NONE = "none", _("None")
    REMINDER_1 = "reminder_1", _("Reminder 1")
    REMINDER_2 = "reminder_2", _("Reminder 2")
    COLLECTION = "debt_collection", _("Debt collection")


class DunningRule(models.Model):
    """For the customers of one country: the payment terms a customer gets when none are recorded on it, and
    how many days past due an invoice must be for each dunning level (an administrator sets them)."""

    country = models.CharField(_("country"), max_length=2, unique=True)
    payment_terms_days = models.PositiveSmallIntegerField(_("payment terms (days)"))
    reminder_1_days = models.PositiveSmallIntegerField(_("reminder 1 after (days overdue)"))
    reminder_2_days = models.PositiveSmallIntegerField(_("reminder 2 after (days overdue)"))
    collection_days = models.PositiveSmallIntegerField(_("debt collection after (days overdue)"))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("dunning rule")
        verbose_name_plural = _("dunning rules")
        ordering = ["country"]
        constraints = [models.CheckConstraint(
            condition=models.Q(reminder_1_days__lt=models.F("reminder_2_days"),
                               reminder_2_days__lt=models.F("collection_days")),
            name="dunning_levels_in_order")]

    def __str__(self) -> str:
        return self.country

    def level(self, days_overdue: int) -> str:
        """The dunning level an invoice (or customer) this many days past due has reached."""
        if days_overdue <= 0:
            return DunningLevel.NONE
        if days_overdue >= self.collection_days:
            return DunningLevel.COLLECTION
        if days_overdue >= self.reminder_2_days:
            return DunningLevel.REMINDER_2
        if days_overdue >= self.reminder_1_days:
            return DunningLevel.REMINDER_1
        return DunningLevel.NONE


class CreditPolicy(models.Model):
    """The one row saying what new business over the credit limit, or for a customer in debt collection, gets:
    a warning (the default) or a refusal."""

    class Mode(models.TextChoices):
        WARN = "warn", _("Warn")
        REFUSE = "refuse", _("Refuse")

    mode = models.CharField(_("over the limit or in collection"), max_length=6, choices=Mode.choices,
                            default=Mode.WARN)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("credit policy")
        verbose_name_plural = _("credit policies")


class TeamMembership(models.Model):
    """A salesperson's manager: the manager sees (and works on) the member's deals and tasks as their own.
    One level: a manager's manager does not see through to the member."""

    member = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sales_manager",
                                  verbose_name=_("team member"))
    manager = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sales_team",
                                verbose_name=_("manager"))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("team membership")
        verbose_name_plural = _("team memberships")
        constraints = [models.CheckConstraint(condition=~models.Q(member=models.F("manager")),
                                              name="team_member_is_not_own_manager")]


class DealLine(models.Model):
    """A product on a deal: quantity times unit price (in the deal's currency). A deal with lines has their sum
    as its amount, kept by the service that writes the lines."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="lines", verbose_name=_("deal"))
    product = models.ForeignKey("orders.Product", on_delete=models.PROTECT, related_name="deal_lines",
                                verbose_name=_("product"))
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=3)
    unit_price = models.DecimalField(_("unit price"), max_digits=14, decimal_places=2)
    position = models.PositiveSmallIntegerField(_("position"))

    class Meta:
        verbose_name = _("deal line")
        verbose_name_plural = _("deal lines")
        ordering = ["deal", "position", "id"]
        constraints = [models.CheckConstraint(condition=models.Q(quantity__gt=0), name="deal_line_quantity_positive"),
                       models.CheckConstraint(condition=models.Q(unit_price__gte=0),
                                              name="deal_line_price_not_negative")]

    @property
    def amount(self) -> Decimal:
        return (self.quantity * self.unit_price).quantize(Decimal("0.01"))


class SavedDealView(models.Model):
    """A named set of deal-list filters a user saved to come back to; shared ones are offered to everyone who
    reads deals (each still sees only the deals they may see)."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_deal_views",
                              verbose_name=_("owner"))
    name = models.CharField(_("name"), max_length=80)
    filters = models.JSONField(_("filters"), default=dict)
    shared = models.BooleanField(_("shared with everyone"), default=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("saved deal view")
        verbose_name_plural = _("saved deal views")
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["owner", "name"], name="saved_deal_view_name_per_owner")]

    def __str__(self) -> str:
        return self.name
