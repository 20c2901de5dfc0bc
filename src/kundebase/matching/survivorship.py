"""Which value a merged customer shows per field: verified first, then the most recent non-empty.

This is the default policy; the ingest team's ``kundebase.ingest.survivorship`` is used instead
when it is installed (it knows source priorities).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kundebase.core.models import Observation

PERSON_FIELDS = ("given_name", "family_name", "birth_date", "gender", "preferred_language")
COMPANY_FIELDS = ("legal_name", "org_number", "org_country", "industry_code", "employees", "annual_revenue",
                  "bank_account", "payment_terms_days", "credit_limit", "preferred_language")


def choose(kind: str, survivor_id: int, merged_id: int, current: Mapping[int, Mapping[str, Any]]) -> dict[str, Any]:
    """Field → value to show on the survivor.  ``current`` holds both parties' present values by party id."""
    names = PERSON_FIELDS if kind == "person" else COMPANY_FIELDS
    observed: dict[str, list[tuple[bool, Any, str]]] = {}
    for obs in Observation.objects.filter(entity=kind, record_id__in=[survivor_id, merged_id], field__in=names):
        if obs.value not in ("", "None"):
            observed.setdefault(obs.field, []).append((obs.verified, obs.received_at, obs.value))
    chosen: dict[str, Any] = {}
    for name in names:
        candidates = sorted(observed.get(name, []), key=lambda o: (o[0], o[1]), reverse=True)
        mine, theirs = current[survivor_id].get(name), current[merged_id].get(name)
        # the observed text is the provenance; the typed value comes from whichever party holds it
        if candidates:
            text = candidates[0][2]
            value = next((v for v in (mine, theirs) if v not in (None, "") and str(v) == text), None)
            if value is not None:
                chosen[name] = value
                continue
        chosen[name] = mine if mine not in (None, "") else theirs
    return chosen
