"""Marketing records: segments, exports, campaigns, newsletters, the loyalty ledger and trigger rules.

Everything that decides *who* is reached is kept as data (a segment rule, a
trigger rule) so that it can be shown, audited and re-run; everything that
happened (an export, a message, a points entry, a trigger fire) is appended
and never rewritten.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kundebase.privacy import purposes


class Segment(models.Model):
    class Kind(models.TextChoices):
        DYNAMIC = "dynamic", _("Dynamic (re-evaluated on use)")
        STATIC = "static", _("Static (snapshot of members)")

    name = models.CharField(_("name"), max_length=150, unique=True)
    description = models.TextField(_("description"), blank=True)
    rule = models.JSONField(_("rule"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.DYNAMIC)
    snapshot_at = models.DateTimeField(_("snapshot taken"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.CharField(max_length=150, blank=True)

    class Meta:
        verbose_name = _("segment")
        verbose_name_plural = _("segments")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SegmentMember(models.Model):
    """A member of a static segment at the time of its snapshot."""

    segment = models.ForeignKey(Segment, on_delete=models.CASCADE, related_name="members")
    party = models.ForeignKey("parties.Party", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["segment", "party"], name="uniq_segment_member")]


class PostcodeCentroid(models.Model):
    """Coordinates of a postcode (or postcode prefix) for distance rules; imported, never fetched at run time."""

    country = models.CharField(max_length=2)
    postcode = models.CharField(max_length=12)
    place = models.CharField(max_length=100, blank=True)
    lat = models.FloatField()
    lon = models.FloatField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["country", "postcode"], name="uniq_centroid")]


class Export(models.Model):
    """One target-list export: who made it, for which purpose and channel, how many rows, who was left out."""

    segment = models.ForeignKey(Segment, null=True, blank=True, on_delete=models.SET_NULL, related_name="exports")
    purpose = models.CharField(_("purpose"), max_length=30)
    channel = models.CharField(_("channel"), max_length=10)
    file_format = models.CharField(_("format"), max_length=5)
    rows = models.PositiveIntegerField(default=0)
    excluded = models.JSONField(default=dict)
    fields = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.CharField(max_length=150, blank=True)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_at"]


class Campaign(models.Model):
    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        LETTER = "post", _("Letter")
        CALL = "phone", _("Call")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    name = models.CharField(_("name"), max_length=150)
    segment = models.ForeignKey(Segment, on_delete=models.PROTECT, related_name="campaigns")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.EMAIL)
    purpose = models.CharField(_("purpose"), max_length=60, default=purposes.CAMPAIGN_DEFAULT)
    from_email = models.CharField(_("sender"), max_length=200, default="news@kundebase.invalid")
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    body = models.TextField(_("template"), blank=True)
    text_blocks = models.JSONField(_("text blocks per language"), default=dict, blank=True)
    offers = models.JSONField(_("offers"), default=list, blank=True)
    call_script = models.TextField(_("call script"), blank=True)
    rate_per_second = models.FloatField(_("messages per second"), default=50)
    conversion_days = models.PositiveIntegerField(_("conversion window (days)"), default=14)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    excluded = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    created_by = models.CharField(max_length=150, blank=True)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name


class CampaignRecipient(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        BOUNCED = "bounced", _("Bounced")
        FAILED = "failed", _("Failed")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="recipients")
    party = models.ForeignKey("parties.Party", on_delete=models.CASCADE, related_name="campaign_messages")
    address = models.CharField(max_length=320, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    tracking = models.BooleanField(default=False)
    sent_at = models.DateTimeField(null=True, blank=True)
    convert_until = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    clicked_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    bounced_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        indexes = [models.Index(fields=["party", "campaign"], name="recipient_party")]


class Newsletter(models.Model):
    key = models.SlugField(_("key"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=150)
    purpose = models.CharField(_("purpose"), max_length=60, default=purposes.NEWSLETTER_DEFAULT)
    from_email = models.CharField(_("sender"), max_length=200, default="news@kundebase.invalid")
    notice_version = models.CharField(_("notice version"), max_length=60, default="1")
    active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("newsletter")
        verbose_name_plural = _("newsletters")

    def __str__(self) -> str:
        return self.name


class NewsletterSignup(models.Model):
    """A subscription waiting for (or having received) its confirmation click."""

    newsletter = models.ForeignKey(Newsletter, on_delete=models.CASCADE, related_name="signups")
    email = models.CharField(max_length=320)
    name = models.CharField(max_length=200, blank=True)
    language = models.CharField(max_length=10, blank=True)
    party = models.ForeignKey("parties.Party", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    client_key = models.CharField(max_length=64, blank=True, db_index=True)


class LoyaltyProgramme(models.Model):
    """The programme's settings (one row): earning per currency unit and how long points live."""

    name = models.CharField(max_length=150, default="Kundeklubben")
    points_per_unit = models.DecimalField(max_digits=10, decimal_places=4, default=1)
    expiry_months = models.PositiveIntegerField(default=24)
    purpose = models.CharField(max_length=60, default=purposes.LOYALTY_DEFAULT)


