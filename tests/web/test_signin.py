"""Sign-in, throttling, sessions and CSRF."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from tests.web.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _fail(client: Client, name: str, password: str = "wrong-password") -> int:
    return client.post("/login/", {"username": name, "password": password}).status_code


def test_sign_in_records_login_and_session_cookie_is_hardened(make_user, settings):
    from kundebase.core.models import AuditEntry
    from kundebase.web.models import UserSession

    user = make_user("anna", "sales", PASSWORD)
    client = Client()
    res = client.post("/login/", {"username": "anna", "password": PASSWORD})
    assert res.status_code == 302 and res["Location"] == "/"
    cookie = res.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert AuditEntry.objects.filter(action="login", actor="anna").count() == 1
    assert UserSession.objects.filter(user=user).count() == 1
    assert user.password.startswith("argon2")


def test_repeated_failures_are_logged_then_refused_for_a_growing_time(make_user):
    from kundebase.core.models import AuditEntry
    from kundebase.web import signin
    from kundebase.web.models import LoginThrottle

    make_user("bob", "sales", PASSWORD)
    client = Client()
    free = signin.FREE_FAILURES["user"]
    assert [_fail(client, "bob") for _ in range(free)] == [200] * free
    assert _fail(client, "bob") == 200  # this failure sets the first lock
    row = LoginThrottle.objects.get(key="user:bob")
    assert row.locked_until - row.last_failure_at == dt.timedelta(seconds=signin.BASE_LOCK_SECONDS)
    # Even the right password is refused while locked, and says how long to wait.
    res = client.post("/login/", {"username": "bob", "password": PASSWORD})
    assert res.status_code == 429 and int(res["Retry-After"]) > 0
    assert "Too many failed sign-ins" in res.content.decode()
    # The audit log keeps a bounded trace: the first failure from this address and the lock, not every guess.
    assert AuditEntry.objects.filter(action="login_failed", actor="bob").count() == 2
    assert AuditEntry.objects.filter(action="login_failed", note__contains="name locked").count() == 1
    # After the lock expires one more failure locks for twice as long.
    from django.utils import timezone

    row.last_failure_at = timezone.now() - dt.timedelta(minutes=1)
    row.locked_until = timezone.now() - dt.timedelta(seconds=1)
    row.save()
    assert _fail(client, "bob") == 200
    row = LoginThrottle.objects.get(key="user:bob")
    assert row.locked_until - row.last_failure_at == dt.timedelta(seconds=2 * signin.BASE_LOCK_SECONDS)
    # Other users are not affected by bob's lock.
    make_user("carl", "sales", PASSWORD)
    assert client.post("/login/", {"username": "carl", "password": PASSWORD}).status_code == 302


def test_one_address_guessing_many_names_is_throttled(make_user):
    from kundebase.web import signin

    client = Client(REMOTE_ADDR="203.0.113.9")
    for i in range(signin.FREE_FAILURES["ip"] + 1):
        _fail(client, f"name{i}")
    make_user("dora", "sales", PASSWORD)
    assert client.post("/login/", {"username": "dora", "password": PASSWORD}).status_code == 429
    assert Client(REMOTE_ADDR="198.51.100.1").post(
        "/login/", {"username": "dora", "password": PASSWORD}).status_code == 302


def test_success_resets_the_user_count(make_user):
    from kundebase.web.models import LoginThrottle

    make_user("eve", "sales", PASSWORD)
    client = Client()
    _fail(client, "eve")
    _fail(client, "eve")
    assert client.post("/login/", {"username": "eve", "password": PASSWORD}).status_code == 302
    assert not LoginThrottle.objects.filter(key="user:eve").exists()


def test_empty_and_huge_credentials_are_refused_calmly(db):
    client = Client()
    assert _fail(client, "", "") == 200
    assert _fail(client, "x" * 5000, "y" * 100_000) == 200
    assert _fail(client, "bo\x00b\n", "pass\x00word") == 200


def test_log_out_everywhere_ends_every_session(client_as):
    phone = client_as("service", "frida")
    desk = Client()
    assert desk.post("/login/", {"username": "frida", "password": PASSWORD}).status_code == 302
    assert desk.get("/").status_code == 200
    res = phone.post("/logout/everywhere/")
    assert res.status_code == 302
    assert desk.get("/").status_code == 302  # back to sign-in
    assert phone.get("/").status_code == 302


def test_sign_out_needs_post_and_ends_only_this_session(client_as):
    client = client_as("service", "gina")
    other = Client()
    other.post("/login/", {"username": "gina", "password": PASSWORD})
    assert client.get("/logout/").status_code == 405
    assert client.post("/logout/").status_code == 302
    assert client.get("/").status_code == 302
    assert other.get("/").status_code == 200


def test_every_form_is_csrf_protected(client_as, seeded):
    client = client_as("sales", enforce_csrf_checks=True)
    pid = seeded.ola.pk
    for path, data in ((f"/customers/{pid}/log/", {"kind": "call", "subject": "x"}),
                       ("/customers/new/person/", {"family_name": "Hansen"}),
                       (f"/customers/{pid}/edit/", {"family_name": "Hansen"}),
                       ("/logout/", {}), ("/logout/everywhere/", {}), ("/i18n/setlang/", {"language": "nb"})):
        res = client.post(path, data)
        assert res.status_code == 403, path
        assert "This form could not be accepted" in res.content.decode()
    assert Client(enforce_csrf_checks=True).post("/login/", {"username": "a", "password": "b"}).status_code == 403
    # The pages carry the token, so a real browser can post.
    page = client.get(f"/customers/{pid}/").content.decode()
    assert page.count("csrfmiddlewaretoken") >= 3


def test_look_alike_names_count_against_the_same_user(make_user):
    """Full-width letters, other case and compatibility forms are one name, for sign-in and for throttling."""
    from kundebase.web import signin
    from kundebase.web.models import LoginThrottle

    make_user("bob", "sales", PASSWORD)
    client = Client()
    for name in ("BOB", "ｂｏｂ", "Ｂob", "bOb", "ＢＯＢ"):
        assert _fail(client, name) == 200
    assert LoginThrottle.objects.get(key="user:bob").failures == signin.FREE_FAILURES["user"] + 1
    # Locked whatever the spelling, the right password included.
    for name in ("bob", "ＢＯＢ"):
        res = client.post("/login/", {"username": name, "password": PASSWORD})
        assert res.status_code == 429 and "Too many failed sign-ins" in res.content.decode()


def test_look_alike_user_names_cannot_coexist_and_sign_in_as_one(make_user):
    from django.contrib.auth import get_user_model
    from django.db import IntegrityError, transaction

    user = make_user("Ｈｅｌｇａ", "sales", PASSWORD)
    assert user.username == "helga"
    with pytest.raises(IntegrityError), transaction.atomic():
        get_user_model().objects.create_user(username="HELGA", password=PASSWORD)
    assert Client().post("/login/", {"username": "HELGA", "password": PASSWORD}).status_code == 302


def test_failures_for_one_user_do_not_lock_out_colleagues_behind_the_same_address(make_user):
    """An office behind one NAT address: one person's 20 failures lock that name, not the office."""
    from kundebase.core.models import AuditEntry

    make_user("ida", "sales", PASSWORD)
    make_user("jon", "sales", PASSWORD)
    office = Client(REMOTE_ADDR="192.0.2.44")
    statuses = [_fail(office, "ida") for _ in range(20)]
    assert statuses[-1] == 429 and set(statuses) <= {200, 429}
    res = office.post("/login/", {"username": "jon", "password": PASSWORD})
    assert res.status_code == 302
    # Twenty guesses left a handful of audit rows, not twenty.
    assert AuditEntry.objects.filter(action="login_failed", actor="ida").count() <= 3


def test_a_flood_of_failures_leaves_a_bounded_audit_trace(db):
    from kundebase.core.models import AuditEntry

    client = Client(REMOTE_ADDR="198.51.100.77")
    for _ in range(60):
        assert _fail(client, "nobody") in (200, 429)
    assert AuditEntry.objects.filter(action="login_failed").count() <= 3


def test_the_admin_site_signs_in_through_the_throttled_page(client_as):
    res = Client().get("/admin/login/?next=/admin/")
    assert res.status_code == 302 and res["Location"].startswith("/login/?next=")
    # Signed in without access to the admin site: refused, not sent round between the two sign-in pages.
    assert client_as("sales").get("/admin/login/?next=/admin/").status_code == 403
