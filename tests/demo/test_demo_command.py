"""``kundebase demo`` as a user runs it: a subprocess against a fresh database, then the data is checked."""

from __future__ import annotations

import csv
import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def _run(env: dict[str, str], *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kundebase", *args], env=env, text=True, capture_output=True,
                          input=stdin, timeout=300)


def _fresh(tmp: Path) -> dict[str, str]:
    env = dict(os.environ, KUNDEBASE_DATABASE_URL=f"sqlite:///{tmp}/kb.sqlite3", KUNDEBASE_DATA_DIR=str(tmp / "data"),
               KUNDEBASE_ENV="development")
    env.pop("KUNDEBASE_TEST_BACKEND", None)
    done = _run(env, "migrate", "--noinput", "-v", "0")
    assert done.returncode == 0, done.stderr
    return env


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str], subprocess.CompletedProcess[str]]:
    tmp = tmp_path_factory.mktemp("demo")
    env = _fresh(tmp)
    done = _run(env, "demo", "--customers", "200", "--seed", "5")
    assert done.returncode == 0, done.stderr
    return tmp, env, done


def _db(tmp: Path) -> sqlite3.Connection:
    return sqlite3.connect(tmp / "kb.sqlite3")


def test_demo_loads_the_asked_number_of_customers(demo):
    tmp, _env, done = demo
    db = _db(tmp)
    assert db.execute("select count(*) from parties_party").fetchone()[0] == 200
    persons = db.execute("select count(*) from parties_person").fetchone()[0]
    companies = db.execute("select count(*) from parties_company").fetchone()[0]
    assert persons + companies == 200 and 5 <= companies <= 45
    assert db.execute("select count(*) from orders_order").fetchone()[0] > 200
    kinds = {k for (k,) in db.execute("select distinct kind from interactions_interaction")}
    assert {"inquiry", "email", "call", "visit", "letter", "note", "web_visit"} <= kinds
    countries = {c for (c,) in db.execute("select distinct country from parties_address")}
    assert countries == {"NO", "DK", "HU", "DE", "GB"}
    assert "loaded 200 customers" in done.stdout
    audit = db.execute("select count(*) from privacy_auditentry where entity = 'demo'").fetchone()[0]
    assert audit == 1
    assert db.execute("select count(*) from core_observation").fetchone()[0] == 0


def test_each_demo_customer_has_the_creation_in_the_audit_log(demo):
    """The demo load writes through the parties' write path: an access report shows how each one was stored."""
    tmp, env, _done = demo
    db = _db(tmp)
    created = dict(db.execute("select party_id, count(*) from privacy_auditentry where action = 'create' "
                              "and entity in ('person', 'company') and channel = 'cli' group by party_id"))
    parties = {pid for (pid,) in db.execute("select id from parties_party")}
    assert set(created) == parties and set(created.values()) == {1}
    verified = _run(env, "audit", "verify")
    assert verified.returncode == 0, verified.stderr


def test_demo_identifiers_pass_validation(demo):
    import django

    django.setup()
    from kundebase.core import identifiers

    tmp, _env, _done = demo
    db = _db(tmp)
    phones = db.execute("select normalised from parties_contactpoint where kind in ('phone', 'mobile')").fetchall()
    assert phones
    for (number,) in phones:
        assert identifiers.phone(number) == number
    for (email,) in db.execute("select value from parties_contactpoint where kind = 'email'"):
        identifiers.email(email)
    for number, country, account in db.execute("select org_number, org_country, bank_account from parties_company"):
        assert identifiers.org_number(number, country)
        if account:
            identifiers.bank_account(account, country)
    numbers = [int(n) for (n,) in db.execute("select customer_number from parties_party")]
    assert len(set(numbers)) == 200
    next_value = db.execute("select next_value from core_sequence where name = 'customer_number'").fetchone()[0]
    assert next_value > max(numbers)


