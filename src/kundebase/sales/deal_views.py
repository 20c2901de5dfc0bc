"""Deal-list filters and the saved views that name them: the one place that reads a filter set (from the page's
query string, the API's parameters or a saved view) and applies it, and the one write path for saved views.

A saved view is a user's own, named (unique per user), and private unless shared; a shared view is offered to
everyone who reads deals, and each reader still sees only the deals they may see (:func:`access.deals_for`).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from kundebase.core.errors import ErrorCollector, NotFound
from kundebase.sales.models import Deal, SavedDealView

FILTERS = ("status", "pipeline", "stage", "owner", "q")
"""The keys of a filter set: status (open, won, lost), pipeline, stage and owner (ids), q (title contains)."""
MAX_VIEWS = 100


def clean_filters(raw: dict[str, Any], errors: ErrorCollector, *, prefix: str = "filters") -> dict[str, Any]:
    """A filter set with only known keys and valid values; empty values are left out."""
    out: dict[str, Any] = {}
    for key, value in (raw or {}).items():
        field = f"{prefix}.{key}"
        if key not in FILTERS:
            errors.add(field, _("Unknown filter; use one of: %(c)s") % {"c": ", ".join(FILTERS)}, "unknown_filter")
            continue
        if value in (None, ""):
            continue
        if key == "status":
            if value not in Deal.Status.values:
                errors.add(field, _("%(v)s is not one of: %(c)s") % {"v": value, "c": ", ".join(Deal.Status.values)},
                           "invalid_choice")
            else:
                out[key] = value
        elif key == "q":
            text = str(value).strip()
            if len(text) > 200:
                errors.add(field, _("At most %(n)d characters (got %(m)d)") % {"n": 200, "m": len(text)},
                           "too_long")
            elif text:
                out[key] = text
        else:
            try:
                number = int(str(value))
            except ValueError:
                errors.add(field, _("%(v)s is not a whole number") % {"v": value})
                continue
            if number < 1:
                errors.add(field, _("%(v)s is not a whole number") % {"v": value})
            else:
                out[key] = number
    return out


def from_query(params: Any) -> dict[str, Any]:
    """The filter set of a page's query string; values that do not parse are ignored (a page never fails on a
    hand-edited address)."""
    errors = ErrorCollector()
    raw = {key: params.get(key, "") for key in FILTERS}
    cleaned = clean_filters(raw, errors)
    bad = {e.field.split(".", 1)[1] for e in errors.errors}
    return {k: v for k, v in cleaned.items() if k not in bad}


def apply_filters(deals: QuerySet[Deal], filters: dict[str, Any]) -> QuerySet[Deal]:
    if filters.get("status"):
        deals = deals.filter(status=filters["status"])
    for key, column in (("pipeline", "pipeline_id"), ("stage", "stage_id"), ("owner", "owner_id")):
        if filters.get(key):
            deals = deals.filter(**{column: filters[key]})
    if filters.get("q"):
        deals = deals.filter(title__icontains=filters["q"])
    return deals


def visible_views(user: Any) -> QuerySet[SavedDealView]:
    """The user's own views and those others shared."""
    return SavedDealView.objects.filter(Q(owner_id=getattr(user, "pk", None)) | Q(shared=True)).select_related(
        "owner")


def view_or_404(user: Any, view_id: int) -> SavedDealView:
    found = visible_views(user).filter(pk=view_id).first()
    if found is None:
        raise NotFound(_("Saved view"), view_id)
    return found


@transaction.atomic
def save_view(*, actor: Any, name: Any, filters: dict[str, Any], shared: bool = False) -> SavedDealView:
    """Save (or, under a name the user already used, replace) a named filter set."""
    errors = ErrorCollector()
    clean_name = str(name or "").strip()
    if not clean_name:
        errors.add("name", _("Required"), "required")
    elif len(clean_name) > 80:
        errors.add("name", _("At most %(n)d characters (got %(m)d)") % {"n": 80, "m": len(clean_name)}, "too_long")
    cleaned = clean_filters(filters, errors)
    mine = SavedDealView.objects.filter(owner=actor)
    if not mine.filter(name=clean_name).exists() and mine.count() >= MAX_VIEWS:
        errors.add("name", _("At most %(n)d saved views each") % {"n": MAX_VIEWS}, "too_many")
    errors.raise_if_any()
    view, _created = SavedDealView.objects.update_or_create(owner=actor, name=clean_name,
                                                             defaults={"filters": cleaned, "shared": bool(shared)})
    return view


@transaction.atomic
def delete_view(*, actor: Any, view_id: int) -> None:
    """Remove one of the user's own views (someone else's, shared or not, is not found)."""
    found = SavedDealView.objects.filter(pk=view_id, owner_id=getattr(actor, "pk", None)).first()
    if found is None:
        raise NotFound(_("Saved view"), view_id)
    found.delete()
