"""Mailboxes, the messages fetched from and sent to them, cases and their service levels, proposed leads."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kundebase.core.models import TimeStamped


class Mailbox(TimeStamped):
    """A mailbox an administrator connected; ``uidvalidity``/``last_uid`` remember what was fetched."""

    class Kind(models.TextChoices):
        IMAP = "imap", _("IMAP")
        MAILDIR = "maildir", _("Maildir folder")

    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("type"), max_length=8, choices=Kind.choices, default=Kind.IMAP)
    address = models.EmailField(_("address"), help_text=_("Replies are sent from this address."))
    host = models.CharField(_("IMAP host"), max_length=255, blank=True)
    port = models.PositiveIntegerField(_("IMAP port"), default=993)
    use_tls = models.BooleanField(_("TLS"), default=True,
                                  help_text=_("Plain IMAP is only allowed to a server on this machine."))
    username = models.CharField(_("user name"), max_length=255, blank=True)
    password = models.CharField(_("password"), max_length=255, blank=True)
    folder = models.CharField(_("folder"), max_length=255, default="INBOX")
    path = models.CharField(_("Maildir path"), max_length=500, blank=True)
    opens_cases = models.BooleanField(_("support address"), default=True,
                                      help_text=_("A message to this mailbox opens a case or updates its thread's."))
    active = models.BooleanField(_("active"), default=True)
    uidvalidity = models.BigIntegerField(null=True, blank=True, editable=False)
    last_uid = models.BigIntegerField(default=0, editable=False)
    last_fetched_at = models.DateTimeField(_("last fetched"), null=True, blank=True, editable=False)
    last_error = models.TextField(_("last error"), blank=True, editable=False)
    failures = models.PositiveIntegerField(_("failures in a row"), default=0, editable=False)
    retry_at = models.DateTimeField(_("next try"), null=True, blank=True, editable=False,
                                    help_text=_("After a failure the periodic fetch waits until then (back-off)."))

    class Meta:
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} <{self.address}>"


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class SlaRule(models.Model):
    """How many hours a case may wait for an answer, per category and priority (an empty category: any)."""

    category = models.SlugField(_("category"), max_length=60, blank=True)
    category_name = models.CharField(_("category name"), max_length=100, blank=True)
    priority = models.CharField(_("priority"), max_length=8, choices=Priority.choices)
    hours = models.PositiveIntegerField(_("hours to answer"))

    class Meta:
        verbose_name = _("service level")
        verbose_name_plural = _("service levels")
        constraints = [models.UniqueConstraint(fields=["category", "priority"], name="uq_sla_category_priority")]

    def __str__(self) -> str:
        return f"{self.category or '*'} / {self.priority}: {self.hours} h"


class Case(TimeStamped):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        PENDING = "pending", _("Waiting for the customer")
        CLOSED = "closed", _("Closed")

    party = models.ForeignKey("parties.Party", null=True, blank=True, on_delete=models.CASCADE,
                              related_name="cases")
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    channel = models.CharField(_("channel"), max_length=10, default="email")
    category = models.SlugField(_("category"), max_length=60, blank=True)
    priority = models.CharField(_("priority"), max_length=8, choices=Priority.choices, default=Priority.NORMAL)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OPEN)
    due_at = models.DateTimeField(_("answer due"), null=True, blank=True)
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="cases", verbose_name=_("assigned to"))
    mailbox = models.ForeignKey(Mailbox, null=True, blank=True, on_delete=models.SET_NULL, related_name="cases")
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True,
                                        help_text=_("When the case was escalated for passing its answer's due time."))

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "due_at"], name="ix_case_status_due"),
                   models.Index(fields=["assigned_to", "status"], name="ix_case_assignee")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject}"


class MailMessage(TimeStamped):
    """One e-mail in or out; its body is personal data (in the access export, erased with the person)."""

    class Direction(models.TextChoices):
        INBOUND = "in", _("Inbound")
        OUTBOUND = "out", _("Outbound")

    mailbox = models.ForeignKey(Mailbox, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages")
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages")
    party = models.ForeignKey("parties.Party", null=True, blank=True, on_delete=models.CASCADE,
                              related_name="mail_messages")
    interaction = models.ForeignKey("interactions.Interaction", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    uid = models.BigIntegerField(null=True, blank=True)
    message_id = models.CharField(max_length=998, blank=True, db_index=True)
    in_reply_to = models.CharField(max_length=998, blank=True)
    references = models.TextField(blank=True)
    from_address = models.CharField(_("from"), max_length=320, blank=True)
    from_name = models.CharField(_("sender name"), max_length=200, blank=True)
    to_addresses = models.TextField(_("to"), blank=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    text_body = models.TextField(_("text"), blank=True)
    html_body = models.TextField(_("HTML, sanitised"), blank=True)
    defects = models.TextField(blank=True)
    body_removed_at = models.DateTimeField(_("text removed"), null=True, blank=True,
                                           help_text=_("When the retention policy for e-mail removed the text."))

    class Meta:
        verbose_name = _("e-mail")
        verbose_name_plural = _("e-mails")
        ordering = ["sent_at", "id"]

    def __str__(self) -> str:
        return f"{self.from_address}: {self.subject}"


class Attachment(models.Model):
    """A file that came with a message: kept when its type is allowed and it fits the size limit."""

    message = models.ForeignKey(MailMessage, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=127)
    size = models.BigIntegerField()
    content = models.BinaryField(null=True, blank=True)
    refused = models.CharField(max_length=200, blank=True, help_text="Why the content was not kept.")

    def __str__(self) -> str:
        return self.filename or self.content_type


class LeadProposal(TimeStamped):
    """A sender who matches no customer: proposed as a new customer, created only when a person accepts."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACCEPTED = "accepted", _("Accepted")
        DISMISSED = "dismissed", _("Dismissed")

    address = models.CharField(_("address"), max_length=320, unique=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    party = models.ForeignKey("parties.Party", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("proposed lead")
        verbose_name_plural = _("proposed leads")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.address


class ReplyTemplate(TimeStamped):
    """A reply text with the customer's fields (``{{ given_name }}``…), one per name and language."""

    name = models.CharField(_("name"), max_length=100)
    language = models.CharField(_("language"), max_length=5, default="nb")
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    body = models.TextField(_("text"))

    class Meta:
        verbose_name = _("reply template")
        verbose_name_plural = _("reply templates")
        ordering = ["name", "language"]
        constraints = [models.UniqueConstraint(fields=["name", "language"], name="uq_reply_template_language")]

    def __str__(self) -> str:
        return f"{self.name} ({self.language})"
