"""Interactions: inquiries in and out, visits, letters, e-mails, calls, meetings, notes and web visits."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kundebase.core.models import TimeStamped


class Interaction(TimeStamped):
    class Kind(models.TextChoices):
        INQUIRY = "inquiry", _("Inquiry")
        VISIT = "visit", _("Visit")
        LETTER = "letter", _("Letter")
        EMAIL = "email", _("E-mail")
        CALL = "call", _("Call")
        MEETING = "meeting", _("Meeting")
        NOTE = "note", _("Note")
        WEB_VISIT = "web_visit", _("Web visit")
        PURCHASE = "purchase", _("Purchase")
        CAMPAIGN = "campaign", _("Campaign message")

    class Direction(models.TextChoices):
        INBOUND = "in", _("Inbound")
        OUTBOUND = "out", _("Outbound")
        INTERNAL = "internal", _("Internal")

    class Channel(models.TextChoices):
        PHONE = "phone", _("Phone")
        EMAIL = "email", _("E-mail")
        POST = "post", _("Post")
        IN_PERSON = "in_person", _("In person")
        WEB = "web", _("Web")
        SMS = "sms", _("SMS")
        SOCIAL = "social", _("Social media")
        OTHER = "other", _("Other")

    # party and handled_by have no index of their own: ix_party_time and ix_followup begin with them (each index
    # is one more write per timeline entry, and tracking events write them by the thousand)
    party = models.ForeignKey("parties.Party", on_delete=models.CASCADE, related_name="interactions", db_index=False)
    contact_person = models.ForeignKey("parties.Person", null=True, blank=True, on_delete=models.SET_NULL,
                                       related_name="interactions_as_contact")
    kind = models.CharField(_("type"), max_length=12, choices=Kind.choices)
    direction = models.CharField(_("direction"), max_length=8, choices=Direction.choices,
                                 default=Direction.INBOUND)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.OTHER)
    occurred_at = models.DateTimeField(_("time"), default=timezone.now)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    body = models.TextField(_("text"), blank=True)
    outcome = models.CharField(_("outcome"), max_length=300, blank=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="interactions", verbose_name=_("handled by"), db_index=False)
    follow_up_on = models.DateField(_("follow up on"), null=True, blank=True)
    follow_up_done_at = models.DateTimeField(_("follow-up done"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=120, blank=True)
    source_record_id = models.CharField(max_length=200, blank=True)
    custom_fields = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")
        indexes = [
            models.Index(fields=["party", "-occurred_at"], name="ix_party_time"),
            models.Index(fields=["handled_by", "follow_up_on"], name="ix_followup"),
        ]
        ordering = ["-occurred_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_at:%Y-%m-%d}: {self.subject}"
