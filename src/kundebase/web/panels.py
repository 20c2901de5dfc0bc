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


@dataclass(frozen=True)
class CustomerPanel:
    """A section another app adds to a customer's page (sales: the credit position and dunning level)."""

    key: str
    template: str
    context: Callable[[HttpRequest, Any], dict[str, Any] | None]
    """Given the request and the customer, the panel's data, or ``None`` when there is nothing to show or the
    user may not see it."""


CUSTOMER_PANELS: list[CustomerPanel] = []


def register_customer(panel: CustomerPanel) -> None:
    if all(existing.key != panel.key for existing in CUSTOMER_PANELS):
        CUSTOMER_PANELS.append(panel)


def for_customer(request: HttpRequest, party: Any) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for panel in CUSTOMER_PANELS:
        data = panel.context(request, party)
        if data is not None:
            out.append((panel.template, data))
    return out
