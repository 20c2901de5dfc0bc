"""Template context every page gets: the menu the signed-in user may see."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from kundebase.web.navigation import visible_to


def navigation(request: HttpRequest) -> dict[str, Any]:
    return {"nav_items": visible_to(getattr(request, "user", None))}
