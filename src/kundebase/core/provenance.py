"""Recording which source said what: every write of a business value leaves an observation."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from kundebase.core.models import Observation


@dataclass(frozen=True)
class SourceRef:
    """Where a value came from: a channel or named source, and that source's own record id."""

    name: str
    record_id: str = ""
    verified: bool = False

    @classmethod
    def for_user(cls, channel: str, user: object) -> SourceRef:
        username = getattr(user, "username", "") or "anonymous"
        return cls(name=f"{channel}:{username}")


def observe(entity: str, record_id: int, values: Mapping[str, Any], source: SourceRef | None) -> None:
    if source is None or not values:
        return
    now = timezone.now()
    Observation.objects.bulk_create(
        Observation(
            entity=entity,
            record_id=record_id,
            field=field,
            value="" if value is None else str(value),
            source=source.name[:120],
            source_record_id=source.record_id[:200],
            received_at=now,
            verified=source.verified,
        )
        for field, value in values.items()
    )
