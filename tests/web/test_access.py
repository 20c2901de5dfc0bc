"""Every page checks the role's permissions and refuses (403); hiding a link is not the check."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.matrix_routes import fill, page_patterns

pytestmark = pytest.mark.django_db


def test_every_page_route_of_every_app_is_guarded_or_public():
    """The route audit walks the root URL configuration: a page of any app without the page guard (or a
    deliberate ``public``) fails here, so no app can check permissions its own way or forget to."""
    from django.urls import get_resolver

    patterns = page_patterns()
    assert {"/matching/review", "/privacy/", "/service/cases/", "/import/", "/analytics/", "/v1/track",
            "/i18n/setlang/", "/ready"} <= {route for route, _p in patterns}
    unguarded = [route for route, pattern in patterns if not hasattr(pattern.callback, "required_permissions")]
    assert unguarded == []
    assert get_resolver().resolve("/").func.required_permissions == ()


def test_anonymous_visitors_are_sent_to_sign_in_on_every_guarded_page(client):
    """Every page behind the guard, in every app, sends an anonymous visitor to sign in and back (never a 403,
    never a 405 for a form's target): one rule, checked over real HTTP."""
    checked = 0
    for route, pattern in page_patterns():
        if pattern.callback.required_permissions is None:  # public
            continue
        path = fill(route, {"kind": "person", "action": "reject", "key": "x", "secret": "x"})
        for method in ("get", "post"):
            res = getattr(client, method)(path)
            assert res.status_code == 302, (method, path, res.status_code)
            assert res["Location"] == "/login/?next=" + quote(path, safe="/"), (method, path, res["Location"])
        checked += 1
    assert checked > 60


def test_anonymous_visitors_are_sent_to_sign_in(seeded):
    from django.test import Client

    client = Client()
    for path in ("/", "/search/?q=kari", "/customers/", f"/customers/{seeded.kari.pk}/", "/lookup?phone=1",
                 "/customers/new/person/", f"/customers/{seeded.kari.pk}/edit/"):
        res = client.get(path)
        assert res.status_code == 302 and res["Location"].startswith("/login/?next="), path


@pytest.mark.parametrize(("role", "path", "method", "status"), [
    ("analyst", "/", "get", 200),
    ("analyst", "/customers/", "get", 403),
    ("analyst", "/search/?q=kari", "get", 403),
    ("analyst", "/customers/{kari}/", "get", 403),
    ("analyst", "/lookup?phone=41234567", "get", 403),
    ("marketing", "/customers/{kari}/", "get", 200),
    ("marketing", "/customers/{kari}/log/", "post", 403),
    ("marketing", "/customers/new/person/", "get", 403),
    ("marketing", "/customers/{kari}/edit/", "post", 403),
    ("service", "/customers/{kari}/edit/", "get", 200),
    ("service", "/customers/{kari}/log/", "get", 200),
    ("sales", "/customers/new/company/", "get", 200),
    ("administrator", "/customers/new/person/", "get", 200),
    ("administrator", "/privacy/persons/{kari}/erase/", "get", 200),
    ("sales", "/privacy/persons/{kari}/erase/", "get", 403),
    ("marketing", "/privacy/persons/{kari}/erase/", "post", 403),
    ("marketing", "/marketing/campaigns/new", "get", 200),
    ("sales", "/marketing/campaigns/new", "get", 403),
    ("service", "/marketing/campaigns/new", "post", 403),
    ("sales", "/marketing/triggers/", "post", 403),
    ("marketing", "/marketing/triggers/", "get", 200),
    ("analyst", "/marketing/loyalty/", "post", 403),
    ("service", "/marketing/loyalty/", "get", 403),
    ("administrator", "/import/sources/{source}/", "get", 200),
    ("marketing", "/import/sources/{source}/", "post", 403),
    ("sales", "/import/sources/{source}/templates/new", "get", 403),
])
def test_role_permissions(client_as, seeded, role, path, method, status):
    client = client_as(role)
    from kundebase.ingest.importer import get_source

    source = get_source("shop", create=True).pk
    res = getattr(client, method)(path.format(kari=seeded.kari.pk, source=source),
                                  {"subject": "x"} if method == "post" else None)
    assert res.status_code == status
    if status == 403:
        assert "You may not open this page" in res.content.decode()


def test_marketing_sees_no_quick_actions_and_cannot_close_follow_ups(client_as, seeded):
    from kundebase.interactions.models import Interaction

    client = client_as("marketing")
    page = client.get(f"/customers/{seeded.kari.pk}/").content.decode()
    assert "Save contact" not in page and ">Edit<" not in page
    follow_up = Interaction.objects.get(follow_up_on__isnull=False)
    assert client.post(f"/follow-ups/{follow_up.pk}/done/").status_code == 403
    follow_up.refresh_from_db()
    assert follow_up.follow_up_done_at is None


def test_analyst_menu_has_no_customer_pages(client_as):
    page = client_as("analyst").get("/").content.decode()
    assert 'href="/customers/"' not in page and 'role="search"' not in page
