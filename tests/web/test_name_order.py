"""Pages show a Hungarian customer family name first, and search still finds the given name."""

from __future__ import annotations

import pytest

from tests.parties.test_name_order import HUNGARIAN

pytestmark = pytest.mark.django_db


def test_pages_show_and_find_the_hungarian_name(api, client_as):
    pid = api.post("/api/v1/persons", HUNGARIAN).json()["id"]
    client = client_as("sales")
    page = client.get(f"/customers/{pid}/").content.decode()
    assert "<h1>Nagy István</h1>" in page
    assert "Nagy István" in client.get("/customers/").content.decode()
    assert "Nagy István" in client.get("/search/", {"q": "István"}).content.decode()
