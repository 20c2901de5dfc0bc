"""Pages speak people's words: no stored code, raw number or bare customer number where a name belongs (#20),
empty lists say what they are for, and the home page lists each role's waiting work."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.utils import timezone

pytestmark = pytest.mark.django_db


def _page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return html.unescape(response.content.decode())


def test_360_page_names_language_country_and_industry(client_as, seeded):
    admin = client_as("administrator")
    person = _page(admin, f"/customers/{seeded.kari.pk}/")
    assert "<dd>Norwegian Bokmål</dd>" in person and "<dd>nb</dd>" not in person
    assert "<br>Norway</dd>" in person and "<br>NO</dd>" not in person
    company = _page(admin, f"/customers/{seeded.company.pk}/")
    assert "47.11 Wholesale and retail trade; repair of motor vehicles" in company
    assert "<dd>47.11</dd>" not in company
    assert "(Norway)" in company and "(NO)" not in company


def test_360_page_in_norwegian_names_them_in_norwegian(client_as, seeded):
    admin = client_as("administrator")
    admin.post("/i18n/setlang/", {"language": "nb", "next": "/"})
    company = _page(admin, f"/customers/{seeded.company.pk}/")
    assert "47.11 Varehandel, reparasjon av motorvogner" in company and "(Norge)" in company


def test_consent_page_says_why_in_words(client_as, seeded):
    page = _page(client_as("sales"), f"/privacy/persons/{seeded.kari.pk}/")
    for code in ("no_consent", "not_on_register", "<td>email</td>", "<td>sms</td>"):
        assert code not in page, code
    assert "No consent recorded" in page and "Not on any opt-out register" in page and "<td>E-mail</td>" in page


def test_erasure_outcome_is_told_in_sentences(client_as, seeded, make_user):
    from kundebase.privacy import erasure

    erasure.erase(party_id=seeded.ola.pk, actor=make_user("dpo", "administrator"), channel="web")
    page = _page(client_as("administrator"), "/privacy/")
    assert "1 postal address deleted" in page and "phone number" in page
    for code in ("addresses: 1", "consent_events", "contact_points", "suppression_hashes"):
        assert code not in page, code


def test_report_table_lists_names_with_links_amounts_and_percentages(client_as, seeded):
    page = _page(client_as("administrator"), "/analytics/reports/pareto/")
    table = page[page.index('<table class="data">'):]
    assert f'<a href="/customers/{seeded.kari.pk}/">Kari Nordmann</a>' in table
    assert "NOK\xa0" in table and "%</td>" in table
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", table)
    assert not [c for c in cells if re.fullmatch(r"0\.\d+|\d+\.\d{2}", c.strip())], cells


def test_analyst_sees_pseudonyms_without_names_or_links(client_as, seeded):
    page = _page(client_as("analyst"), "/analytics/reports/pareto/")
    table = page[page.index('<table class="data">'):]
    assert "Kari Nordmann" not in table and "/customers/" not in table


def test_dashboard_top_customers_are_named_and_linked(client_as, seeded):
    page = _page(client_as("administrator"), "/analytics/")
    assert f'<a href="/customers/{seeded.kari.pk}/">Kari Nordmann</a>' in page


def test_empty_lists_say_what_they_are_for_and_offer_the_first_step(client_as, db):
    admin = client_as("administrator")
    for path, first_step in (("/marketing/segments/", "/marketing/segments/new"),
                             ("/import/", "/import/new"), ("/marketing/offers/", "/marketing/offers/new"),
                             ("/sales/deals/", "/sales/deals/new"), ("/customers/", "/customers/new/person/"),
                             ("/marketing/campaigns/", "/marketing/campaigns/new")):
        page = _page(admin, path)
        assert 'class="empty-state"' in page, path
        assert f'href="{first_step}' in page, (path, first_step)
    filtered = _page(admin, "/customers/?place=nowhere")
    assert "No customers match these filters." in filtered and 'class="empty-state"' not in filtered


def test_empty_list_offers_no_action_the_role_may_not_take(client_as, db):
    page = _page(client_as("analyst"), "/marketing/segments/")
    assert 'class="empty-state"' in page
    page = _page(client_as("sales"), "/sales/deals/")
    assert 'href="/sales/deals/new' in page
    page = _page(client_as("marketing"), "/marketing/offers/")
    assert 'href="/marketing/offers/new' in page


def _expiring_consent(party_id: int) -> None:
    from kundebase.privacy import consent
    from kundebase.privacy.purposes import CAMPAIGN_DEFAULT

    consent.record(party_id=party_id, purpose=CAMPAIGN_DEFAULT, channel="email", status="granted",
                   valid_until=timezone.now() + dt.timedelta(days=10))


def test_dashboard_lists_what_needs_doing_for_each_role(client_as, seeded, make_user):
    from kundebase.ingest.models import ImportJob, Source

    _expiring_consent(seeded.kari.pk)
    source = Source.objects.create(name="Nettbutikk")
    job = ImportJob.objects.create(source=source, entity="persons", file_name="kunder.csv", file_format="csv",
                                   content_hash="x" * 64, status=ImportJob.Status.DONE, error_count=3)

    sales = _page(client_as("sales"), "/")
    assert "What needs doing" in sales
    assert "1 customer's consent runs out within 30 days" in sales
    assert f'href="/privacy/persons/{seeded.kari.pk}/"' in sales
    assert "kunder.csv" not in sales  # imports are not the sales role's work

    admin = _page(client_as("administrator"), "/")
    assert "1 import with errors in the last 30 days" in admin
    assert f'href="/import/{job.pk}/"' in admin

    analyst = _page(client_as("analyst"), "/")
    assert "What needs doing" not in analyst and "consent runs out" not in analyst


def test_consent_renewed_later_is_not_listed_as_expiring(client_as, seeded):
    from kundebase.privacy import consent
    from kundebase.privacy.purposes import CAMPAIGN_DEFAULT

    _expiring_consent(seeded.kari.pk)
    consent.record(party_id=seeded.kari.pk, purpose=CAMPAIGN_DEFAULT, channel="email", status="granted",
                   captured_at=timezone.now() + dt.timedelta(seconds=1))
    assert "consent runs out" not in _page(client_as("sales"), "/")


def test_english_dates_are_european(client_as, seeded):
    page = _page(client_as("administrator"), "/customers/?last_contact=365")
    today = timezone.localdate()
    assert today.strftime("%d/%m/%Y") in page or (today - dt.timedelta(days=1)).strftime("%d/%m/%Y") in page


def test_segment_builder_gets_words_for_fields_operators_and_choices(client_as, db):
    import json

    page = client_as("marketing").get("/marketing/segments/new").content.decode()
    language = json.loads(re.search(r'<script id="segment-language" type="application/json">(.*?)</script>',
                                    page, re.S).group(1))
    assert language["labels"]["kind"] == "Kind" and language["labels"]["consent"] == "Consent"
    assert language["labels"]["orders.days_since_last"] == "Days since last order"
    assert language["operator_labels"]["eq"] == "is" and language["operator_labels"]["not_in"] == "is none of"
    assert language["choice_labels"]["withdrawn"] == "Withdrawn"
    assert all(language["labels"][a["name"]] != a["name"] for a in language["attributes"]
               if not a["name"].startswith("custom.")), "every built-in attribute has a label"


def test_access_report_names_fields_countries_and_channels(seeded):
    from kundebase.privacy import access

    _expiring_consent(seeded.kari.pk)
    body, _request = access.access_request(party_id=seeded.kari.pk, actor=None, channel="web", fmt="html")
    report = html.unescape(body.decode() if isinstance(body, bytes) else body)  # in Kari's language, Norwegian
    assert "Norge</li>" in report and ", NO</li>" not in report
    assert "<td>email</td>" not in report and "<td>granted</td>" not in report
    assert '<th scope="row">given_name</th>' not in report and '<th scope="row">Fornavn</th>' in report


def test_privacy_requests_due_are_listed_for_those_who_handle_them(client_as, seeded):
    from kundebase.privacy.models import DataSubjectRequest
    from kundebase.privacy.requests import open_request

    request = open_request(kind=DataSubjectRequest.Kind.ACCESS, party_id=seeded.ola.pk, actor=None, requested_by="")
    DataSubjectRequest.objects.filter(pk=request.pk).update(due_at=timezone.now() + dt.timedelta(days=2))
    assert "1 privacy request due within a week" in _page(client_as("administrator"), "/")
    assert "privacy request" not in _page(client_as("sales"), "/")
