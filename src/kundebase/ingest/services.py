"""Writes of the ingest app's own records: sources and their write keys."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from kundebase.core import audit
from kundebase.core.errors import ValidationFailed
from kundebase.ingest.models import Source


@transaction.atomic
def add_source(*, name: str, priority: int = 50, verified: bool = False, actor: object = None,
               channel: str = "api") -> tuple[Source, str]:
    """Create a source with a new write key; the key is returned once and only its hash is stored."""
    name = (name or "").strip()
    if not name or len(name) > 120:
        raise ValidationFailed.one("name", _("Give a name of at most 120 characters"), "required")
    if Source.objects.filter(name=name).exists():
        raise ValidationFailed.one("name", _("A source named %(n)s exists") % {"n": name}, "duplicate")
    if not 0 <= priority <= 100:
        raise ValidationFailed.one("priority", _("Must be between 0 and 100"))
    source = Source(name=name, priority=priority, verified=verified)
    key = source.issue_key()
    source.save()
    audit.record(action="create", actor=actor, entity="source", record_id=source.pk, channel=channel,
                 fields=["name", "write_key"])
    return source, key


@transaction.atomic
def rotate_key(*, source: Source, actor: object = None, channel: str = "api") -> str:
    """A source that never had a key (made by an import) or whose key leaked gets a new one."""
    key = source.issue_key()
    source.save(update_fields=["key_digest", "key_prefix", "updated_at"])
    audit.record(action="change", actor=actor, entity="source", record_id=source.pk, channel=channel,
                 fields=["write_key"])
    return key
