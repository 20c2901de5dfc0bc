"""The REST API under ``/api/v1``: one NinjaAPI, one router per app, one error shape."""

from __future__ import annotations

from ninja import NinjaAPI

from kundebase import __version__
from kundebase.core import problems
from kundebase.core.api_auth import AUTH

api = NinjaAPI(
    title="Kundebase API",
    version=__version__,
    description="The customer database of the whole company. Errors are application/problem+json (RFC 9457); "
    "writes accept If-Match with the ETag of the last read and answer 412 when the record changed meanwhile.",
    auth=AUTH,
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
    parser=problems.JsonParser(),
)
problems.install(api)

ROUTERS = [
    # First: the web shop's profile and offer reads are the hot path, and Django tries the paths in this order
    # (for a profile read, matching past a hundred paths of the other apps took a sixth of the request).
    ("offers", "kundebase.offers.api"),
    ("core", "kundebase.core.api"),
    ("tokens", "kundebase.core.tokens_api"),
    ("parties", "kundebase.parties.api"),
    ("interactions", "kundebase.interactions.api"),
    ("orders", "kundebase.orders.api"),
    ("privacy", "kundebase.privacy.api"),
    ("ingest", "kundebase.ingest.api"),
    ("matching", "kundebase.matching.api"),
    ("marketing", "kundebase.marketing.api"),
    ("analytics", "kundebase.analytics.api"),
    ("service", "kundebase.service.api"),
    ("sales", "kundebase.sales.api"),
    ("sales-credit", "kundebase.sales.api_credit"),
    ("sales-reports", "kundebase.sales.api_reports"),
    ("sales-teams", "kundebase.sales.api_teams"),
    ("sales-views", "kundebase.sales.api_deal_views"),
]
"""Each app's router, mounted at the root of /api/v1; each app names its own paths."""


def _mount() -> None:
    from importlib import import_module

    for _name, module in ROUTERS:
        api.add_router("", import_module(module).router)


_mount()
