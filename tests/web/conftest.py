"""Fixtures for the web pages: a seeded register and signed-in clients per role."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.web.seed import Seeded, seed

PASSWORD = "correct-horse-battery"


@pytest.fixture
def seeded(make_user: Callable[..., Any]) -> Seeded:
    return seed(actor=make_user("seeder", "administrator"))


@pytest.fixture
def client_as(make_user: Callable[..., Any]) -> Callable[..., Any]:
    """``client_as("sales")``: a Django test client signed in through the real sign-in page."""
    from django.test import Client

    def make(role: str = "sales", name: str | None = None, **client_kwargs: Any) -> Any:
        user = make_user(name or f"{role}-user", role, PASSWORD)
        client = Client(**client_kwargs)
        client.get("/login/")  # sets the CSRF cookie, as a browser's first visit does
        token = client.cookies["csrftoken"].value
        response = client.post("/login/", {"username": user.username, "password": PASSWORD,
                                           "csrfmiddlewaretoken": token})
        assert response.status_code == 302, response.content
        client.user = user
        return client

    return make
