"""Template context every page gets: the menu the signed-in user may see, with the current page marked."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from kundebase.web.navigation import menu_for, visible_to


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {"nav_items": visible_to(user), "menu": menu_for(user, request.path)}
