"""REST routes of the matching app (mounted under /api/v1/matching by kundebase.api)."""

from ninja import Router

router = Router(tags=["matching"])
