"""Credit control: the imported receivables ledger (the one write path for invoices) and what it tells about a
customer: open balance, the oldest overdue days, the dunning level they reach under the customer's country's
rule, and a warning (or, when the credit policy says so, a refusal) when a new deal or order would pass the
credit limit or the customer is in debt collection."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F, Min, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from kundebase.core.errors import DomainError, ErrorCollector, FieldError
from kundebase.sales import dunning
from kundebase.sales.models import Deal, DunningLevel, Invoice

MAX_ROWS = 100_000


@dataclass
class CreditPosition:
    open_balance: Decimal
    overdue_balance: Decimal
    days_overdue: int
    credit_limit: Decimal | None
    open_deals: Decimal
    in_collection: bool
    country: str
    dunning_level: str
    """Computed from the days overdue and the country's rule."""
    recorded_dunning_status: str
    """The company's dunning status as recorded by hand (``none`` for persons)."""
    payment_terms_days: int | None

    @property
    def headroom(self) -> Decimal | None:
        return None if self.credit_limit is None else self.credit_limit - self.open_balance


def _date(value: Any, key: str, errors: ErrorCollector) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value or "").strip())
    except ValueError:
        errors.add(key, _("%(v)s is not a date (YYYY-MM-DD)") % {"v": value}, "invalid_date")
        return None


def _amount(value: Any, key: str, errors: ErrorCollector, default: str | None = None) -> Decimal:
    from decimal import InvalidOperation

    text = str(value if value not in (None, "") else (default or "")).strip().replace(" ", "").replace(",", ".")
    try:
        number = Decimal(text)
        if not number.is_finite() or abs(number) >= Decimal("1e12"):
            raise InvalidOperation
    except InvalidOperation:
        errors.add(key, _("%(v)s is not a number") % {"v": value}, "invalid_number")
        return Decimal(0)
    if number < 0:
        errors.add(key, _("Must not be negative"), "negative")
    return number.quantize(Decimal("0.01"))


def _is_id(value: Any) -> bool:
    """A row's ``party_id`` that can be a record's id: digits only, and short enough for a 64-bit key (a file
    can hold any text there)."""
    text = str(value).strip()
    return text.isascii() and text.isdigit() and len(text) <= 18


def _due_by_terms(party_id: int | None, issued: dt.date | None, terms: dict[int, int | None]) -> dt.date | None:
    """A row without a due date is due after the customer's payment terms (its own, else its country's)."""
    if party_id is None or issued is None:
        return None
    if party_id not in terms:
        terms[party_id] = dunning.payment_terms(party_id)
    days = terms[party_id]
    return issued + dt.timedelta(days=days) if days is not None else issued


@transaction.atomic
def import_ledger(rows: list[dict[str, Any]], *, source: str = "") -> dict[str, int]:
    """Check every row (``customer_number`` or ``party_id``, ``invoice_number``, ``issued_on``, ``due_on``,
    ``amount``, ``paid``), report all bad fields as ``rows[i].field``, then create or update by invoice number."""
    from kundebase.parties.models import Party

    errors = ErrorCollector()
    if len(rows) > MAX_ROWS:
        errors.add("rows", _("At most %(n)d rows") % {"n": MAX_ROWS}, "too_long")
        errors.raise_if_any()
    numbers = {str(r.get("customer_number") or "").strip() for r in rows} - {""}
    by_number = dict(Party.objects.filter(customer_number__in=numbers, merged_into__isnull=True)
                     .values_list("customer_number", "pk"))
    ids = {r.get("party_id") for r in rows if r.get("party_id") not in (None, "")}
    known_ids = set(Party.objects.filter(pk__in=[int(str(i)) for i in ids if _is_id(i)]).values_list("pk", flat=True))
    seen: dict[str, int] = {}
    terms: dict[int, int | None] = {}
    cleaned = []
    for i, row in enumerate(rows):
        at = f"rows[{i}]."
        party_id = None
        if row.get("party_id") not in (None, ""):
            party_id = int(str(row["party_id"])) if _is_id(row["party_id"]) else None
            if party_id not in known_ids:
                errors.add(at + "party_id", _("Customer %(id)s does not exist") % {"id": row["party_id"]},
                           "not_found")
        else:
            number = str(row.get("customer_number") or "").strip()
            party_id = by_number.get(number)
            if party_id is None:
                errors.add(at + "customer_number", _("No customer has number %(n)s") % {"n": number or "—"},
                           "not_found")
        invoice = str(row.get("invoice_number") or "").strip()
        if not invoice or len(invoice) > 60:
            errors.add(at + "invoice_number", _("Give an invoice number of at most 60 characters"), "required")
        elif invoice in seen:
            errors.add(at + "invoice_number", _("Invoice %(n)s is also in row %(r)d")
                       % {"n": invoice, "r": seen[invoice] + 1}, "duplicate")
        seen.setdefault(invoice, i)
        issued = _date(row.get("issued_on"), at + "issued_on", errors)
        due = (_date(row.get("due_on"), at + "due_on", errors) if str(row.get("due_on") or "").strip()
               else _due_by_terms(party_id, issued, terms))
        if issued and due and due < issued:
            errors.add(at + "due_on", _("The due date is before the invoice date"), "before_issue")
        amount = _amount(row.get("amount"), at + "amount", errors)
        paid = _amount(row.get("paid"), at + "paid", errors, default="0")
        if paid > amount:
            errors.add(at + "paid", _("Payments of %(p)s exceed the invoice amount %(a)s") % {"p": paid, "a": amount},
                       "exceeds_invoice")
        cleaned.append({"party_id": party_id, "invoice_number": invoice, "issued_on": issued, "due_on": due,
                        "amount": amount, "paid": paid})
    errors.raise_if_any()
    existing = set(Invoice.objects.filter(invoice_number__in=seen).values_list("invoice_number", flat=True))
    for row in cleaned:
        Invoice.objects.update_or_create(invoice_number=row.pop("invoice_number"),
                                         defaults={**row, "source": source[:120]})
    return {"created": len(cleaned) - len(existing), "updated": len(existing)}


