"""REST routes for API tokens: each user lists, issues and revokes their own; administrators everyone's."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import ConfigDict, Field, StrictInt

from kundebase.core import tokens
from kundebase.core.errors import NotFound
from kundebase.core.usernames import canonical_username

router = Router(tags=["API tokens"])


class TokenIn(Schema):
    model_config = ConfigDict(extra="forbid")
    name: str = Field("default", max_length=100)
    days: StrictInt | None = Field(
        None, description="valid this many days; omitted: the default lifetime; 0: no expiry")
    user: str | None = Field(None, max_length=150, description="another user's name (administrators only)")
    scope: str = Field("full", description="full: what the user's role allows; read: only GET profiles and offers")


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    user: str
    created_at: dt.datetime
    expires_at: dt.datetime | None
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None
    active: bool
    scope: str = "full"


class IssuedToken(TokenOut):
    token: str = Field(description="the token itself, shown this once and never again")


@router.get("/tokens", response={200: list[TokenOut]})
def list_tokens(request: HttpRequest):
    """The caller's tokens (every user's for an administrator), newest first."""
    return [tokens.as_dict(t) for t in tokens.visible_to(request.user)]


@router.post("/tokens", response={201: IssuedToken})
def issue_token(request: HttpRequest, payload: TokenIn):
    """Issue a token; the response is the only time its value is shown."""
    owner: AbstractBaseUser | AnonymousUser | None = request.user
    if payload.user:
        owner = get_user_model().objects.filter(username=canonical_username(payload.user)).first()
        if owner is None:
            raise NotFound("User", payload.user)
    token, value = tokens.issue(user=owner, name=payload.name, days=payload.days, actor=request.user,
                                scope=payload.scope)
    return Status(201, {**tokens.as_dict(token), "token": value})


@router.delete("/tokens/{int:token_id}", response={200: TokenOut})
def revoke_token(request: HttpRequest, token_id: int):
    """Revoke a token at once (the caller's own, or any for an administrator)."""
    return tokens.as_dict(tokens.revoke(token_ref=token_id, actor=request.user))
