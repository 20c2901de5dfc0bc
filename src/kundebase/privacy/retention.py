"""Retention: who has been kept long enough, per country and category, and the default "active" view.

Policies live in ``CountryPolicy`` (seeded per country, editable): inactive prospects are erased after
``prospect_months`` without any contact, order or change; former customers (status ``inactive``) after
``ex_customer_years`` since their last order.  The job always produces the plan first (dry run); ``apply``
erases each listed person in its own transaction and logs it like any erasure request.

Bookkeeping: an erased person's orders are anonymised and kept only because bookkeeping law demands it, for
``bookkeeping_years`` after the end of the financial year of the order (bokføringsloven § 13: five years after
the year's end).  The law is that of the company keeping the books, so the policy of
``KUNDEBASE_DEFAULT_COUNTRY`` applies.  Once that period is over nothing justifies keeping them: ``apply``
deletes those anonymised orders with their lines.  Orders of customers who are not erased are not touched.

Records with a retention period of their own (e-mail bodies and attachments: ``KUNDEBASE_MAIL_RETENTION_DAYS``)
are :class:`Expiry` entries an app appends to :data:`expiries` in its ``AppConfig.ready``: the plan counts what
each would remove, ``apply_expiries`` removes it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from kundebase.privacy.models import CountryPolicy


def active_customers(qs: QuerySet[Any] | None = None) -> QuerySet[Any]:
    """The default view of the register: not erased, not merged away, not restricted.

    Pass any Party/Person/Company queryset to narrow it; lists, exports and marketing start here."""
    from kundebase.parties.models import Party

    base = Party.objects.all() if qs is None else qs
    return base.filter(erased_at__isnull=True, merged_into__isnull=True, restricted_at__isnull=True)


@dataclass
class Candidate:
    party_id: int
    country: str
    category: str
    last_activity: dt.datetime | None


@dataclass(frozen=True)
class Expiry:
    """A kind of record removed once it is older than its own retention period (not a whole person)."""

    name: str
    """What goes, for the report: ``"e-mail bodies"``."""
    count: Callable[[dt.datetime], int]
    """How many records are past their period at this moment (read only)."""
    remove: Callable[[dt.datetime, object], int]
    """Remove what is past its period at this moment (``actor`` for the audit log); returns how many."""


expiries: list[Expiry] = []


@dataclass
class RetentionPlan:
    generated_at: dt.datetime
    candidates: list[Candidate] = field(default_factory=list)
    bookkeeping_country: str = ""
    bookkeeping_years: int = 0
    orders_kept_until: dt.datetime | None = None
    """Anonymised orders placed before this moment are past their bookkeeping period."""
    expired_orders: list[int] = field(default_factory=list)
    expiring: dict[str, int] = field(default_factory=dict)
    """Per :class:`Expiry` name, how many records are past their own retention period."""

    def summary(self) -> dict[tuple[str, str], int]:
        counts: dict[tuple[str, str], int] = {}
        for c in self.candidates:
            counts[(c.country, c.category)] = counts.get((c.country, c.category), 0) + 1
        return counts


def _months_ago(now: dt.datetime, months: int) -> dt.datetime:
    return now - dt.timedelta(days=round(months * 30.44))


def plan(*, now: dt.datetime | None = None) -> RetentionPlan:
    """Which persons the policies would erase now (read only)."""
    from kundebase.interactions.models import Interaction
    from kundebase.orders.models import Order
    from kundebase.parties.models import Address, Person

    now = now or timezone.now()
    policies = {p.country: p for p in CountryPolicy.objects.all()}
    fallback = policies.get("*") or CountryPolicy(country="*", bookkeeping_years=10)
    last_order = (Order.objects.filter(party_id=OuterRef("pk")).values("party_id")
                  .annotate(m=Max("ordered_at")).values("m"))
    last_contact = (Interaction.objects.filter(party_id=OuterRef("pk")).values("party_id")
                    .annotate(m=Max("occurred_at")).values("m"))
    country = Address.objects.filter(party_id=OuterRef("pk")).order_by("-is_primary", "id").values("country")[:1]
    qs = (Person.objects.filter(erased_at__isnull=True, restricted_at__isnull=True)
          .annotate(last_order=Subquery(last_order), last_contact=Subquery(last_contact), country=Subquery(country))
          .annotate(last_activity=Greatest(Coalesce("last_order", "updated_at"), Coalesce("last_contact", "updated_at"),
                                           "updated_at")))
    shortest_prospect = min([p.prospect_months for p in policies.values()] or [fallback.prospect_months])
    shortest_ex = min([p.ex_customer_years for p in policies.values()] or [fallback.ex_customer_years])
    qs = qs.filter(Q(status="prospect", last_activity__lt=_months_ago(now, shortest_prospect))
                   | Q(status="inactive", last_activity__lt=_months_ago(now, 12 * shortest_ex)))
    result = RetentionPlan(generated_at=now)
    _plan_bookkeeping(result, policies, fallback, now)
    result.expiring = {expiry.name: expiry.count(now) for expiry in expiries}
    for pid, status, where, last in qs.values_list("pk", "status", "country", "last_activity").iterator():
        where = where or settings.KUNDEBASE_DEFAULT_COUNTRY
        policy = policies.get(where, fallback)
        if status == "prospect" and last < _months_ago(now, policy.prospect_months):
            result.candidates.append(Candidate(pid, where, "inactive_prospect", last))
        elif status == "inactive" and last < _months_ago(now, 12 * policy.ex_customer_years):
            result.candidates.append(Candidate(pid, where, "former_customer", last))
    return result


def bookkeeping_cutoff(now: dt.datetime, years: int) -> dt.datetime:
    """The start of the oldest financial (calendar) year still to be kept, in the local time zone.

    An order of 2020 belongs to the financial year ending 31 December 2020; with five years it is kept through
    31 December 2025, so on 1 January 2026 the cut-off is 1 January 2021."""
    local = timezone.localtime(now)
    return local.replace(year=local.year - years, month=1, day=1, hour=0, minute=0, second=0, microsecond=0)


def _plan_bookkeeping(result: RetentionPlan, policies: dict[str, CountryPolicy], fallback: CountryPolicy,
                      now: dt.datetime) -> None:
    from kundebase.orders.models import Order

    country = settings.KUNDEBASE_DEFAULT_COUNTRY
    years = policies.get(country, fallback).bookkeeping_years
    cutoff = bookkeeping_cutoff(now, years)
    result.bookkeeping_country, result.bookkeeping_years, result.orders_kept_until = country, years, cutoff
    result.expired_orders = list(Order.objects.filter(anonymised_at__isnull=False, ordered_at__lt=cutoff)
                                 .order_by("pk").values_list("pk", flat=True))


def delete_expired_orders(retention_plan: RetentionPlan, *, actor: object = "retention",
                          batch: int = 500) -> int:
    """Delete the anonymised orders past their bookkeeping period (with their lines), in batches.

    Each batch is one transaction with one audit entry naming how many orders went and why; an order that was
    un-anonymised or changed meanwhile is re-checked and skipped."""
    from django.db import transaction

    from kundebase.core import audit
    from kundebase.orders.models import Order

    cutoff = retention_plan.orders_kept_until
    if cutoff is None:
        return 0
    done = 0
    ids = retention_plan.expired_orders
    for start in range(0, len(ids), batch):
        with transaction.atomic():
            chunk = Order.objects.filter(pk__in=ids[start:start + batch], anonymised_at__isnull=False,
                                         ordered_at__lt=cutoff)
            count = chunk.count()
            if not count:
                continue
            chunk.delete()
            audit.record(action="erase", actor=actor, entity="order", channel="retention",
                         note=f"{count} anonymised orders placed before {cutoff:%Y-%m-%d} deleted: bookkeeping "
                              f"period of {retention_plan.bookkeeping_years} years "
                              f"({retention_plan.bookkeeping_country}) is over")
            done += count
    return done


def apply_expiries(retention_plan: RetentionPlan, *, actor: object = "retention") -> dict[str, int]:
    """Remove the records past their own retention period (as of the plan's moment); per name, how many."""
    return {expiry.name: expiry.remove(retention_plan.generated_at, actor) for expiry in expiries}


def apply(retention_plan: RetentionPlan, *, actor: object = "retention", progress: Any = None) -> int:
    """Erase every candidate of the plan (each in its own transaction); returns how many were erased."""
    from kundebase.core.errors import DomainError
    from kundebase.privacy.erasure import erase

    done = 0
    for candidate in retention_plan.candidates:
        try:
            erase(party_id=candidate.party_id, actor=actor, channel="retention",
                  requested_by=f"retention policy: {candidate.category} ({candidate.country})")
            done += 1
        except DomainError:
            continue  # erased or changed meanwhile; the next run re-plans
        if progress is not None:
            progress(1)
    return done
