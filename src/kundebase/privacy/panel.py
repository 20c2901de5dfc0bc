"""The privacy section of a customer's 360 page: the person's consents, requests, access report and erasure,
where people are when the customer asks, instead of a separate page that wants an id."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def privacy_panel(request: HttpRequest, party: Any) -> dict[str, Any] | None:
    """Links for what this user may do; nothing when they may do none of it."""
    user = request.user
    may = {"consents": user.has_perm("privacy.view_consentevent"),
           "requests": user.has_perm("privacy.view_datasubjectrequest"),
           "act": user.has_perm("privacy.add_datasubjectrequest")}
    if not any(may.values()):
        return None
    erased = party.erased_at is not None
    return {**may, "erased": erased, "person": party.kind == "person",
            "erasable": may["act"] and party.kind == "person" and not erased}


def register() -> None:
    from kundebase.web.panels import CustomerPanel, register_customer

    register_customer(CustomerPanel("privacy", "privacy/customer_privacy.html", privacy_panel))