class LoyaltyActionRule(models.Model):
    """Points for an action other than an order (``review``, ``signup``, ``referral`` …)."""

    action = models.SlugField(max_length=60, unique=True)
    points = models.IntegerField()


class LoyaltyTier(models.Model):
    name = models.CharField(max_length=60, unique=True)
    threshold = models.PositiveIntegerField(help_text="Points earned in the last 12 months")

    class Meta:
        ordering = ["threshold"]

    def __str__(self) -> str:
        return self.name


class LoyaltyMember(models.Model):
    party = models.OneToOneField("parties.Party", on_delete=models.CASCADE, related_name="loyalty_membership")
    joined_at = models.DateTimeField(default=timezone.now)
    tier = models.ForeignKey(LoyaltyTier, null=True, blank=True, on_delete=models.SET_NULL)
    tier_changed_at = models.DateTimeField(null=True, blank=True)


class LoyaltyEntry(models.Model):
    """Append-only points ledger; the balance is the sum.  Expiry and redemption are negative entries."""

    class Kind(models.TextChoices):
        EARN = "earn", _("Earned")
        REDEEM = "redeem", _("Redeemed")
        EXPIRE = "expire", _("Expired")

    party = models.ForeignKey("parties.Party", on_delete=models.CASCADE, related_name="loyalty_entries")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    points = models.IntegerField()
    occurred_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    order = models.ForeignKey("orders.Order", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reference = models.CharField(max_length=120, blank=True)

    class Meta:
        indexes = [models.Index(fields=["party", "occurred_at"], name="loyalty_party_time")]
        constraints = [models.UniqueConstraint(fields=["order"], condition=models.Q(kind="earn"),
                                               name="loyalty_once_per_order")]


class TriggerRule(models.Model):
    class Event(models.TextChoices):
        BIRTHDAY = "birthday", _("Birthday")
        MOVED = "moved", _("Moved to a new address")
        NEW_ROLE = "new_role", _("New job or position")
        FIRST_PURCHASE = "first_purchase", _("First purchase (follow-up after N days)")
        WIN_BACK = "win_back", _("No purchase for N days")
        TIER_CHANGE = "tier_change", _("Loyalty tier changed")

    class Action(models.TextChoices):
        CAMPAIGN = "campaign", _("Send a campaign message")
        TASK = "task", _("Create a task for a salesperson")

    class AssignTo(models.TextChoices):
        USER = "user", _("The rule's salesperson")
        DEAL_OWNER = "deal_owner", _("The owner of the customer's open deal (else the rule's salesperson)")

    name = models.CharField(max_length=150)
    event = models.CharField(max_length=20, choices=Event.choices)
    days = models.PositiveIntegerField(default=0)
    action = models.CharField(max_length=10, choices=Action.choices, default=Action.TASK)
    campaign = models.ForeignKey(Campaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    task_text = models.CharField(max_length=300, blank=True)
    # A task is due this many days after the event fires, and goes to the rule's salesperson or the customer's
    # deal owner (who knows the customer best; the salesperson when the customer has no open deal).
    task_due_days = models.PositiveSmallIntegerField(default=0)
    assign_to = models.CharField(max_length=10, choices=AssignTo.choices, default=AssignTo.USER)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.name


class TriggerFire(models.Model):
    """A rule fired once for a customer and an occurrence (e.g. ``birthday:2026``)."""

    rule = models.ForeignKey(TriggerRule, on_delete=models.CASCADE, related_name="fires")
    party = models.ForeignKey("parties.Party", on_delete=models.CASCADE, related_name="+")
    occurrence = models.CharField(max_length=80)
    fired_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["rule", "party", "occurrence"], name="uniq_trigger_fire")]
