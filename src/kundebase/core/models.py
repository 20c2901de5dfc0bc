"""Base classes every app builds on, and the few records that belong to no single context."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import secrets
import weakref
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TimeStamped(models.Model):
    """When a row was created and last changed; every business record has both."""

    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class Versioned(models.Model):
    """An integer that grows by one on every write: the ETag for optimistic concurrency."""

    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True

    @property
    def etag(self) -> str:
        return f'"{self.pk}-{self.version}"'


class Sequence(models.Model):
    """Named counters (customer numbers, order numbers) that survive deletes and work on every backend."""

    name = models.CharField(max_length=50, primary_key=True)
    next_value = models.BigIntegerField(default=1)

    class Meta:
        db_table = "core_sequence"


class DataCategory(models.TextChoices):
    IDENTITY = "identity", _("Identity")
    CONTACT = "contact", _("Contact details")
    DEMOGRAPHIC = "demographic", _("Demographic")
    FINANCIAL = "financial", _("Financial")
    TRANSACTION = "transaction", _("Transactions")
    BEHAVIOUR = "behaviour", _("Behaviour and interests")
    COMMUNICATION = "communication", _("Communication")
    SPECIAL = "special", _("Special category (GDPR Art. 9/10)")
    OTHER = "other", _("Other")


class LegalBasis(models.TextChoices):
    CONSENT = "consent", _("Consent (Art. 6(1)(a))")
    CONTRACT = "contract", _("Contract (Art. 6(1)(b))")
    LEGAL_OBLIGATION = "legal_obligation", _("Legal obligation (Art. 6(1)(c))")
    VITAL_INTEREST = "vital_interest", _("Vital interest (Art. 6(1)(d))")
    PUBLIC_TASK = "public_task", _("Public task (Art. 6(1)(e))")
    LEGITIMATE_INTEREST = "legitimate_interest", _("Legitimate interest (Art. 6(1)(f))")


class CustomFieldDefinition(TimeStamped):
    """A field an administrator adds to an entity; it must say why it is stored."""

    class Entity(models.TextChoices):
        PERSON = "person", _("Person")
        COMPANY = "company", _("Company")
        INTERACTION = "interaction", _("Interaction")
        ORDER = "order", _("Order")

    class FieldType(models.TextChoices):
        TEXT = "text", _("Text")
        INTEGER = "integer", _("Whole number")
        DECIMAL = "decimal", _("Decimal number")
        DATE = "date", _("Date")
        BOOLEAN = "boolean", _("Yes/no")
        CHOICE = "choice", _("Choice")

    entity = models.CharField(_("entity"), max_length=20, choices=Entity.choices)
    key = models.SlugField(_("key"), max_length=60)
    label = models.CharField(_("label"), max_length=120)
    field_type = models.CharField(_("type"), max_length=20, choices=FieldType.choices)
    required = models.BooleanField(_("required"), default=False)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    purpose = models.TextField(_("purpose"))
    data_category = models.CharField(_("data category"), max_length=20, choices=DataCategory.choices,
                                     default=DataCategory.OTHER)
    legal_basis = models.CharField(_("legal basis"), max_length=30, choices=LegalBasis.choices,
                                   default=LegalBasis.LEGITIMATE_INTEREST)
    personal_identifier = models.BooleanField(_("personal identifier"), default=False)
    special_category_basis = models.TextField(_("special-category basis"), blank=True)
    special_category_reference = models.CharField(_("permission or exemption reference"), max_length=200,
                                                  blank=True)
    special_category_date = models.DateField(_("permission date"), null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["entity", "key"], name="uniq_custom_field_key")]
        ordering = ["entity", "key"]

    def __str__(self) -> str:
        return f"{self.entity}.{self.key}"


class Observation(models.Model):
    """Provenance: one value of one field of one record as one source said it, and when.

    Survivorship picks the shown value from these; merges and unmerges keep them,
    so no source value is ever lost.
    """

    entity = models.CharField(max_length=20)
    record_id = models.BigIntegerField()
    field = models.CharField(max_length=80)
    value = models.TextField(blank=True)
    source = models.CharField(max_length=120)
    source_record_id = models.CharField(max_length=200, blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    verified = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["entity", "record_id", "field"], name="obs_record_field")]


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for integrations; only its SHA-256 is stored.

    A token stops working when it expires (``expires_at``; ``KUNDEBASE_API_TOKEN_DAYS`` sets the default
    lifetime) or is revoked; issuing, listing and revoking go through :mod:`kundebase.core.tokens`.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, default="default")
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(default=False)
    revoked_at = models.DateTimeField(null=True, blank=True)
    scope = models.CharField(max_length=10, choices=[("full", "full"), ("read", "read")], default="full")
    """``full``: whatever the user's role allows; ``read``: only reading profiles and offers (a web shop's key)."""

    @property
    def expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def active(self) -> bool:
        return not self.revoked and not self.expired

    @classmethod
    def issue(cls, user: object, name: str = "default", expires_at: dt.datetime | None = None,
              scope: str = "full") -> tuple[ApiToken, str]:
        token = "kb_" + secrets.token_urlsafe(32)
        obj = cls.objects.create(user=user, name=name, digest=_token_digest(token), prefix=token[:8],
                                 expires_at=expires_at, scope=scope)
        return obj, token

    @classmethod
    def find(cls, token: str) -> ApiToken | None:
        """The token with this value and its user, whatever its state (``None`` when no such token was ever
        issued).

        Every bearer request asks this, so it is one fixed statement instead of a queryset: building the
        ``select_related`` query took about a millisecond per request, several times what the database took to
        answer it, and most of a profile read's time.  The values go through the fields' own database converters
        (time zones, booleans), so the instances are those the ORM would give.
        """
        from django.db import DEFAULT_DB_ALIAS, connections

        from kundebase.core import dialect

        connection = connections[DEFAULT_DB_ALIAS]  # this thread's, not the proxy: its converters are kept by it
        sql, token_fields, user_fields = _token_lookup_sql(dialect.for_connection(connection))
        with connection.cursor() as cursor:
            cursor.execute(sql, [_token_digest(token)])
            row = cursor.fetchone()
        if row is None:
            return None
        values = list(row)
        converters = _CONVERTERS.get(connection)
        if converters is None:
            converters = _CONVERTERS[connection] = _token_converters(connection, token_fields, user_fields)
        for n, column, steps in converters:
            for convert in steps:
                values[n] = convert(values[n], column, connection)
        split = len(token_fields)
        found = cls.from_db(connection.alias, [f.attname for f in token_fields], values[:split])
        user_field: Any = cls._meta.get_field("user")
        user_field.set_cached_value(found, user_field.related_model.from_db(
            connection.alias, [f.attname for f in user_fields], values[split:]))
        return found

    @classmethod
    def authenticate(cls, token: str) -> ApiToken | None:
        obj = cls.find(token)
        if obj is None or not obj.active or not obj.user.is_active:
            return None
        return obj


_CONVERTERS: weakref.WeakKeyDictionary[Any, list[tuple[int, Any, list[Any]]]] = weakref.WeakKeyDictionary()
"""Per database connection, the converters of the token look-up's columns that have any."""