def position(party_id: int, *, today: dt.date | None = None) -> CreditPosition:
    """What the ledger, the country's dunning rule and the open deals say about a customer's credit."""
    from kundebase.parties.models import Company

    today = today or timezone.localdate()
    unpaid = Invoice.objects.filter(party_id=party_id, paid__lt=F("amount"))
    sums = unpaid.aggregate(open=Sum(F("amount") - F("paid")),
                            overdue=Sum(F("amount") - F("paid"), filter=Q(due_on__lt=today)),
                            oldest=Min("due_on", filter=Q(due_on__lt=today)))
    oldest = sums["oldest"]
    company = Company.objects.filter(pk=party_id).values("credit_limit", "dunning_status", "org_country",
                                                         "payment_terms_days").first()
    deals = Deal.objects.filter(party_id=party_id, status=Deal.Status.OPEN).aggregate(s=Sum("amount_base"))["s"]
    days = max(0, (today - oldest).days) if oldest else 0
    country = dunning.customer_country(party_id, company["org_country"] if company else "")
    rule = dunning.rule_for(country)
    level = rule.level(days) if rule else DunningLevel.NONE
    recorded = str(company["dunning_status"]) if company else DunningLevel.NONE
    cents = Decimal("0.01")  # SQLite sums decimals as floats: give every backend the same two places
    return CreditPosition(
        open_balance=Decimal(sums["open"] or 0).quantize(cents),
        overdue_balance=Decimal(sums["overdue"] or 0).quantize(cents),
        days_overdue=days,
        credit_limit=company["credit_limit"] if company else None, open_deals=Decimal(deals or 0).quantize(cents),
        in_collection=dunning.worse(level, recorded) == DunningLevel.COLLECTION,
        country=country, dunning_level=str(level), recorded_dunning_status=recorded,
        payment_terms_days=(company["payment_terms_days"] if company and company["payment_terms_days"] is not None
                            else rule.payment_terms_days if rule else None))


def _problem(pos: CreditPosition, extra: Decimal) -> FieldError | None:
    """What is wrong with new business of ``extra`` for this customer, on the field to name, or ``None``."""
    if pos.in_collection:
        return FieldError("party_id", _("The customer is in debt collection"), "in_collection")
    if pos.credit_limit is not None and pos.open_balance + extra > pos.credit_limit:
        return FieldError("amount", _("Open balance %(b)s plus %(x)s passes the credit limit %(l)s") % {
            "b": pos.open_balance, "x": extra, "l": pos.credit_limit}, "over_credit_limit")
    return None


def warning(party_id: int, extra: Decimal = Decimal(0)) -> str:
    """A warning to show (web) and return (API) for new business with this customer, or ``""``."""
    found = _problem(position(party_id), extra)
    return str(found.message) if found else ""


class CreditRefused(DomainError):
    """New business refused by the credit policy: a 409 naming the field (``amount`` over the limit,
    ``party_id`` in collection), so forms put it beside that field."""

    def __init__(self, error: FieldError) -> None:
        super().__init__(title="Conflict", status=409, code="credit_refused",
                         detail=_("Refused by the credit policy: %(m)s") % {"m": error.message}, errors=[error])


def check_new_business(party_id: int, amount: Decimal, *, field: str = "amount") -> str:
    """Before a new deal or order is written: the warning it gets, or :class:`CreditRefused` when the policy
    is to refuse. ``field`` is the caller's name for the amount (an order's lines, a deal's amount)."""
    found = _problem(position(party_id), amount)
    if found is None:
        return ""
    if dunning.refuses():
        raise CreditRefused(FieldError(field if found.field == "amount" else found.field, found.message,
                                       found.code))
    return str(found.message)


def order_check(*, party_id: int, amount: Decimal, currency: str, field: str) -> str:
    """The orders app's ``new_business`` hook: the order's amount in the base currency (at the deal rate when
    the order is in another currency with a rate, else as it is) checked like a new deal."""
    from kundebase.sales.models import ExchangeRate

    rate = ExchangeRate.objects.filter(currency=currency.upper()).values_list("rate", flat=True).first()
    base = (amount * rate).quantize(Decimal("0.01")) if rate is not None else amount
    return check_new_business(party_id, base, field=field)
