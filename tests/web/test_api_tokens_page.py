"""The account page where a user sees, issues and revokes their API tokens (administrators everyone's)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_a_user_issues_sees_and_revokes_their_tokens(client_as):
    client = client_as("sales", "signe")
    page = client.post("/account/tokens/", {"name": "Webshop", "days": "30"})
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    value = re.search(r'value="(kb_[^"]+)"', page.content.decode()).group(1)
    assert Client().get("/api/v1/tokens", HTTP_AUTHORIZATION=f"Bearer {value}").status_code == 200
    listing = client.get("/account/tokens/").content.decode()
    assert "Webshop" in listing and value[:8] in listing and value not in listing
    from kundebase.core.models import ApiToken

    token = ApiToken.objects.get(name="Webshop")
    assert client.post(f"/account/tokens/{token.pk}/revoke/").status_code == 302
    res = Client().get("/api/v1/tokens", HTTP_AUTHORIZATION=f"Bearer {value}")
    assert res.status_code == 401 and res.json()["code"] == "token_revoked"
    assert "revoked" in client.get("/account/tokens/").content.decode()


def test_bad_days_are_named_beside_the_field(client_as):
    client = client_as("sales", "sigurd")
    page = client.post("/account/tokens/", {"name": "x", "days": "forever"})
    assert page.status_code == 422
    assert 'id="token-days-error"' in page.content.decode()


def test_administrators_see_and_revoke_everyones_tokens_others_cannot(client_as, make_user):
    from kundebase.core import tokens

    token, value = tokens.issue(user=make_user("tore", "service"), name="tore-sync")
    admin = client_as("administrator", "boss")
    assert "tore-sync" in admin.get("/account/tokens/").content.decode()
    colleague = client_as("sales", "sara")
    assert "tore-sync" not in colleague.get("/account/tokens/").content.decode()
    assert colleague.post(f"/account/tokens/{token.pk}/revoke/").status_code == 404
    assert Client().get("/api/v1/tokens", HTTP_AUTHORIZATION=f"Bearer {value}").status_code == 200
    assert admin.post(f"/account/tokens/{token.pk}/revoke/").status_code == 302
    assert Client().get("/api/v1/tokens", HTTP_AUTHORIZATION=f"Bearer {value}").status_code == 401
    assert Client().get("/account/tokens/").status_code == 302  # signed out: to the sign-in page
