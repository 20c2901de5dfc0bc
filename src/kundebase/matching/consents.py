"""Consents after a merge: a withdrawal (or refusal) on either record wins.

Registered in ``core.hooks.after_merge``; it is idempotent, so it does no harm
next to a reconciliation the privacy app may register itself.
"""

from __future__ import annotations

from typing import Any

from kundebase.privacy import consent
from kundebase.privacy.models import ConsentStatus

REFUSED = (ConsentStatus.WITHDRAWN, ConsentStatus.DENIED)


def states_before(survivor_id: int, merged_id: int) -> dict[int, dict[tuple[str, str], str]]:
    return {pid: consent.current_state(pid) for pid in (survivor_id, merged_id)}


def reconcile(*, survivor_id: int, before: dict[int, dict[tuple[str, str], str]], actor: object = None
              ) -> list[tuple[str, str, str]]:
    """Append a withdrawal for the survivor wherever either party had refused and the merged ledger says
    otherwise now.  Returns (purpose, channel, survivor's status before) for each entry written."""
    now_state = consent.current_state(survivor_id)
    written = []
    keys = set().union(*(state.keys() for state in before.values()))
    for purpose, channel in sorted(keys):
        refused = [state.get((purpose, channel)) for state in before.values()
                   if state.get((purpose, channel)) in REFUSED]
        if refused and now_state.get((purpose, channel)) not in REFUSED:
            consent.record(party_id=survivor_id, purpose=purpose, channel=channel, status=ConsentStatus.WITHDRAWN,
                           source="merge", explanation="Merged with a record on which this was withdrawn",
                           actor=actor, channel_of_request="merge")
            written.append((purpose, channel, before.get(survivor_id, {}).get((purpose, channel), consent.NONE)))
    return written


def restore(*, survivor_id: int, written: list[Any], actor: object = None) -> None:
    """After an unmerge, give the survivor back the state it had where only the merge had withdrawn.

    The ledger is append-only, so this appends the earlier status again.  Where the survivor had no
    entry at all ("none"), the withdrawal stays: the ledger cannot say "none", and refusing is the safe side.
    """
    for purpose, channel, status in written:
        if status in ConsentStatus.values:
            consent.record(party_id=survivor_id, purpose=purpose, channel=channel, status=status, source="merge",
                           explanation="Merge undone: the withdrawal belonged to the other record",
                           actor=actor, channel_of_request="merge")
