"""REST routes of the ingest app (mounted under /api/v1/ingest by kundebase.api)."""

from ninja import Router

router = Router(tags=["ingest"])
