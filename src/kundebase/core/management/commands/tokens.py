"""``kundebase tokens list|issue|revoke``: the API tokens of every user, from the command line."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.serializers.json import DjangoJSONEncoder

from kundebase.core import tokens
from kundebase.core.errors import DomainError
from kundebase.core.usernames import canonical_username


class Command(BaseCommand):
    help = "List, issue and revoke API tokens (expiry, last use, revocation)"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="task", required=True)
        listing = sub.add_parser("list", help="Every token: id, prefix, user, expiry, last use, state")
        listing.add_argument("--user", help="only this user's tokens")
        listing.add_argument("--json", action="store_true", help="one JSON array instead of a table")
        issuing = sub.add_parser("issue", help="Issue a token for a user and print it once on standard output")
        issuing.add_argument("user")
        issuing.add_argument("--name", default="cli", help="what the token is for (shown in listings)")
        issuing.add_argument("--days", type=int, default=None,
                             help="valid this many days (default KUNDEBASE_API_TOKEN_DAYS; 0 = no expiry)")
        issuing.add_argument("--scope", choices=("full", "read"), default="full",
                             help="read: the token may only read profiles and offers (a web shop's key)")
        revoking = sub.add_parser("revoke", help="Revoke a token by id or prefix; it stops working at once")
        revoking.add_argument("token", help="the id or the printed prefix (kb_xxxxx)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, "_" + options["task"])(options)
        except DomainError as exc:
            raise CommandError(str(exc)) from exc

    def _user(self, name: str) -> Any:
        user = get_user_model().objects.filter(username=canonical_username(name)).first()
        if user is None:
            raise CommandError(f"no user {name!r}")
        return user

    def _list(self, options: dict[str, Any]) -> None:
        from kundebase.core.models import ApiToken

        rows = ApiToken.objects.select_related("user").order_by("user__username", "-created_at")
        if options["user"]:
            rows = rows.filter(user=self._user(options["user"]))
        items = [tokens.as_dict(t) for t in rows]
        if options["json"]:
            self.stdout.write(json.dumps(items, cls=DjangoJSONEncoder, indent=2))
            return

        def when(value: Any) -> str:
            return value.strftime("%Y-%m-%d %H:%M") if value else "-"

        self.stdout.write(f"{'id':>5}  {'prefix':8}  {'user':20}  {'name':20}  {'expires':16}  {'last used':16}  state")
        for t in items:
            state = "active" if t["active"] else ("revoked" if t["revoked_at"] else "expired")
            self.stdout.write(f"{t['id']:>5}  {t['prefix']:8}  {t['user'][:20]:20}  {t['name'][:20]:20}  "
                              f"{when(t['expires_at']):16}  {when(t['last_used_at']):16}  {state}")

    def _issue(self, options: dict[str, Any]) -> None:
        token, value = tokens.issue(user=self._user(options["user"]), name=options["name"], days=options["days"],
                                    channel="cli", scope=options["scope"])
        expiry = f"expires {token.expires_at:%Y-%m-%d}" if token.expires_at else "no expiry"
        self.stderr.write(f"issued token {token.pk} ({token.prefix}…) for {token.user.username}, {expiry}")
        self.stdout.write(value)

    def _revoke(self, options: dict[str, Any]) -> None:
        token = tokens.revoke(token_ref=options["token"], channel="cli")
        self.stdout.write(f"revoked token {token.pk} ({token.prefix}…) of {token.user.username}")
