"""Analytics' periodic work, queued by the worker (see :mod:`kundebase.core.periodic`).

``refit_lifetime_model`` renews the lifetime-value fit once it is older than ``MODEL_MAX_AGE``: reads use the
stored fit of any age, so no request ever waits for a refit.
"""

from __future__ import annotations

from django_tasks import task

from kundebase.analytics import keyfigures

CHECK_EVERY = 600.0
"""Seconds between looks at the fit's age (a look costs one read of the mirror's ``_models`` row)."""


@task()
def refit_lifetime_model() -> bool:
    """Fit the lifetime-value model again if it is stale; returns whether it did."""
    return keyfigures.refit_if_stale()


def refit_every() -> float:
    return CHECK_EVERY
