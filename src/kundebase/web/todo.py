"""What needs doing: the home dashboard's list of waiting work, each line only for the roles that may act on it.

A line is a count with a link to the page where the work is done (duplicates waiting for review, imports with
errors, consents about to expire, open cases, privacy requests due).  Lines are a registry like the dashboard's
panels: an app adds its own with :func:`register`, the built-in ones below use the same door.  Each line costs
one query, and a line with nothing waiting is left out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext

from kundebase.web.labels import count

EXPIRY_AHEAD = dt.timedelta(days=30)
IMPORTS_SINCE = dt.timedelta(days=30)
REQUESTS_AHEAD = dt.timedelta(days=7)
EXAMPLES = 5
COUNT_UP_TO = 100
"""A line counts at most this many rows it also reads (more shows as "100+")."""


@dataclass(frozen=True)
class Todo:
    """One line: ``text`` (with its count in words), where to act, and a few examples to open directly."""

    key: str
    text: str
    href: str
    urgent: bool = False
    examples: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class TodoSource:
    key: str
    perms: tuple[str, ...]
    build: Callable[[Any], Todo | None]
    """Given the user, the line, or ``None`` when nothing is waiting."""


SOURCES: list[TodoSource] = []


def register(source: TodoSource) -> None:
    if all(existing.key != source.key for existing in SOURCES):
        SOURCES.append(source)


def for_user(user: Any) -> list[Todo]:
    """The lines this user may see, in registration order, empty ones left out."""
    out = []
    for source in SOURCES:
        if user.has_perms(source.perms):
            line = source.build(user)
            if line is not None:
                out.append(line)
    return out


def _counted(key: str, rows: Any, text: Callable[[int], str], url: str, *, urgent: bool = False) -> Todo | None:
    """A line that is a count of ``rows`` (one query); ``text`` gives the plural message with ``%(n)s`` for a
    count (the form is chosen by the number, the number is written grouped, as the reader's language does)."""
    n = rows.count()
    return Todo(key, text(n) % {"n": count(n)}, reverse(url), urgent=urgent) if n else None


def _duplicates(user: Any) -> Todo | None:
    from kundebase.matching.models import ReviewPair

    return _counted("duplicates", ReviewPair.objects.filter(status=ReviewPair.Status.OPEN), lambda n: ngettext(
        "%(n)s possible duplicate waiting for review", "%(n)s possible duplicates waiting for review", n),
        "matching:review")


def _many(n: int) -> str:
    return f"{count(COUNT_UP_TO)}+" if n > COUNT_UP_TO else count(n)


def _imports(user: Any) -> Todo | None:
    from kundebase.ingest.models import ImportJob

    since = timezone.now() - IMPORTS_SINCE
    jobs = list(ImportJob.objects.filter(Q(error_count__gt=0) | Q(status=ImportJob.Status.FAILED),
                                         created_at__gte=since).order_by("-id")
                .values("pk", "file_name")[:COUNT_UP_TO + 1])
    if not jobs:
        return None
    text = ngettext("%(n)s import with errors in the last 30 days", "%(n)s imports with errors in the last 30 days",
                    len(jobs)) % {"n": _many(len(jobs))}
    examples = [(j["file_name"], reverse("ingest:import-detail", args=[j["pk"]])) for j in jobs[:EXAMPLES]]
    href = examples[0][1] if len(jobs) == 1 else reverse("ingest:imports")
    return Todo("imports", text, href, urgent=True, examples=examples)


def _consents(user: Any) -> Todo | None:
    from kundebase.privacy.models import ConsentEvent, ConsentStatus

    now = timezone.now()
    later = ConsentEvent.objects.filter(party_id=OuterRef("party_id"), purpose_id=OuterRef("purpose_id"),
                                        channel=OuterRef("channel"), captured_at__gt=OuterRef("captured_at"))
    rows = list(ConsentEvent.objects.filter(status=ConsentStatus.GRANTED, valid_until__gt=now,
                                            valid_until__lte=now + EXPIRY_AHEAD, party__merged_into__isnull=True)
                .exclude(Exists(later)).order_by("valid_until")
                .values_list("party_id", "party__display_name")[:COUNT_UP_TO + 1])
    if not rows:
        return None
    people = dict(rows)
    text = ngettext("%(n)s customer's consent runs out within 30 days",
                    "%(n)s customers' consents run out within 30 days", len(people)) % {"n": _many(len(people))}
    examples = [(name, reverse("privacy:person", args=[pid])) for pid, name in list(people.items())[:EXAMPLES]]
    return Todo("consents", text, examples[0][1], examples=examples)


def _cases(user: Any) -> Todo | None:
    from kundebase.service.models import Case

    open_cases = Case.objects.filter(status=Case.Status.OPEN).filter(Q(assigned_to=user) | Q(assigned_to__isnull=True))
    found = open_cases.aggregate(n=Count("id"), late=Count("id", filter=Q(due_at__lt=timezone.now())))
    if not found["n"]:
        return None
    text = ngettext("%(n)s open case for you or nobody yet", "%(n)s open cases for you or nobody yet",
                    found["n"]) % {"n": count(found["n"])}
    if found["late"]:
        text += " · " + ngettext("%(n)s overdue", "%(n)s overdue", found["late"]) % {"n": count(found["late"])}
    return Todo("cases", text, reverse("service:cases"), urgent=bool(found["late"]))


def _requests(user: Any) -> Todo | None:
    from kundebase.privacy.models import DataSubjectRequest

    due = DataSubjectRequest.objects.filter(status=DataSubjectRequest.Status.OPEN,
                                            due_at__lte=timezone.now() + REQUESTS_AHEAD)
    return _counted("requests", due, lambda n: ngettext(
        "%(n)s privacy request due within a week", "%(n)s privacy requests due within a week", n),
        "privacy:home", urgent=True)


def _quarantine(user: Any) -> Todo | None:
    from kundebase.privacy.models import Quarantine

    return _counted("quarantine", Quarantine.objects.filter(status=Quarantine.Status.PENDING), lambda n: ngettext(
        "%(n)s imported row held back for review", "%(n)s imported rows held back for review", n),
        "privacy:quarantine")


for _source in (
    TodoSource("duplicates", ("matching.view_reviewpair",), _duplicates),
    TodoSource("imports", ("ingest.view_importjob",), _imports),
    TodoSource("consents", ("privacy.view_consentevent", "parties.view_party"), _consents),
    TodoSource("cases", ("service.view_case",), _cases),
    TodoSource("requests", ("privacy.view_datasubjectrequest",), _requests),
    TodoSource("quarantine", ("privacy.view_quarantine",), _quarantine),
):
    register(_source)
