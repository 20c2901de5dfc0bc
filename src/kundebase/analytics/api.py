"""REST routes of the analytics app (mounted under /api/v1/analytics by kundebase.api)."""

from ninja import Router

router = Router(tags=["analytics"])
