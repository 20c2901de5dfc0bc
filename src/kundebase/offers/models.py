"""Profiles (a cache row per customer, kept current on write) and offers with what happened to them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kundebase.core.models import TimeStamped


class Profile(models.Model):
    """One customer's profile as the profile API serves it, computed once per change instead of per request.

    Every write that changes what the profile shows sets the bit of its source in ``stale_parts`` and raises
    ``generation`` (:mod:`kundebase.offers.freshness`); a read rebuilds just the parts that depend on the marked
    sources and clears the bits only if the generation is still the one it started from, so a write that lands
    while a rebuild runs leaves its bit set and no change is lost.
    """

    party_id = models.BigIntegerField(primary_key=True)
    data = models.JSONField(default=dict)
    version = models.PositiveIntegerField(default=0)
    """Grows by one on each rebuild: the ETag."""
    generation = models.PositiveBigIntegerField(default=1)
    built_generation = models.PositiveBigIntegerField(default=0)
    stale_parts = models.PositiveIntegerField(default=511)
    """Bit set of the sources changed since the last build (``freshness.IDENTITY`` …); a new row: all."""
    computed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    @property
    def stale(self) -> bool:
        return self.stale_parts != 0


class Offer(TimeStamped):
    """Something a customer may be offered: a product (with a discount) or a piece of content."""

    class Kind(models.TextChoices):
        PRODUCT = "product", _("Product")
        CONTENT = "content", _("Content")

    class Channel(models.TextChoices):
        WEB = "web", _("Web")
        EMAIL = "email", _("E-mail")
        SMS = "sms", _("SMS")
        PHONE = "phone", _("Phone")
        POST = "post", _("Post")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices, default=Kind.PRODUCT)
    product = models.ForeignKey("orders.Product", null=True, blank=True, on_delete=models.PROTECT,
                                verbose_name=_("product"))
    content = models.TextField(_("content"), blank=True)
    discount_pct = models.DecimalField(_("discount %"), max_digits=5, decimal_places=2, default=0)
    margin = models.DecimalField(_("margin per acceptance"), max_digits=12, decimal_places=2, null=True, blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.WEB)
    priority = models.IntegerField(_("priority"), default=0)
    valid_from = models.DateTimeField(_("valid from"), null=True, blank=True)
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    cap_per_customer = models.PositiveIntegerField(_("times shown per customer"), null=True, blank=True)
    cap_total = models.PositiveIntegerField(_("acceptances in total"), null=True, blank=True)
    eligibility = models.JSONField(_("eligibility"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        ordering = ["-priority", "name", "id"]

    def __str__(self) -> str:
        return self.name


class OfferEvent(models.Model):
    """An offer shown to or accepted by a customer; the propensity model learns from these.

    A showing is written by the offers answer itself (so the customer's cap counts it at once) with
    ``on_timeline`` false: the background round :func:`kundebase.offers.tasks.put_shown_on_timeline` puts the
    "Offers shown" entry on the timeline and sets it — the row is the queue entry, so no showing is lost.
    """

    class Kind(models.TextChoices):
        SHOWN = "shown", _("Shown")
        ACCEPTED = "accepted", _("Accepted")

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="events")
    party_id = models.BigIntegerField()
    kind = models.CharField(max_length=10, choices=Kind.choices)
    segment = models.CharField(max_length=40, blank=True)
    """The customer's RFM segment at the time: the group whose acceptance rate is the propensity."""
    occurred_at = models.DateTimeField(default=timezone.now)
    event_id = models.BigIntegerField(null=True, blank=True, unique=True)
    """The tracking event an acceptance came from (``track "Offer Accepted"``), so it is counted once."""
    on_timeline = models.BooleanField(default=True, db_default=True)
    """False while the showing waits for its timeline entry (written in the background, a batch at a time)."""
    shown_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    """Whose request showed the offer: the timeline entry and its audit entry name them."""

    class Meta:
        indexes = [models.Index(fields=["party_id", "offer", "kind"], name="offerevent_customer"),
                   models.Index(fields=["offer", "kind", "segment"], name="offerevent_segment"),
                   models.Index(fields=["id"], condition=Q(on_timeline=False), name="offerevent_pending")]
