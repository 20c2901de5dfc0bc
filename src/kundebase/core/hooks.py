"""Extension points between bounded contexts, so no app reaches into another's internals.

Each is a list the owning app appends to in its ``AppConfig.ready``; the
calling app runs them in order.  The built-ins register here too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

after_merge: list[Callable[..., None]] = []
"""``fn(*, survivor_id: int, merged_id: int, actor: object) -> None`` inside the merge transaction
(e.g. privacy reconciles consents so that a withdrawal anywhere wins)."""

after_unmerge: list[Callable[..., None]] = []
"""``fn(*, survivor_id: int, restored_id: int, actor: object) -> None`` inside the unmerge transaction."""

party_saved: list[Callable[..., None]] = []
"""``fn(*, party_ids: list[int], created: bool) -> None`` after customers were created or changed through the
services (one id) or a bulk import (a chunk of ids in one call, so each hook does its work in bulk): matching
keeps blocking keys and the incremental queue current, privacy its register matches and restrictions."""

identity_blocked: list[Callable[..., Any]] = []
"""``fn(*, kind: str, records: list[tuple[dict, list[dict]]]) -> list[str | None]``: per record ``(fields,
contact points)``, a reason when it must not be stored (privacy: an erased person is suppressed and must not
come back through an import).  An import asks for a whole chunk in one call."""

new_business: list[Callable[..., str]] = []
"""``fn(*, party_id: int, amount: Decimal, currency: str, field: str) -> str`` before a new order is written,
inside its transaction: a warning to show the user and return in the API (sales: the customer would pass its
credit limit, or is in debt collection), or ``""``; raises a ``DomainError`` naming ``field`` when the business
must be refused (sales' credit policy)."""

events_processed: list[Callable[[], Any]] = []
"""``fn() -> Any`` after a round of tracking events was processed (committed): the offers count the
``track "Offer Accepted"`` events among them as acceptances."""
