"""One error bridge for every app's pages: a missing record is the site's 404 page, a refusal the 403 page, a
domain error a page does not handle itself a short page with its own status, never a 500 or a bare text."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

MISSING = ("/customers/999999/", "/privacy/persons/999999/", "/analytics/customers/999999/key-figures/",
           "/sales/deals/999999/", "/marketing/segments/999999/", "/service/cases/999999/", "/import/999999/",
           "/marketing/offers/999999/")


@pytest.mark.parametrize("path", MISSING)
def test_a_missing_record_is_the_sites_404_page_in_every_app(client_as, path):
    res = client_as("administrator").get(path)
    assert res.status_code == 404
    assert "Page not found" in res.content.decode()


def test_another_salespersons_deal_is_the_404_page(client_as, make_user, seeded):
    from kundebase.sales import services

    deal = services.create_deal(data={"title": "Not yours", "party_id": seeded.kari.pk},
                                actor=make_user("boss", "administrator"))
    client = client_as("sales")
    for res in (client.get(f"/sales/deals/{deal.pk}/"), client.post(f"/sales/deals/{deal.pk}/win/")):
        assert res.status_code == 404 and "Page not found" in res.content.decode()
    deal.refresh_from_db()
    assert deal.status == "open"


def test_an_unhandled_domain_error_is_a_page_with_its_status_and_message(client_as):
    from kundebase.marketing import segments
    from kundebase.marketing.models import Export

    segment = segments.create_segment(data={"name": "All", "kind": "static",
                                            "rule": {"attr": "kind", "op": "eq", "value": "person"}})
    res = client_as("marketing").post(f"/marketing/segments/{segment.pk}/export", {"use": "fax"},
                                      HTTP_REFERER=f"http://testserver/marketing/segments/{segment.pk}/")
    page = res.content.decode()
    assert res.status_code == 422 and res["Content-Type"].startswith("text/html")
    assert "This could not be done" in page and "use" in page
    assert f'href="http://testserver/marketing/segments/{segment.pk}/"' in page
    assert not Export.objects.exists()


def test_a_check_inside_a_page_refuses_with_the_403_page_and_sends_anonymous_visitors_to_sign_in(client_as):
    """The analyst may see segments but not make one: the form's POST is refused the same way a page is."""
    res = client_as("analyst").post("/marketing/segments/new", {"name": "x", "kind": "dynamic", "rule": "{}"})
    assert res.status_code == 403 and "You may not open this page" in res.content.decode()


def test_the_back_link_of_an_error_page_never_leaves_the_site(client_as):
    from kundebase.marketing import segments

    segment = segments.create_segment(data={"name": "All", "kind": "static",
                                            "rule": {"attr": "kind", "op": "eq", "value": "person"}})
    res = client_as("marketing").post(f"/marketing/segments/{segment.pk}/export", {"use": "fax"},
                                      HTTP_REFERER="https://evil.example/")
    assert res.status_code == 422 and "evil.example" not in res.content.decode()


def test_a_buttons_action_on_a_missing_record_is_the_404_page_not_a_message(client_as):
    client = client_as("administrator")
    for path in ("/matching/review/999999/accept", "/service/leads/999999/accept", "/sales/deals/999999/win/",
                 "/follow-ups/999999/done/"):
        res = client.post(path)
        assert res.status_code == 404 and "Page not found" in res.content.decode(), path


def test_a_buttons_action_that_fails_says_why_on_the_page_it_returns_to(client_as, seeded):
    from kundebase.sales import services

    client = client_as("sales")
    deal = services.create_deal(data={"title": "Mine", "party_id": seeded.kari.pk}, actor=client.user)
    res = client.post(f"/sales/deals/{deal.pk}/lose/", {"reason": ""}, follow=True)
    assert res.status_code == 200 and res.redirect_chain[-1][0] == f"/sales/deals/{deal.pk}/"
    assert [m.level_tag for m in res.context["messages"]] == ["error"]
    deal.refresh_from_db()
    assert deal.status == "open"
