"""REST routes of the marketing app (mounted under /api/v1/marketing by kundebase.api)."""

from ninja import Router

router = Router(tags=["marketing"])
