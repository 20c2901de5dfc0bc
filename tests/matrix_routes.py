"""Every route of the product, for the role × route matrix: API operations from the OpenAPI schema, pages from
the root URL configuration (admin, tracking and public pages included)."""

from __future__ import annotations

import re
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

API_PREFIX = "/api/v1"


def api_operations() -> list[tuple[str, str]]:
    """``[(METHOD, "/api/v1/path/{param}")]`` of every operation of the ninja API."""
    from kundebase.urls import api

    schema = api.get_openapi_schema()
    return sorted((method.upper(), path) for path, ops in schema["paths"].items() for method in ops)


def _walk(resolver: URLResolver, prefix: str = "") -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for pattern in resolver.url_patterns:
        text = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            out += _walk(pattern, text)
        elif isinstance(pattern, URLPattern):
            out.append((text, pattern))
    return out


def page_routes() -> list[str]:
    """Every URL pattern of the root configuration outside the API, as written (``customers/<int:party_id>/``)."""
    return sorted({"/" + text.lstrip("^") for text, _p in _walk(get_resolver())
                   if not text.startswith("api/v1/")})


def page_patterns() -> list[tuple[str, URLPattern]]:
    """``[("/customers/<int:party_id>/", pattern)]`` of every page of the root URL configuration that the page
    guard answers for: the API (its own authentication) and Django's admin site (its own staff-only guard) are
    left out; everything else, in every app, is a page."""
    out = []
    for text, pattern in _walk(get_resolver()):
        ours = (getattr(pattern.callback, "__module__", "") or "").startswith("kundebase.")
        if text.startswith("api/v1/") or (text.startswith("admin/") and not ours):
            continue
        out.append(("/" + text.lstrip("^"), pattern))
    return sorted(out, key=lambda item: item[0])


def fill(template: str, values: dict[str, Any]) -> str:
    """Put seeded ids into a route's parameters (``{party_id}`` or ``<int:party_id>``)."""
    def one(match: re.Match[str]) -> str:
        name = match.group(1).split(":")[-1]
        return str(values.get(name, 999999))

    return re.sub(r"[{<]([^}>]+)[}>]", one, template)
