"""REST routes of credit control: the ledger import, a customer's credit position, the dunning rules per country
and the credit policy (thin: :mod:`kundebase.sales.credit` and :mod:`kundebase.sales.dunning` decide)."""

from __future__ import annotations

from decimal import Decimal

from django.http import HttpRequest
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import ConfigDict, Field, StrictInt

from kundebase.core.api_auth import require
from kundebase.core.errors import NotFound
from kundebase.core.problems import Problem
from kundebase.sales import credit, dunning, ledger_file
from kundebase.sales.models import DunningRule

router = Router(tags=["sales"])
ERRORS = {400: Problem, 401: Problem, 403: Problem, 404: Problem, 409: Problem, 422: Problem}


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")


class InvoiceRow(Strict):
    customer_number: str | None = Field(None, max_length=40)
    party_id: StrictInt | None = None
    invoice_number: str = Field(max_length=60)
    issued_on: str = Field(max_length=10)
    due_on: str = Field("", max_length=10, description="Default: the invoice date plus the customer's payment "
                                                          "terms (its own, else its country's)")
    amount: str = Field(max_length=30)
    paid: str = Field("0", max_length=30)


class LedgerIn(Strict):
    source: str = Field("", max_length=120)
    rows: list[InvoiceRow] = Field(max_length=100_000)


class LedgerOut(Schema):
    created: int
    updated: int


class CreditOut(Schema):
    party_id: int
    open_balance: Decimal
    overdue_balance: Decimal
    days_overdue: int
    credit_limit: Decimal | None
    headroom: Decimal | None
    open_deals: Decimal
    in_collection: bool
    country: str = Field(description="The country whose dunning rule applies")
    dunning_level: str = Field(description="none, reminder_1, reminder_2 or debt_collection, from the days "
                                           "overdue and the country's rule")
    recorded_dunning_status: str = Field(description="The company's dunning status as recorded by hand")
    payment_terms_days: int | None = Field(description="The customer's own payment terms, else its country's")
    warning: str


class DunningRuleIn(Strict):
    payment_terms_days: StrictInt
    reminder_1_days: StrictInt
    reminder_2_days: StrictInt
    collection_days: StrictInt


class DunningRuleOut(Schema):
    country: str
    payment_terms_days: int
    reminder_1_days: int
    reminder_2_days: int
    collection_days: int


class CreditPolicyIn(Strict):
    mode: str = Field(max_length=6, description="warn or refuse")


class CreditPolicyOut(Schema):
    mode: str


@router.post("/ledger", response={200: LedgerOut, **ERRORS})
def import_ledger(request: HttpRequest, payload: LedgerIn):
    """Import receivables (invoices with what is paid); the same invoice number again updates it. Every bad
    field is named as ``rows[i].field`` and nothing is written."""
    require(request, "sales.add_invoice", "sales.change_invoice")
    return credit.import_ledger([r.model_dump() for r in payload.rows], source=payload.source)


@router.post("/ledger/file", response={200: LedgerOut, **ERRORS})
def import_ledger_file(request: HttpRequest, file: File[UploadedFile]):
    """Import receivables from a CSV or XLSX file (multipart field ``file``; columns as the rows of ``/ledger``).
    A bad field is named like the rows of ``/ledger`` (``rows[i].field``), its message starting with the row as
    a spreadsheet shows it (``Row 3: …``, the header is row 1); nothing is written."""
    require(request, "sales.add_invoice", "sales.change_invoice")
    return ledger_file.import_upload(file)


@router.get("/credit/{int:party_id}", response={200: CreditOut, **ERRORS})
def credit_position(request: HttpRequest, party_id: int):
    """A customer's open balance, overdue balance and days, dunning level, payment terms, credit limit and the
    warning new business gets."""
    require(request, "sales.view_invoice")
    from kundebase.parties.models import Party

    if not Party.objects.filter(pk=party_id).exists():
        raise NotFound("Customer", party_id)
    pos = credit.position(party_id)
    return {"party_id": party_id, **pos.__dict__, "headroom": pos.headroom, "warning": credit.warning(party_id)}


@router.get("/dunning-rules", response={200: list[DunningRuleOut], **ERRORS})
def list_dunning_rules(request: HttpRequest):
    """Per country: payment terms and the days overdue at which each dunning level starts."""
    require(request, "sales.view_dunningrule")
    return list(DunningRule.objects.all())


@router.put("/dunning-rules/{country}", response={200: DunningRuleOut, **ERRORS})
def set_dunning_rule(request: HttpRequest, country: str, payload: DunningRuleIn):
    """Create or replace a country's rule (two-letter code); the thresholds must rise."""
    require(request, "sales.add_dunningrule", "sales.change_dunningrule")
    return dunning.set_rule(country=country, data=payload.model_dump())


@router.delete("/dunning-rules/{country}", response={204: None, **ERRORS})
def delete_dunning_rule(request: HttpRequest, country: str):
    """Remove a country's rule; its customers then follow the default country's rule."""
    require(request, "sales.delete_dunningrule")
    dunning.delete_rule(country=country)
    return Status(204, None)


@router.get("/credit-policy", response={200: CreditPolicyOut, **ERRORS})
def get_credit_policy(request: HttpRequest):
    """Whether new deals and orders over the credit limit or for a customer in collection are warned about or
    refused."""
    require(request, "sales.view_creditpolicy")
    return dunning.policy()


@router.put("/credit-policy", response={200: CreditPolicyOut, **ERRORS})
def set_credit_policy(request: HttpRequest, payload: CreditPolicyIn):
    require(request, "sales.change_creditpolicy")
    return dunning.set_policy(mode=payload.mode)
