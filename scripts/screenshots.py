"""Make the screenshots in ``docs/screenshots/`` from a freshly seeded database.

``.venv/bin/python scripts/screenshots.py [--out docs/screenshots]`` (the interpreter that runs it also serves the
pages): creates a throwaway SQLite
register in a temporary folder, seeds it through the services (the same data the web tests use),
serves it with ``kundebase serve`` and photographs the main pages with Chromium at desktop
(1280×800) and phone (390×844) size, the menu open at both sizes included.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
PASSWORD = "kundebase-screens-2026"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _seed(env: dict[str, str]) -> dict[str, int]:
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command

    from kundebase.core.roles import sync_roles
    from kundebase.parties import services
    from tests.web.seed import seed

    call_command("migrate", verbosity=0)
    sync_roles()
    user = get_user_model().objects.create_user("silje", password=PASSWORD, first_name="Silje")
    user.groups.set([Group.objects.get(name="sales")])
    data = seed(actor=user)
    for given, family, city in (("Nora", "Nordby", "Oslo"), ("Jonas", "Nordli", "Tromsø"),
                                ("Ingrid", "Nordahl", "Bergen")):
        services.create_person(data={"given_name": given, "family_name": family, "status": "active"},
                               addresses=[{"city": city, "country": "NO"}], actor=user, channel="web")
    from kundebase.interactions import services as interactions

    interactions.log_interaction(party_id=data.ola.pk, actor=user, data={
        "kind": "call", "subject": "Ønsker tilbud på strøm", "follow_up_on": "2020-01-01"})
    from kundebase.service import intake
    from kundebase.service.models import Mailbox, ReplyTemplate, SlaRule

    SlaRule.objects.create(category="", priority="normal", hours=24)
    SlaRule.objects.create(category="heat-pumps", category_name="Varmepumper", priority="normal", hours=4)
    ReplyTemplate.objects.create(name="Takk for henvendelsen", language="nb", subject="Din henvendelse",
                                 body="Hei {{ given_name }},\n\ntakk for at du tok kontakt. Vi svarer deg i dag.")
    box = Mailbox.objects.create(name="Kundeservice", kind="maildir", address="kundeservice@example.no", path="/")
    for sender, subject, text in (
            ("Kari Nordmann <kari.nordmann@example.no>", "Varmepumpen bråker om natta",
             "Hei, varmepumpen vår har begynt å bråke. Kan noen se på den?"),
            ("Jonas Ny <jonas.ny@example.net>", "Pris på solcellepanel?", "Hva koster et anlegg til en enebolig?")):
        intake.receive(box, (f"From: {sender}\r\nSubject: {subject}\r\nContent-Type: text/plain; charset=utf-8"
                             f"\r\n\r\n{text}").encode())
    from kundebase.service import escalation

    intake.receive(box, ("From: Kari Nordmann <kari.nordmann@example.no>\r\nSubject: Faktura stemmer ikke\r\n"
                         "Date: Mon, 1 Jan 2024 09:00:00 +0100\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
                         "Fakturaen for desember er for høy.").encode())
    escalation.escalate_due()  # the old inquiry is past its service level: shown as escalated in the list
    import datetime as dt

    from django.utils import timezone

    from kundebase.orders import services as orders
    from kundebase.sales import services as sales

    panel = orders.create_product(data={"sku": "SOL-400", "name": "Solcellepanel 400 W", "list_price": "4250"})
    stages = list(sales.default_pipeline().stages.order_by("position"))
    today = timezone.localdate()
    for title, party, amount, stage, months in (("Strømavtale 3 år", data.company, "240000", 0, 5),
                                                ("Solcelleanlegg", data.kari, None, 1, 1),
                                                ("Fastpris bedrift", data.company, "120000", 2, 2),
                                                ("Varmepumpe", data.ola, "32000", 2, 0),
                                                ("Lading borettslag", data.parent, "410000", 3, 3),
                                                ("Serviceavtale", data.company, "64000", 1, 4)):
        close = (today + dt.timedelta(days=30 * months + 1)).isoformat()
        fields = {"title": title, "party_id": party.pk, "expected_close_on": close}
        fields.update({"amount": amount} if amount else {"lines": [{"product_id": panel.pk, "quantity": 20}]})
        deal = sales.create_deal(data=fields, actor=user)
        if stage:
            sales.move_deal(deal_id=deal.pk, stage_id=stages[stage].pk, actor=user)
    for title, amount, won in (("Varmepumpe hytta", "28000", True), ("Fjernvarme", "150000", False),
                               ("Strøm til kontoret", "56000", True)):
        deal = sales.create_deal(data={"title": title, "party_id": data.company.pk, "amount": amount}, actor=user)
        if won:
            sales.win_deal(deal_id=deal.pk, actor=user)
        else:
            sales.lose_deal(deal_id=deal.pk, reason="price", actor=user)
    from kundebase.sales import credit

    credit.import_ledger([{"party_id": data.company.pk, "invoice_number": f"F-{n}", "amount": amount,
                           "issued_on": (today - dt.timedelta(days=days + 30)).isoformat(),
                           "due_on": (today - dt.timedelta(days=days)).isoformat()}
                          for n, (days, amount) in enumerate(((12, "18000"), (45, "9500"), (75, "4200"),
                                                              (120, "2600")), start=1)])
    return {"kari": data.kari.pk, "company": data.company.pk}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Photograph the main pages at desktop and phone size.")
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="kb-screens-"))
    env = {"KUNDEBASE_ENV": "test", "KUNDEBASE_DATA_DIR": str(work),
           "KUNDEBASE_DATABASE_URL": f"sqlite:///{work}/screens.sqlite3",
           "DJANGO_SETTINGS_MODULE": "kundebase.settings"}
    ids = _seed(env)
    port = _free_port()
    # This checkout's code, whichever environment runs the script.
    server = subprocess.Popen([sys.executable, "-m", "kundebase", "serve", "--port", str(port), "--workers", "1"],
                              env=dict(os.environ, **env, PYTHONPATH=str(ROOT / "src")))
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/login/", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        _shoot(base, ids, out)
    finally:
        server.terminate()
        server.wait(timeout=20)
    return 0


def _shoot(base: str, ids: dict[str, int], out: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--no-first-run"])
        for size, viewport in SIZES.items():
            page = browser.new_context(viewport=viewport, locale="en-GB").new_page()

            def snap(name: str, *, page=page, size=size) -> None:  # type: ignore[no-untyped-def]
                page.screenshot(path=str(out / f"{name}-{size}.png"), full_page=True)

            page.goto(base + "/login/")
            snap("login")
            page.get_by_label("Username").fill("silje")
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(base + "/")
            snap("dashboard")
            if size == "phone":  # the header folds behind the menu button; open, it lists the groups
                page.get_by_role("button", name="Menu").click()
                page.get_by_role("navigation", name="Main menu").get_by_text("Sales", exact=True).click()
            else:  # a group of the menu open
                page.get_by_role("navigation", name="Main menu").get_by_text("Sales", exact=True).click()
            page.wait_for_timeout(200)
            page.screenshot(path=str(out / f"menu-{size}.png"))
            page.keyboard.press("Escape")
            page.goto(base + "/search/")
            page.get_by_label("Name, e-mail, phone, organisation number or customer number").press_sequentially(
                "nord", delay=30)
            page.locator("#live-results .results").wait_for()
            page.wait_for_timeout(400)
            snap("search")
            page.goto(f"{base}/customers/{ids['kari']}/")
            snap("person-360")
            page.goto(f"{base}/customers/{ids['company']}/")
            snap("company-360")
            page.goto(base + "/customers/new/person/")
            page.get_by_label("Family name (required)").fill("Hansen")
            page.get_by_label("Mobile").fill("12")
            page.get_by_label("E-mail").fill("hansen@example")
            page.get_by_role("button", name="Create customer").click()
            page.locator("#id_mobile_error").wait_for()
            snap("create-error")
            page.goto(base + "/lookup?phone=41234567")
            snap("screen-pop")
            page.goto(base + "/customers/?place=bergen")
            snap("customer-list")
            page.goto(base + "/service/cases/")
            snap("cases")
            page.goto(f"{base}/service/customers/{ids['kari']}/compose/")
            page.get_by_role("link", name=re.compile(r"^Takk for henvendelsen")).click()
            snap("compose")
            page.goto(base + "/sales/")
            snap("sales-board")
            page.goto(base + "/sales/reports/")
            snap("sales-forecast")
            page.context.close()
        browser.close()


if __name__ == "__main__":
    raise SystemExit(main())
