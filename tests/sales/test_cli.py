"""``kundebase sales``: the same services from the shell; a refusal names the field and fails the command."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from kundebase.sales.models import ExchangeRate, Task

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("sales", *args, stdout=out)
    return out.getvalue()


def test_pipelines_and_rates(db):
    assert "Sales (default): Lead 10 %, Qualified 25 %, Proposal 50 %, Negotiation 75 %" in run("pipelines")
    assert run("rate", "eur", "11.4") == "EUR = 11.40000000 NOK\n"
    with pytest.raises(CommandError, match="rate"):
        run("rate", "USD", "zero")
    with pytest.raises(CommandError, match="currency"):
        run("rate", "NOK", "2")
    assert list(ExchangeRate.objects.values_list("currency", flat=True)) == ["EUR"]


def test_follow_up_tasks_backfill(world):
    from kundebase.interactions import services as interactions

    logged = interactions.log_interaction(party_id=world.person.pk, actor=world.seller, data={
        "kind": "call", "follow_up_on": "2031-01-02"})
    Task.objects.all().delete()  # as before the sales app was installed
    assert run("follow-up-tasks") == "1 tasks made\n"
    assert Task.objects.get().interaction == logged
    assert run("follow-up-tasks") == "0 tasks made\n"


def test_ledger_from_a_csv_file(world, tmp_path):
    number = world.company.customer_number
    path = tmp_path / "ledger.csv"
    path.write_text("customer_number;invoice_number;issued_on;due_on;amount;paid\n"
                    f"{number};F-9;2030-01-01;2030-01-31;1000,00;250\n", encoding="utf-8")
    assert run("ledger", str(path)) == "1 invoices created, 0 updated\n"
    assert run("ledger", str(path)) == "0 invoices created, 1 updated\n"
    path.write_text("customer_number;invoice_number;issued_on;due_on;amount;paid\n"
                    f"{number};F-10;2030-01-01;2030-01-31;100;200\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"rows\[0\]\.paid"):
        run("ledger", str(path))
    with pytest.raises(CommandError, match="missing.csv"):
        run("ledger", str(tmp_path / "missing.csv"))
