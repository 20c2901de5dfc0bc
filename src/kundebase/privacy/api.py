"""REST routes of the privacy app (mounted under /api/v1/privacy by kundebase.api)."""

from ninja import Router

router = Router(tags=["privacy"])
