"""Where report filters get their customer segments and campaign results from (extension points).

The marketing app owns segments and campaigns.  When it is installed it registers a provider
here from its ``AppConfig.ready``; until then the segment filter offers nothing and the
campaign-response report says it has no source.  Analytics never imports marketing.

* ``segment_providers``: callables ``() -> list[Segment]`` listing segments to filter by.
* ``campaign_response_providers``: callables ``(filters) -> list[dict]`` returning rows with
  ``campaign``, ``sent``, ``responded``, ``customers_ordering``, ``revenue`` per campaign.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Segment:
    key: str
    label: str
    members: Callable[[], Iterable[int]]
    """Party ids in the segment, evaluated when a report is filtered by it."""


segment_providers: list[Callable[[], list[Segment]]] = []
campaign_response_providers: list[Callable[[Any], list[dict[str, Any]]]] = []


def available() -> list[Segment]:
    found: list[Segment] = []
    for provider in segment_providers:
        found.extend(provider())
    return found


def find(key: str) -> Segment | None:
    return next((s for s in available() if s.key == key), None)
