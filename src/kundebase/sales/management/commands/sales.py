"""``kundebase sales pipelines | rate CURRENCY RATE | ledger FILE | follow-up-tasks | digest``: sales from the
shell.

Writes go through :mod:`kundebase.sales.services` like the API and the pages; a refusal is printed on stderr
naming the field, with exit status 1.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Sales: list pipelines, set an exchange rate, make tasks of open timeline follow-ups."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("pipelines", help="list the pipelines and their stages")
        rate = sub.add_parser("rate", help="set the rate of a currency to the base currency")
        rate.add_argument("currency")
        rate.add_argument("rate")
        ledger = sub.add_parser("ledger", help="import receivables from a CSV or XLSX file (idempotent on invoice "
                                                "number)")
        ledger.add_argument("file")
        digest = sub.add_parser("digest", help="e-mail every user their open tasks due today and overdue")
        digest.add_argument("--from", dest="sender", default=None, help="the sender address")
        digest.add_argument("--language", default=None, help="the language of the e-mails (en or nb)")
        sub.add_parser("follow-up-tasks", help="make a task of every open follow-up that has none (once, after "
                                               "upgrading; new follow-ups get theirs when logged)")

    def handle(self, *args: Any, **options: Any) -> None:
        from kundebase.core.errors import DomainError
        from kundebase.sales import services

        try:
            if options["action"] == "pipelines":
                services.default_pipeline()
                from kundebase.sales.models import Pipeline

                for pipeline in Pipeline.objects.prefetch_related("stages"):
                    stages = ", ".join(f"{s.name} {s.probability} %" for s in pipeline.stages.all())
                    mark = " (default)" if pipeline.is_default else ""
                    self.stdout.write(f"{pipeline.pk}\t{pipeline.name}{mark}: {stages}")
            elif options["action"] == "rate":
                found = services.set_exchange_rate(currency=options["currency"], rate=options["rate"])
                self.stdout.write(f"{found.currency} = {found.rate} {services.base_currency()}")
            elif options["action"] == "ledger":
                from pathlib import Path

                from kundebase.sales.ledger_file import import_file

                path = Path(options["file"])
                if not path.is_file():
                    raise CommandError(f"{options['file']}: no such file")
                done = import_file(path, name=path.name, source=options["file"])
                self.stdout.write(f"{done['created']} invoices created, {done['updated']} updated")
            elif options["action"] == "digest":
                import smtplib

                from django.conf import settings

                from kundebase.sales.digest import send_digests

                languages = [code for code, _name in settings.LANGUAGES]
                if options["language"] is not None and options["language"] not in languages:
                    raise CommandError(f"--language must be one of {', '.join(languages)}")
                try:
                    result = send_digests(sender=options["sender"], language=options["language"])
                except (smtplib.SMTPException, OSError) as exc:
                    raise CommandError(f"the mail server cannot be reached: {exc}") from exc
                self.stdout.write(f"{len(result.sent)} digests sent, {result.skipped} users with nothing due")
                if result.refused:
                    raise CommandError(f"refused by the mail server: {', '.join(result.refused)}")
            else:
                from kundebase.interactions.models import Interaction

                made = 0
                for interaction in Interaction.objects.filter(
                        follow_up_on__isnull=False, follow_up_done_at__isnull=True, handled_by__isnull=False,
                        task__isnull=True).iterator():
                    made += services.task_from_follow_up(interaction) is not None
                self.stdout.write(f"{made} tasks made")
        except DomainError as exc:
            raise CommandError(str(exc)) from exc