def _token_converters(connection: Any, token_fields: list[models.Field[Any, Any]],
                      user_fields: list[models.Field[Any, Any]]) -> list[tuple[int, Any, list[Any]]]:
    """``(position, column, converters)`` of each column of the look-up whose values the ORM would convert."""
    out = []
    for n, (field, table) in enumerate([(f, "t") for f in token_fields] + [(f, "u") for f in user_fields]):
        column = field.get_col(table)
        steps = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        if steps:
            out.append((n, column, steps))
    return out


@functools.lru_cache(maxsize=4)
def _token_lookup_sql(dialect: Any) -> tuple[str, list[models.Field[Any, Any]], list[models.Field[Any, Any]]]:
    """``SELECT`` of a token and its user by digest, and the fields of its columns in order (one per database
    dialect: the names are quoted its way)."""
    from django.db import connection

    quote = connection.ops.quote_name
    user_field = ApiToken._meta.get_field("user")
    user_model = user_field.related_model
    token_fields = list(ApiToken._meta.concrete_fields)
    user_fields = list(user_model._meta.concrete_fields)
    columns = [f"t.{quote(str(f.column))}" for f in token_fields] + [f"u.{quote(str(f.column))}" for f in user_fields]
    sql = (f"SELECT {', '.join(columns)} FROM {quote(ApiToken._meta.db_table)} t "
           f"INNER JOIN {quote(user_model._meta.db_table)} u "
           f"ON u.{quote(str(user_model._meta.pk.column))} = t.{quote(str(user_field.column))} "
           f"WHERE t.{quote('digest')} = %s")
    return sql, token_fields, user_fields


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
        # The table keeps its first name: the log moved from the privacy app to core without copying a row.
        db_table = "privacy_auditentry"




class AuditRecord(models.Model):
    """One record an audit entry names, when an entry covers many (a batch of tracking events).

    Its entry's hash covers the list of these rows, so removing or editing one breaks the chain like an edited
    entry does; the access report finds a person's entries through them as through ``AuditEntry.party_id``.
    """

    entry = models.ForeignKey(AuditEntry, on_delete=models.PROTECT, related_name="records")
    entity = models.CharField(max_length=40)
    record_id = models.BigIntegerField()
    party_id = models.BigIntegerField(null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("audited record")
        verbose_name_plural = _("audited records")