def test_duplicates_file_names_existing_customers(demo):
    tmp, _env, _done = demo
    rows = list(csv.DictReader((tmp / "data" / "demo_duplicates.csv").open(encoding="utf-8")))
    assert rows, "some duplicates are injected"
    assert set(rows[0]) == {"original_customer_number", "duplicate_customer_number", "change"}
    known = {n for (n,) in _db(tmp).execute("select customer_number from parties_party")}
    for row in rows:
        assert row["original_customer_number"] in known and row["duplicate_customer_number"] in known
        assert row["change"] and "," not in row["change"]


def test_revenue_is_heavy_tailed(demo):
    tmp, _env, _done = demo
    revenue = sorted((r or 0 for (r,) in _db(tmp).execute(
        "select sum(o.revenue) from parties_party p left join orders_order o on o.party_id = p.id group by p.id")),
        reverse=True)
    assert sum(revenue[:40]) / sum(revenue) >= 0.6


def test_same_seed_same_data_and_if_empty(demo, tmp_path):
    tmp, env, _done = demo
    other = _fresh(tmp_path)
    assert _run(other, "demo", "--customers", "200", "--seed", "5", "--no-progress").returncode == 0

    def digest(folder: Path) -> str:
        rows = _db(folder).execute("select customer_number, display_name, status from parties_party order by id")
        return hashlib.sha256(repr(rows.fetchall()).encode()).hexdigest()

    assert digest(tmp) == digest(tmp_path)
    truth = "data/demo_duplicates.csv"
    assert (tmp / truth).read_bytes() == (tmp_path / truth).read_bytes()
    again = _run(env, "demo", "--customers", "50", "--if-empty")
    assert again.returncode == 0 and "exist" in again.stdout
    assert _db(tmp).execute("select count(*) from parties_party").fetchone()[0] == 200


def test_demo_refuses_bad_arguments(tmp_path):
    env = dict(os.environ, KUNDEBASE_DATABASE_URL=f"sqlite:///{tmp_path}/kb.sqlite3",
               KUNDEBASE_DATA_DIR=str(tmp_path / "d"))
    done = _run(env, "demo", "--customers", "0")
    assert done.returncode != 0 and "--customers" in done.stderr
    done = _run(env, "demo", "--customers", "10")
    assert done.returncode != 0 and "migrate" in done.stderr


@pytest.mark.django_db(transaction=True)
def test_demo_into_the_suite_database_then_normal_writes_continue(api, person_payload, tmp_path):
    """On each backend of the suite (bulk COPY on PostgreSQL): load, then ids and numbers go on past the demo's."""
    from urllib.parse import quote

    from django.db import connection

    from kundebase.parties.models import Company, Party, Person

    before = Party.objects.count()
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        url = (f"postgresql://{quote(db['USER'] or '')}@/{quote(db['NAME'])}?host={quote(db['HOST'])}"
               f"&port={db['PORT'] or 5432}")
    else:
        url = f"sqlite:///{db['NAME']}"
    env = dict(os.environ, KUNDEBASE_DATABASE_URL=url)
    connection.close()
    done = _run(env, "demo", "--customers", "150", "--seed", "3", "--no-progress", "--truth", str(tmp_path / "t.csv"))
    assert done.returncode == 0, done.stderr
    assert Party.objects.count() == before + 150
    assert Person.objects.count() + Company.objects.count() == before + 150
    assert Company.objects.filter(parent__isnull=False).exists() or Company.objects.count() < 10
    highest_id = Party.objects.order_by("-id").values_list("id", flat=True).first()
    highest_number = max(int(n) for n in Party.objects.values_list("customer_number", flat=True))
    created = api.post("/api/v1/persons", person_payload)
    assert created.status_code == 201, created.content
    assert created.json()["id"] > highest_id
    assert int(created.json()["customer_number"]) > highest_number
    line = {"description": "x", "revenue": 1}
    order = api.post("/api/v1/orders", {"party_id": created.json()["id"], "lines": [line]})
    assert order.status_code == 201, order.content
