"""API tokens expire, note their last use and can be revoked; a refused token answers 401 problem+json."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

pytestmark = pytest.mark.django_db


def _get(token: str, path: str = "/api/v1/tokens"):
    return Client().get(path, HTTP_AUTHORIZATION=f"Bearer {token}")


def test_a_new_token_expires_after_the_default_lifetime_and_notes_its_use(make_user, settings):
    from kundebase.core import tokens

    settings.KUNDEBASE_API_TOKEN_DAYS = 30
    token, value = tokens.issue(user=make_user("ulla", "sales"), name="shop")
    assert abs(token.expires_at - (timezone.now() + dt.timedelta(days=30))) < dt.timedelta(minutes=1)
    assert token.last_used_at is None
    assert _get(value).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None
    forever, _value = tokens.issue(user=token.user, days=0)
    assert forever.expires_at is None


def test_an_expired_token_gets_401_problem_json(make_user):
    from kundebase.core import tokens

    token, value = tokens.issue(user=make_user("vera", "sales"), days=1)
    token.expires_at = timezone.now() - dt.timedelta(seconds=1)
    token.save()
    res = _get(value, "/api/v1/persons")
    assert res.status_code == 401 and res["Content-Type"] == "application/problem+json"
    assert res.json()["code"] == "token_expired" and "expired" in res.json()["detail"]


def test_a_revoked_token_gets_401_at_once_through_the_api(make_user):
    from kundebase.core import tokens
    from kundebase.core.models import AuditEntry

    user = make_user("wenche", "sales")
    _keep, keeper = tokens.issue(user=user, name="admin-work")
    doomed, value = tokens.issue(user=user, name="leaked")
    assert _get(value).status_code == 200
    res = Client().delete(f"/api/v1/tokens/{doomed.pk}", HTTP_AUTHORIZATION=f"Bearer {keeper}")
    assert res.status_code == 200 and res.json()["active"] is False and res.json()["revoked_at"]
    refused = _get(value)
    assert refused.status_code == 401 and refused.json()["code"] == "token_revoked"
    assert refused["Content-Type"] == "application/problem+json"
    assert AuditEntry.objects.filter(entity="api_token", action="delete", record_id=doomed.pk).exists()


def test_users_see_and_revoke_only_their_own_tokens_administrators_all(make_user):
    from kundebase.core import tokens

    _a, anna = tokens.issue(user=make_user("anna", "sales"))
    bert_token, bert = tokens.issue(user=make_user("bert", "service"))
    _root, root = tokens.issue(user=make_user("root", "administrator"))
    assert {t["user"] for t in _get(anna).json()} == {"anna"}
    assert {t["user"] for t in _get(root).json()} == {"anna", "bert", "root"}
    res = Client().delete(f"/api/v1/tokens/{bert_token.pk}", HTTP_AUTHORIZATION=f"Bearer {anna}")
    assert res.status_code == 404 and res["Content-Type"] == "application/problem+json"
    assert _get(bert).status_code == 200
    assert Client().delete(f"/api/v1/tokens/{bert_token.pk}", HTTP_AUTHORIZATION=f"Bearer {root}").status_code == 200
    assert _get(bert).status_code == 401


def test_issuing_through_the_api_shows_the_value_once(make_user):
    from kundebase.core import tokens

    _t, value = tokens.issue(user=make_user("cora", "sales"))
    res = Client().post("/api/v1/tokens", {"name": "erp", "days": 7}, content_type="application/json",
                        HTTP_AUTHORIZATION=f"Bearer {value}")
    assert res.status_code == 201, res.content
    body = res.json()
    assert body["token"].startswith("kb_") and body["name"] == "erp"
    assert _get(body["token"]).status_code == 200
    assert all("token" not in t for t in _get(value).json())
    bad = Client().post("/api/v1/tokens", {"name": "x", "days": -1}, content_type="application/json",
                        HTTP_AUTHORIZATION=f"Bearer {value}")
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "days"
    other = Client().post("/api/v1/tokens", {"name": "x", "user": "root"}, content_type="application/json",
                          HTTP_AUTHORIZATION=f"Bearer {value}")
    assert other.status_code in (403, 404)


def test_cli_lists_issues_and_revokes(make_user):
    make_user("dag", "sales")
    out, err = io.StringIO(), io.StringIO()
    call_command("tokens", "issue", "DAG", "--name", "nightly", "--days", "10", stdout=out, stderr=err)
    value = out.getvalue().strip()
    assert value.startswith("kb_") and "expires" in err.getvalue()
    assert _get(value).status_code == 200
    listing = io.StringIO()
    call_command("tokens", "list", "--user", "dag", stdout=listing)
    assert "nightly" in listing.getvalue() and "active" in listing.getvalue() and value[:8] in listing.getvalue()
    call_command("tokens", "revoke", value[:8], stdout=io.StringIO())
    assert _get(value).json()["code"] == "token_revoked"
    listing = io.StringIO()
    call_command("tokens", "list", stdout=listing)
    assert "revoked" in listing.getvalue()
    with pytest.raises(CommandError, match="does not exist"):
        call_command("tokens", "revoke", "kb_nothere", stdout=io.StringIO())
    with pytest.raises(CommandError, match="no user"):
        call_command("tokens", "issue", "nobody", stdout=io.StringIO(), stderr=io.StringIO())


def test_unknown_tokens_from_one_address_are_throttled_without_locking_out_valid_ones(make_user):
    from kundebase.core import tokens
    from kundebase.core.models import AuditEntry
    from kundebase.web import signin

    _t, valid = tokens.issue(user=make_user("ivar", "sales"))
    office = Client(REMOTE_ADDR="192.0.2.80")
    statuses = [office.get("/api/v1/tokens", HTTP_AUTHORIZATION=f"Bearer kb_guess{i}").status_code
                for i in range(signin.FREE_FAILURES["api"] + 3)]
    assert statuses[:signin.FREE_FAILURES["api"]] == [401] * signin.FREE_FAILURES["api"]
    assert statuses[-1] == 429
    refused = office.get("/api/v1/tokens", HTTP_AUTHORIZATION="Bearer kb_guess-again")
    assert refused["Content-Type"] == "application/problem+json" and int(refused["Retry-After"]) > 0
    assert refused.json()["code"] == "too_many_attempts"
    # A colleague's valid token from the same address still works; another address is not affected.
    assert office.get("/api/v1/tokens", HTTP_AUTHORIZATION=f"Bearer {valid}").status_code == 200
    assert Client(REMOTE_ADDR="198.51.100.3").get(
        "/api/v1/tokens", HTTP_AUTHORIZATION="Bearer kb_other").status_code == 401
    assert AuditEntry.objects.filter(entity="api_token", action="login_failed").count() == 1


def test_the_bearer_look_up_gives_what_the_orm_gives(make_user):
    """Every bearer request reads its token and user with one fixed statement: the same values, converted as
    the ORM converts them (aware times, booleans), as a queryset would give."""
    from kundebase.core import tokens
    from kundebase.core.models import ApiToken

    user = make_user("lookup", "marketing")
    stored, value = tokens.issue(user=user, name="shop", days=30, scope="read")
    ApiToken.objects.filter(pk=stored.pk).update(last_used_at=timezone.now() - dt.timedelta(hours=2))
    found = ApiToken.find(value)
    expected = ApiToken.objects.select_related("user").get(pk=stored.pk)
    assert found is not None and ApiToken.find(value + "x") is None
    for field in ApiToken._meta.concrete_fields:
        assert getattr(found, field.attname) == getattr(expected, field.attname), field.name
    for field in type(user)._meta.concrete_fields:
        assert getattr(found.user, field.attname) == getattr(expected.user, field.attname), field.name
    assert timezone.is_aware(found.expires_at) and found.revoked is False and found.user.is_active is True
    assert found.user.has_perm("offers.view_profile") == expected.user.has_perm("offers.view_profile")
    found.save(update_fields=["name"])  # a usable instance: saved without a second look-up
    assert ApiToken.objects.get(pk=stored.pk).name == "shop"
