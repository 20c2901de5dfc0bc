"""``kundebase createuser NAME --role ROLE [--password-stdin] [--api-token]``."""

from __future__ import annotations

import sys
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from kundebase.core import tokens
from kundebase.core.roles import ROLE_NAMES, sync_roles
from kundebase.core.usernames import canonical_username


class Command(BaseCommand):
    help = "Create an employee account with a role; optionally read its password from stdin and issue an API token."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="user name")
        parser.add_argument("--role", required=True, choices=ROLE_NAMES)
        parser.add_argument("--email", default="")
        parser.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
        parser.add_argument("--api-token", action="store_true", help="print a new API token for integrations")
        parser.add_argument("--update", action="store_true", help="change role/password of an existing user")

    def handle(self, *args: Any, **opts: Any) -> None:
        name = canonical_username(opts["name"])  # stored so; ``Anna`` and ``ａｎｎａ`` are one account
        if not name or len(name) > 150 or any(ch.isspace() for ch in name):
            raise CommandError("the user name must be 1–150 characters without spaces")
        User = get_user_model()
        password = None
        if opts["password_stdin"]:
            password = sys.stdin.readline().rstrip("\r\n")
            if not password:
                raise CommandError("no password on standard input")
        existing = User.objects.filter(username=name).first()
        if existing and not opts["update"]:
            raise CommandError(f"user {name!r} exists; pass --update to change it")
        user = existing or User(username=name, email=opts["email"])
        if password is not None:
            try:
                validate_password(password, user)
            except ValidationError as exc:
                raise CommandError("password refused: " + " ".join(exc.messages)) from exc
        with transaction.atomic():
            if password is not None:
                user.set_password(password)
            elif not existing:
                user.set_unusable_password()
            user.is_staff = opts["role"] == "administrator"
            user.is_superuser = False
            user.save()
            if not Group.objects.filter(name=opts["role"]).exists():
                sync_roles()
            user.groups.set([Group.objects.get(name=opts["role"])])
            token = tokens.issue(user=user, name="cli", channel="cli")[1] if opts["api_token"] else None
        self.stderr.write(f"{'updated' if existing else 'created'} user {name} with role {opts['role']}")
        if token:
            self.stdout.write(token)
