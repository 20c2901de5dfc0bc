"""Privacy records.  The audit log lives here because every other app writes to it."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    PHONE = "phone", _("Phone")
    POST = "post", _("Post")
    PROFILING = "profiling", _("Profiling")


class ConsentStatus(models.TextChoices):
    GRANTED = "granted", _("Granted")
    DENIED = "denied", _("Denied")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Purpose(models.Model):
    """Why we process: direct marketing, newsletter, loyalty club, profiling … with its legal basis."""

    key = models.SlugField(_("key"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"))
    legal_basis = models.CharField(_("legal basis"), max_length=30)
    requires_consent = models.BooleanField(_("requires consent"), default=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("purpose")
        verbose_name_plural = _("purposes")
        ordering = ["key"]
        permissions = [
            ("pseudonymised_only", "Sees pseudonymised identifiers only"),
        ]

    def __str__(self) -> str:
        return self.name


class ConsentEvent(models.Model):
    """One append-only entry of the consent ledger; the current state is the latest valid entry per
    person, purpose and channel.  Rows are never updated or deleted (a withdrawal is a new row)."""

    class Source(models.TextChoices):
        FORM = "form", _("Form")
        IMPORT = "import", _("Import")
        EVENT = "event", _("Event")
        EMPLOYEE = "employee", _("Employee")
        UNSUBSCRIBE = "unsubscribe", _("Unsubscribe link")
        MERGE = "merge", _("Merge")
        API = "api", _("API")

    party = models.ForeignKey("parties.Party", on_delete=models.CASCADE, related_name="consent_events")
    purpose = models.ForeignKey(Purpose, on_delete=models.PROTECT, related_name="consent_events")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    status = models.CharField(_("status"), max_length=10, choices=ConsentStatus.choices)
    legal_basis = models.CharField(_("legal basis"), max_length=30)
    explanation = models.TextField(_("explanation"), blank=True)
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    source_detail = models.CharField(_("source detail"), max_length=200, blank=True)
    captured_at = models.DateTimeField(_("captured"), default=timezone.now)
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)
    notice_version = models.CharField(_("notice/text version shown"), max_length=60, blank=True)
    double_opt_in_at = models.DateTimeField(_("double opt-in confirmed"), null=True, blank=True)
    valid_from = models.DateTimeField(_("valid from"), null=True, blank=True)
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    recorded_by = models.CharField(_("recorded by"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("consent event")
        verbose_name_plural = _("consent ledger")
        indexes = [models.Index(fields=["party", "purpose", "channel", "captured_at"], name="consent_current")]
        ordering = ["captured_at", "id"]


class OptOutEntry(models.Model):
    """A line of a national opt-out register (Reservasjonsregisteret, Robinsonlisten) or our own list.

    Entries are stored as keyed hashes of normalised phone numbers or name+address keys, so the register
    can be applied without keeping a copy of people we have no relationship with."""

    class Register(models.TextChoices):
        NO_RESERVASJON = "no_reservasjon", _("Reservasjonsregisteret (NO)")
        DK_ROBINSON = "dk_robinson", _("Robinsonlisten (DK)")
        INTERNAL = "internal", _("Internal suppression list")

    register = models.CharField(max_length=20, choices=Register.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    key_hash = models.CharField(max_length=64)
    imported_at = models.DateTimeField(default=timezone.now)
    batch = models.CharField(max_length=100, blank=True)

    class Meta:
        verbose_name = _("opt-out register entry")
        verbose_name_plural = _("opt-out register")
        constraints = [models.UniqueConstraint(fields=["register", "channel", "key_hash"], name="uniq_optout")]
        indexes = [models.Index(fields=["key_hash"], name="optout_key")]


class Suppression(models.Model):
    """A person erased on request stays suppressed: salted hashes of their identifiers block re-import."""

    key_hash = models.CharField(max_length=64, unique=True)
    kind = models.CharField(max_length=20)
    reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)


class DataSubjectRequest(models.Model):
    """An access, erasure, restriction or rectification request, with its one-month due date and outcome."""

    class Kind(models.TextChoices):
        ACCESS = "access", _("Access")
        ERASURE = "erasure", _("Erasure")
        RESTRICTION = "restriction", _("Restriction")
        RECTIFICATION = "rectification", _("Rectification")
        OBJECTION = "objection", _("Objection")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        REFUSED = "refused", _("Refused")

    party_id_at_request = models.BigIntegerField(null=True, blank=True)
    kind = models.CharField(max_length=15, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    received_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    requested_by = models.CharField(max_length=150, blank=True)
    handled_by = models.CharField(max_length=150, blank=True)
    outcome = models.TextField(blank=True)

    class Meta:
        verbose_name = _("data subject request")
        verbose_name_plural = _("data subject requests")


class Quarantine(models.Model):
    """An imported row held back for review because its free text looks like special-category data.

    The import stores nothing of the row until a reviewer releases it (the importer then writes it through the
    services with the reviewer's reason) or rejects it (the row data is then blanked)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for review")
        RELEASED = "released", _("Released")
        REJECTED = "rejected", _("Rejected")

    source = models.CharField(_("source"), max_length=200)
    source_row = models.CharField(_("row"), max_length=60, blank=True)
    row_data = models.JSONField(_("row data"), default=dict)
    reason = models.TextField(_("reason"))
    categories = models.JSONField(_("categories"), default=list)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING,
                              db_index=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reviewed_by = models.CharField(_("reviewed by"), max_length=150, blank=True)
    review_note = models.TextField(_("review note"), blank=True)

    class Meta:
        verbose_name = _("quarantined row")
        verbose_name_plural = _("quarantine")
        ordering = ["-created_at", "-id"]


class CountryPolicy(models.Model):
    """What the law of one country asks of us; ``*`` is the fallback for countries without a row.

    Administrators change these values (admin or API); the defaults are seeded by a migration and documented
    in docs/privacy.md."""

    country = models.CharField(_("country"), max_length=2, primary_key=True)
    bookkeeping_years = models.PositiveSmallIntegerField(_("bookkeeping retention (years)"))
    phone_requires_consent = models.BooleanField(
        _("telephone marketing to consumers needs prior consent"), default=True)
    customer_exemption = models.BooleanField(
        _("existing customers may be called/mailed despite an opt-out register"), default=False)
    customer_exemption_months = models.PositiveSmallIntegerField(
        _("customer relationship counts for (months after the last order)"), default=24)
    prospect_months = models.PositiveSmallIntegerField(_("erase inactive prospects after (months)"), default=24)
    ex_customer_years = models.PositiveSmallIntegerField(_("erase former customers after (years)"), default=5)

    class Meta:
        verbose_name = _("country policy")
        verbose_name_plural = _("country policies")
        ordering = ["country"]

    def __str__(self) -> str:
        return self.country


class RegisterMatch(models.Model):
    """Which customers an opt-out register entry hits, so exports can exclude them in SQL.

    Register entries are keyed hashes, which SQL cannot compute; this table is refreshed after every register
    import and whenever a customer is saved through the services.  ``marketing_allowed`` (one customer)
    computes the hashes live and does not depend on it."""

    party = models.ForeignKey("parties.Party", on_delete=models.CASCADE, related_name="register_matches")
    register = models.CharField(max_length=20, choices=OptOutEntry.Register.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["party", "register", "channel"], name="uniq_register_match")]
        indexes = [models.Index(fields=["channel", "register"], name="regmatch_channel")]
