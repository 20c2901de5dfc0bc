"""Sections other apps add to the home dashboard (so an app shows its own to-dos without editing web)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest


@dataclass(frozen=True)
class Panel:
    key: str
    template: str
    context: Callable[[HttpRequest], dict[str, Any] | None]
    """Returns the panel's data, or ``None`` when this user may not see it."""


PANELS: list[Panel] = []


def register(panel: Panel) -> None:
    if all(existing.key != panel.key for existing in PANELS):
        PANELS.append(panel)


def for_request(request: HttpRequest) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for panel in PANELS:
        data = panel.context(request)
        if data is not None:
            out.append((panel.template, data))
    return out
