"""Every role on every route: the expected answer per role (allowed, 403, sign-in), never a 500, and the analyst
sees no raw personal data anywhere.

The routes come from the OpenAPI schema and the root URL configuration, and each must have an entry in
``API`` or ``PAGES`` below: a new route without one fails ``test_every_route_has_an_entry``, so the matrix stays
complete.  One seeded database per test, the Django test client, no browser: about a minute and a half on SQLite.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from tests.marketing.conftest import smtp  # noqa: F401  (answers to cases are really sent, to loopback)
from tests.matrix_routes import API_PREFIX, api_operations, fill, page_routes

pytestmark = pytest.mark.django_db
ROLES = ("administrator", "sales", "marketing", "service", "analyst")
A, S, M, V, N = "administrator", "sales", "marketing", "service", "analyst"
PUBLIC = "public"
"""Answered without a role (tracking endpoints check their own write key; unsubscribe links their token)."""
STAFF = "staff"
"""Django's admin site: for staff accounts only, so every role (none is staff) is sent to the admin sign-in."""

GIVEN, FAMILY = "Zelmira", "Quorvath"
EMAIL, PHONE_DIGITS = "zelmira.quorvath@example.org", "41987653"
RAW = (GIVEN, FAMILY, EMAIL, PHONE_DIGITS, "419 87 653", "Kvernveien 77")
"""What must never reach the analyst: the seeded person's name, e-mail, phone (as stored and as printed), street."""


# --- the API: which roles may call each operation (anonymous callers always get 401) -----------------------
# Roles are abbreviated: A administrator, S sales, M marketing, V service, N analyst; "-" marks a role refused
# (403).  Where ``BODIES`` has no valid body for an operation, its body is validated before the permission is
# checked (422 for every role), so the row can only list every role: the walk still proves no 500 and no raw
# personal data for the analyst there.
API_TABLE = """
GET    /tokens                                                 ASMVN
POST   /tokens                                                 ASMVN
DELETE /tokens/{token_id}                                      ASMVN
GET    /analytics/customers/{party_id}/key-figures             ASM-N
GET    /analytics/dashboard                                    A-M-N
GET    /analytics/reports                                      A-M-N
GET    /analytics/reports/{key}                                A-M-N
GET    /analytics/reports/{key}/export                         A-M-N
GET    /analytics/suggestions                                  ASM-N
POST   /analytics/suggestions/{interest_id}/accept             AS---
POST   /analytics/suggestions/{interest_id}/dismiss            AS---
GET    /analytics/text                                         A-M-N
POST   /analytics/text/suggest                                 A---N
POST   /campaigns                                              A-M--
POST   /campaigns/bounces                                      ASMVN
GET    /campaigns/{campaign_id}                                ASM-N
POST   /campaigns/{campaign_id}/send                           A-M--
GET    /companies                                              ASMVN
POST   /companies                                              AS-V-
DELETE /companies/{party_id}                                   AS---
GET    /companies/{party_id}                                   ASMVN
PATCH  /companies/{party_id}                                   AS-V-
GET    /companies/{party_id}/group                             ASMVN
GET    /credit/{party_id}                                      AS---
GET    /credit-policy                                          AS---
PUT    /credit-policy                                          A----
GET    /custom-fields                                          ASMV-
GET    /deals                                                  AS---
POST   /deals                                                  AS---
GET    /deals/{deal_id}                                        AS---
PATCH  /deals/{deal_id}                                        AS---
POST   /deals/{deal_id}/lose                                   AS---
POST   /deals/{deal_id}/move                                   AS---
POST   /deals/{deal_id}/win                                    AS---
GET    /dunning-rules                                          AS---
GET    /sales-reports/ageing                                   AS---
GET    /sales-reports/forecast                                 AS---
GET    /sales-reports/performance                              AS---
GET    /sales-reports/pipeline                                 AS---
GET    /sales-teams                                            AS---
PUT    /sales-teams/{member_id}                                A----
DELETE /dunning-rules/{country}                                A----
PUT    /dunning-rules/{country}                                A----
GET    /exchange-rates                                         AS---
PUT    /exchange-rates/{currency}                              A----
POST   /custom-fields                                          ASMVN
DELETE /custom-fields/{field_id}                               A----
GET    /exports/{export_id}                                    ASM-N
GET    /exports/{export_id}/file                               ASM-N
GET    /health                                                 public
GET    /imports/{job_id}                                       A----
POST   /imports/{job_id}/pause                                 A----
POST   /imports/{job_id}/resume                                A----
GET    /interactions                                           ASMVN
POST   /interactions                                           AS-V-
DELETE /interactions/{interaction_id}                          AS-V-
GET    /interactions/{interaction_id}                          ASMVN
PATCH  /interactions/{interaction_id}                          AS-V-
POST   /ledger                                                 A----
POST   /ledger/file                                            ASMVN
GET    /lookup                                                 ASMV-
POST   /loyalty/members                                        A-M--
GET    /loyalty/members/{party_id}                             ASM-N
POST   /loyalty/members/{party_id}/actions                     ASMVN
POST   /loyalty/members/{party_id}/redeem                      ASMVN
PUT    /loyalty/rules                                          ASMVN
PUT    /loyalty/tiers                                          ASMVN
POST   /matching/merges                                        A----
GET    /matching/merges/{merge_id}                             AS-V-
POST   /matching/merges/{merge_id}/unmerge                     A----
GET    /matching/review                                        AS-V-
POST   /matching/review/{pair_id}/accept                       A----
POST   /matching/review/{pair_id}/reject                       A----
POST   /matching/runs                                          A----
GET    /matching/runs/{job_id}                                 AS-V-
POST   /newsletters                                            ASMVN
GET    /offers                                                 ASMV-
POST   /offers                                                 A-M--
GET    /offers/{offer_id}                                      ASMV-
PATCH  /offers/{offer_id}                                      A-M--
GET    /orders                                                 ASMVN
POST   /orders                                                 AS---
GET    /orders/{order_id}                                      ASMVN
POST   /parties/{party_id}/addresses                           ASMVN
DELETE /parties/{party_id}/addresses/{address_id}              AS-V-
PATCH  /parties/{party_id}/addresses/{address_id}              AS-V-
POST   /parties/{party_id}/contact-points                      AS-V-
DELETE /parties/{party_id}/contact-points/{cp_id}              AS-V-
PATCH  /parties/{party_id}/contact-points/{cp_id}              AS-V-
GET    /persons                                                ASMVN
GET    /pipelines                                              AS---
POST   /pipelines                                              A----
GET    /pipelines/{pipeline_id}/flow                           AS---
POST   /pipelines/{pipeline_id}/stages                         A----
POST   /persons                                                AS-V-
DELETE /persons/{party_id}                                     AS---
GET    /persons/{party_id}                                     ASMVN
PATCH  /persons/{party_id}                                     AS-V-
GET    /privacy/audit/verify                                   A----
GET    /privacy/consents                                       ASMV-
POST   /privacy/consents                                       ASMV-
GET    /privacy/marketing-allowed                              ASMV-
POST   /privacy/persons/{party_id}/access                      A----
POST   /privacy/persons/{party_id}/erasure                     A----
DELETE /privacy/persons/{party_id}/restriction                 A----
POST   /privacy/persons/{party_id}/restriction                 A----
GET    /privacy/purposes                                       ASMV-
GET    /privacy/quarantine                                     A----
POST   /privacy/quarantine/{quarantine_id}/review              ASMVN
POST   /privacy/registers/{register_name}                      ASMVN
GET    /privacy/requests                                       A----
GET    /privacy/retention                                      A----
POST   /privacy/screen                                         ASMVN
GET    /product-categories                                     ASMVN
POST   /product-categories                                     AS---
GET    /product-interests                                      ASMVN
POST   /product-interests                                      AS---
DELETE /product-interests/{interest_id}                        A----
GET    /products                                               ASMVN
GET    /profiles/{profile_ref}                                 ASMVN
GET    /profiles/{profile_ref}/offers                          ASMV-
POST   /profiles/{profile_ref}/offers/{offer_id}/accept        ASMV-
POST   /products                                               AS---
GET    /provenance/{entity}/{record_id}                        ASMVN
POST   /roles                                                  AS-V-
DELETE /roles/{role_id}                                        AS-V-
PATCH  /roles/{role_id}                                        AS-V-
GET    /search                                                 ASMV-
GET    /segments                                               ASM-N
GET    /tasks                                                  AS-V-
POST   /tasks                                                  AS-V-
GET    /tasks/{task_id}                                        AS-V-
PATCH  /tasks/{task_id}                                        AS-V-
POST   /segments                                               A-M--
POST   /segments/count                                         ASM-N
GET    /segments/language                                      ASM-N
DELETE /segments/{segment_id}                                  A-M--
GET    /segments/{segment_id}                                  ASM-N
PATCH  /segments/{segment_id}                                  A-M--
POST   /segments/{segment_id}/exports                          A-M--
POST   /segments/{segment_id}/snapshot                         A-M--
GET    /service/cases                                          AS-V-
GET    /service/cases/{case_id}                                AS-V-
PATCH  /service/cases/{case_id}                                A--V-
POST   /service/cases/{case_id}/replies                        AS-V-
GET    /service/leads                                          AS-V-
POST   /service/leads/{proposal_id}/accept                     A--V-
POST   /service/messages                                       AS-V-
GET    /triggers                                               ASM-N
POST   /triggers                                               A-M--
"""
API: dict[tuple[str, str], frozenset[str] | str] = {}
for _line in API_TABLE.strip().splitlines():
    _method, _path, _who = _line.split()
    API[(_method, API_PREFIX + _path)] = PUBLIC if _who == PUBLIC else frozenset(
        {"A": A, "S": S, "M": M, "V": V, "N": N}[c] for c in _who if c != "-")

# --- pages: which roles may open each URL pattern --------------------------------------------------------------
PAGES_TABLE = """
/account/tokens/                                             ASMVN
/account/tokens/<int:token_id>/revoke/                       ASMVN
/import/events/dead-letters                                  A----
/                                                            ASMVN
/admin/                                                      staff
/admin/(?P<url>.*)$                                          staff
/admin/^(?P<app_label>auth|django_tasks_database|analytics|service)/$ staff
/admin/analytics/servicecostrate/                            staff
/admin/analytics/servicecostrate/<path:object_id>/           staff
/admin/analytics/servicecostrate/<path:object_id>/change/    staff
/admin/analytics/servicecostrate/<path:object_id>/delete/    staff
/admin/analytics/servicecostrate/<path:object_id>/history/   staff
/admin/analytics/servicecostrate/add/                        staff
/admin/auth/group/                                           staff
/admin/auth/group/<path:object_id>/                          staff
/admin/auth/group/<path:object_id>/change/                   staff
/admin/auth/group/<path:object_id>/delete/                   staff
/admin/auth/group/<path:object_id>/history/                  staff
/admin/auth/group/add/                                       staff
/admin/auth/user/                                            staff
/admin/auth/user/<id>/password/                              staff
/admin/auth/user/<path:object_id>/                           staff
/admin/auth/user/<path:object_id>/change/                    staff
/admin/auth/user/<path:object_id>/delete/                    staff
/admin/auth/user/<path:object_id>/history/                   staff
/admin/auth/user/add/                                        staff
/admin/django_tasks_database/dbtaskresult/                   staff
/admin/django_tasks_database/dbtaskresult/<path:object_id>/  staff
/admin/django_tasks_database/dbtaskresult/<path:object_id>/change/ staff
/admin/django_tasks_database/dbtaskresult/<path:object_id>/delete/ staff
/admin/django_tasks_database/dbtaskresult/<path:object_id>/history/ staff
/admin/django_tasks_database/dbtaskresult/add/               staff
/admin/service/mailbox/                                      staff
/admin/service/mailbox/<path:object_id>/                     staff
/admin/service/mailbox/<path:object_id>/change/              staff
/admin/service/mailbox/<path:object_id>/delete/              staff
/admin/service/mailbox/<path:object_id>/history/             staff
/admin/service/mailbox/add/                                  staff
/admin/service/replytemplate/                                staff
/admin/service/replytemplate/<path:object_id>/               staff
/admin/service/replytemplate/<path:object_id>/change/        staff
/admin/service/replytemplate/<path:object_id>/delete/        staff
/admin/service/replytemplate/<path:object_id>/history/       staff
/admin/service/replytemplate/add/                            staff
/admin/service/slarule/                                      staff
/admin/service/slarule/<path:object_id>/                     staff
/admin/service/slarule/<path:object_id>/change/              staff
/admin/service/slarule/<path:object_id>/delete/              staff
/admin/service/slarule/<path:object_id>/history/             staff
/admin/service/slarule/add/                                  staff
/admin/autocomplete/                                         staff
/admin/jsi18n/                                               staff
/admin/login/                                                public
/admin/logout/                                               public
/admin/password_change/                                      staff
/admin/password_change/done/                                 staff
/admin/r/<path:content_type_id>/<path:object_id>/            staff
/analytics/                                                  A-M-N
/analytics/customers/<int:party_id>/key-figures/             ASM-N
/analytics/reports/                                          A-M-N
/analytics/reports/<slug:key>/                               A-M-N
/analytics/suggestions/<int:interest_id>/<slug:action>/      AS---
/analytics/text/                                             A-M-N
/analytics/text/suggest/                                     A---N
/customers/                                                  ASMV-
/customers/<int:party_id>/                                   ASMV-
/customers/<int:party_id>/edit/                              AS-V-
/customers/<int:party_id>/log/                               AS-V-
/customers/new/<str:kind>/                                   AS-V-
/follow-ups/<int:interaction_id>/done/                       AS-V-
/i18n/setlang/                                               public
/import/                                                     A----
/import/<int:job_id>/                                        A----
/import/<int:job_id>/errors.csv                              A----
/import/<int:job_id>/mapping                                 A----
/import/<int:job_id>/pause                                   A----
/import/<int:job_id>/progress                                A----
/import/<int:job_id>/start                                   A----
/import/new                                                  A----
/import/sources                                              A----
/import/sources/<int:source_id>/                             A----
/import/sources/<int:source_id>/templates/<int:template_id>/ A----
/import/sources/<int:source_id>/templates/new                A----
/login/                                                      public
/logout/                                                     ASMVN
/logout/everywhere/                                          ASMVN
/lookup                                                      ASMV-
/m/c/<str:token>                                             public
/m/o/<str:token>                                             public
/m/u/<str:token>                                             public
/marketing/campaigns/                                        ASM-N
/marketing/campaigns/<int:campaign_id>/                      A-M--
/marketing/campaigns/<int:campaign_id>/send                  A-M--
/marketing/campaigns/new                                      A-M--
/marketing/exports/<int:export_id>/                          ASM-N
/marketing/exports/<int:export_id>/file                      ASM-N
/marketing/newsletters/<slug:key>/embed                      ASM-N
/marketing/loyalty/                                          ASM-N
/marketing/triggers/                                         ASM-N
/marketing/offers/                                           A-M--
/marketing/offers/<int:offer_id>/                            A-M--
/marketing/offers/new                                        A-M--
/marketing/segments/                                         ASM-N
/marketing/segments/<int:segment_id>/                        ASM-N
/marketing/segments/<int:segment_id>/export                  A-M--
/marketing/segments/count                                    ASM-N
/marketing/segments/new                                      ASM-N
/matching/review                                             AS-V-
/orders/new/                                                 AS---
/matching/review/<int:pair_id>/<str:action>                  A----
/newsletter/<slug:key>/subscribe                             public
/newsletter/confirm/<str:token>                              public
/privacy/                                                    A----
/privacy/persons/<int:party_id>/                             ASMV-
/privacy/persons/<int:party_id>/erase/                       A----
/privacy/quarantine/                                         A----
/ready                                                       public
/sales/                                                      AS---
/sales/calendar/<str:secret>.ics                             public
/sales/calendar/rotate/                                      AS-V-
/sales/credit/                                               A----
/sales/credit/rules/<str:country>/delete/                    A----
/sales/deals/                                                AS---
/sales/deals/<int:deal_id>/                                  AS---
/sales/deals/<int:deal_id>/lose/                             AS---
/sales/deals/<int:deal_id>/move/                             AS---
/sales/deals/<int:deal_id>/win/                              AS---
/sales/deals/new/                                            AS---
/sales/ledger/                                               A----
/sales/reports/                                              AS---
/sales/teams/                                                A----
/sales/pipelines/<int:pipeline_id>/                          AS---
/sales/tasks/                                                AS-V-
/sales/tasks/<int:task_id>/done/                             AS-V-
/search/                                                     ASMV-
/service/cases/                                              AS-V-
/service/cases/<int:case_id>/                                AS-V-
/service/cases/<int:case_id>/reply                           AS-V-
/service/cases/<int:case_id>/update                          A--V-
/service/customers/<int:party_id>/compose/                   AS-V-
/service/leads/<int:proposal_id>/<str:action>                A--V-
/v1/alias                                                    public
/v1/batch                                                    public
/v1/group                                                    public
/v1/identify                                                 public
/v1/page                                                     public
/v1/screen                                                   public
/v1/track                                                    public
"""
PAGES: dict[str, frozenset[str] | str] = {}
for _line in PAGES_TABLE.strip().splitlines():
    _path, _who = _line.split()
    PAGES[_path] = _who if _who in (PUBLIC, STAFF) else frozenset(
        {"A": A, "S": S, "M": M, "V": V, "N": N}[c] for c in _who if c != "-")
QUERY = {
    "/api/v1/search": f"?q={GIVEN}", "/api/v1/lookup": f"?q={EMAIL}",
    "/api/v1/privacy/consents": "?party_id={party_id}",
    "/api/v1/privacy/marketing-allowed": "?party_id={party_id}&channel=phone",
    "/api/v1/product-interests": "?party_id={party_id}",
    "/search/": f"?q={GIVEN}", "/lookup": f"?phone={PHONE_DIGITS}",
}
"""Query strings a route needs to do its work (a search needs a term)."""


def explore() -> bool:
    return os.environ.get("KUNDEBASE_MATRIX_EXPLORE") == "1"


@pytest.fixture(autouse=True)
def background_work_done() -> Iterator[None]:
    """A campaign or import started by a walk (the API's send, a page's button) finishes before the test's
    database goes, so it can neither fail there nor reach into the next test's database."""
    yield
    for thread in threading.enumerate():
        if thread.name.startswith(("campaign-", "kundebase-import-")):
            thread.join(timeout=300)
            assert not thread.is_alive(), f"{thread.name} still running after five minutes"


@pytest.fixture
def world(make_user: Any, smtp: Any) -> dict[str, Any]:  # noqa: F811  (the imported fixture)
    """The seeded database: one user per role, a person with known identifiers and what hangs off them."""
    from django.utils import timezone

    from kundebase.core.models import ApiToken
    from kundebase.interactions import services as interactions
    from kundebase.marketing import campaigns, exports, segments
    from kundebase.orders import services as orders
    from kundebase.parties import services as parties

    users = {role: make_user(f"{role}-m", role) for role in ROLES}
    tokens = {role: ApiToken.issue(user)[1] for role, user in users.items()}
    company = parties.create_company(data={"legal_name": "Matrix Handel AS"},
                                     addresses=[{"street": "Torget 1", "postcode": "0150", "city": "Oslo",
                                                 "country": "NO"}])
    person = parties.create_person(
        data={"given_name": GIVEN, "family_name": FAMILY, "birth_date": "1977-03-04"},
        contact_points=[{"kind": "email", "value": EMAIL}, {"kind": "mobile", "value": "+47" + PHONE_DIGITS}],
        addresses=[{"street": "Kvernveien 77", "postcode": "0150", "city": "Oslo", "country": "NO"}])
    role = parties.add_role(person_id=person.pk, company_id=company.pk, data={"position": "Buyer"})
    interaction = interactions.log_interaction(party_id=person.pk, data={
        "kind": "call", "subject": f"{GIVEN} {FAMILY} called from {EMAIL}", "follow_up_on": timezone.now().date()},
        actor=users["sales"])
    order = orders.create_order(party_id=person.pk, data={}, lines=[{"description": "x", "revenue": "10"}])
    segment = segments.create_segment(data={"name": "Everyone", "kind": "static",
                                            "rule": {"attr": "kind", "op": "eq", "value": "person"}})
    from kundebase.privacy import consent

    for channel in ("email", "phone", "post", "sms"):
        consent.record(party_id=person.pk, purpose="direct_marketing", channel=channel, status="granted")
    from kundebase.offers import services as offers

    offer = offers.create_offer(data={"name": "Matrix offer", "kind": "content", "margin": "10"})
    export = exports.export_segment(segment_id=segment.pk, use="call").export
    from kundebase.sales import services as sales

    deal = sales.create_deal(data={"title": "Matrix deal", "party_id": person.pk}, actor=users["sales"])
    task = sales.create_task(data={"title": "Matrix task", "due_at": "2031-01-01T10:00:00"}, actor=users["sales"])
    campaign = campaigns.create_campaign(data={"name": "Spring", "segment_id": segment.pk, "subject": "Hi",
                                               "body": "Hello"})
    from kundebase.service import intake
    from kundebase.service.models import LeadProposal, Mailbox

    mailbox = Mailbox.objects.create(name="Matrix", kind="maildir", address="support@example.com", path="/none")
    case = intake.receive(mailbox, f"From: <{EMAIL}>\r\nSubject: Delivery\r\nMessage-ID: <matrix-1@example.org>"
                                   "\r\n\r\nWhen does it come?".encode()).case
    intake.receive(mailbox, b"From: matrix.lead@example.net\r\nSubject: Hello\r\n\r\nNew here")
    from kundebase.ingest import services as ingest

    source = ingest.add_source(name="Matrix shop")[0]
    template = ingest.save_template(source=source, name="Matrix", entity="persons", columns={"E-post": "email"})
    values = {"source_id": source.pk, "template_id": template.pk,
              "case_id": case.pk, "proposal_id": LeadProposal.objects.get().pk,
              "party_id": person.pk, "cp_id": person.contact_points.first().pk,
              "address_id": person.addresses.first().pk, "role_id": role.pk, "interaction_id": interaction.pk,
              "order_id": order.pk, "segment_id": segment.pk, "export_id": export.pk, "campaign_id": campaign.pk,
              "entity": "person", "record_id": person.pk, "company_id": company.pk, "action": "reject",
              "kind": "person", "key": "x", "token": "x",
              "profile_ref": person.customer_number, "offer_id": offer.pk,
              "deal_id": deal.pk, "task_id": task.pk, "pipeline_id": deal.pipeline_id, "stage_id": deal.stage_id,
              "currency": "EUR", "country": "ZZ", "secret": "x", "object_id": users["sales"].pk,
              "id": users["sales"].pk, "member_id": users["service"].pk}
    return {"users": users, "tokens": tokens, "values": values, "person": person}


BODIES: dict[tuple[str, str], str] = {
    ("POST", "/persons"): '{"given_name": "Ny", "family_name": "Kunde"}',
    ("POST", "/companies"): '{"legal_name": "Ny Kunde AS"}',
    ("POST", "/parties/{party_id}/contact-points"): '{"kind": "email", "value": "ny@example.org"}',
    ("POST", "/parties/{party_id}/addresses"): '{"street": "Ny vei 1", "postcode": "0150", "city": "Oslo"}',
    ("POST", "/roles"): '{"person_id": {party_id}, "company_id": {company_id}}',
    ("POST", "/interactions"): '{"party_id": {party_id}, "kind": "note", "subject": "Matrix"}',
    ("POST", "/orders"): '{"party_id": {party_id}, "lines": [{"description": "x", "revenue": "1"}]}',
    ("POST", "/privacy/consents"): '{"party_id": {party_id}, "purpose": "direct_marketing", "channel": "post", '
                                   '"status": "granted"}',
    ("POST", "/segments"): '{"name": "Matrix", "rule": {"attr": "kind", "op": "eq", "value": "person"}}',
    ("POST", "/segments/count"): '{"rule": {"attr": "kind", "op": "eq", "value": "person"}}',
    ("POST", "/segments/{segment_id}/exports"): '{"use": "letter"}',
    ("POST", "/campaigns"): '{"name": "Matrix", "segment_id": {segment_id}, "subject": "Hi"}',
    ("POST", "/product-categories"): '{"name": "Matrix category"}',
    ("POST", "/products"): '{"sku": "MTX-1", "name": "Matrix product"}',
    ("POST", "/product-interests"): '{"party_id": {party_id}, "category_id": 999999}',
    ("POST", "/loyalty/members"): '{"party_id": {party_id}, "consent": true}',
    ("POST", "/triggers"): '{"name": "Matrix", "event": "birthday"}',
    ("POST", "/privacy/screen"): '{"text": "Matrix"}',
    ("POST", "/tokens"): '{"name": "Matrix token"}',
    ("POST", "/offers"): '{"name": "Matrix offer", "kind": "content", "margin": 10}',
    ("PATCH", "/offers/{offer_id}"): '{"priority": 2}',
    ("POST", "/matching/merges"): '{"survivor_id": 999998, "merged_id": 999999}',
    ("POST", "/service/cases/{case_id}/replies"): '{"body": "Matrix"}',
    ("POST", "/service/messages"): '{"party_id": {party_id}, "body": "Matrix"}',
    ("POST", "/deals"): '{"title": "Matrix", "party_id": {party_id}}',
    ("POST", "/deals/{deal_id}/move"): '{"stage_id": {stage_id}}',
    ("POST", "/deals/{deal_id}/lose"): '{"reason": "price"}',
    ("PUT", "/exchange-rates/{currency}"): '{"rate": "11.5"}',
    ("POST", "/pipelines"): '{"name": "Matrix", "stages": [{"name": "A", "probability": 10}]}',
    ("POST", "/pipelines/{pipeline_id}/stages"): '{"name": "Matrix", "probability": 20}',
    ("POST", "/tasks"): '{"title": "Matrix", "due_at": "2031-01-01T10:00:00"}',
    ("POST", "/ledger"): '{"rows": []}',
    ("PUT", "/credit-policy"): '{"mode": "warn"}',
    ("PUT", "/sales-teams/{member_id}"): '{"manager_id": null}',
    ("PUT", "/dunning-rules/{country}"): '{"payment_terms_days": 30, "reminder_1_days": 1, "reminder_2_days": 2, '
                                         '"collection_days": 3}',
}
"""A request body the operation accepts, so the permission check (not the body's validation) answers."""


def _call_api(client: Any, method: str, path: str, token: str | None, body: str = "{}") -> Any:
    extra = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    if method == "GET":
        return client.get(path, **extra)
    return client.generic(method, path, body, content_type="application/json", **extra)


def _paths(template: str, values: dict[str, Any]) -> list[str]:
    """The concrete paths to try for a route: a report route once per report, so each report's masking is seen."""
    if "/reports/" in template and ("{key}" in template or "<slug:key>" in template):
        from kundebase.analytics.reports import REPORTS

        return [fill(template, {**values, "key": key}) for key in REPORTS]
    return [fill(template + QUERY.get(template, ""), values)]


def test_every_route_has_an_entry(db: Any) -> None:
    operations, pages = set(api_operations()), set(page_routes())
    missing_api = sorted(op for op in operations if op not in API)
    missing_pages = sorted(p for p in pages if p not in PAGES)
    stale = [op for op in API if op not in operations] + [p for p in PAGES if p not in pages]
    if explore():
        print("\n".join(map(str, missing_api + missing_pages)))
    assert not missing_api and not missing_pages and not stale, (missing_api, missing_pages, stale)


def test_api_matrix(client: Any, world: dict[str, Any]) -> None:
    problems: list[str] = []
    for method, template in api_operations():
        body = BODIES.get((method, template[len(API_PREFIX):]), "{}")
        for name, value in world["values"].items():
            body = body.replace("{" + name + "}", str(value))
        for path in _paths(template, world["values"]):
            for role in (None, *ROLES):
                res = _call_api(client, method, path, world["tokens"][role] if role else None, body)
                if explore():
                    print(f"{method} {template} {role} {res.status_code}")
                problems += _judge(API.get((method, template)), role, res, f"{method} {path}", api=True)
    if explore():
        print("\n".join(problems))
    assert not problems, "\n".join(problems)


def _judge(allowed: frozenset[str] | str | None, role: str | None, res: Any, where: str, *, api: bool
           ) -> list[str]:
    """What is wrong with one answer: a 500, a leak to the analyst, or a status the matrix does not expect."""
    status = res.status_code
    if status >= 500:
        return [f"{where} as {role}: {status}"]
    out: list[str] = []
    if role == N and status < 300:
        body = b"".join(res.streaming_content) if res.streaming else res.content
        text = body.decode("utf-8", "replace").lower()
        leaked = [raw for raw in RAW if raw.lower() in text]
        if leaked:
            out.append(f"{where} shows the analyst {leaked}")
    if allowed is None or explore():
        return out
    location = res.get("Location", "")
    if allowed == STAFF:
        if status != 302 or "/admin/login/" not in location:
            out.append(f"{where} as {role}: {status}, expected the admin sign-in")
    elif allowed == PUBLIC:
        pass
    elif role is None:
        expected = 401 if api else 302
        if status != expected or (not api and not location.startswith("/login/?next=")):
            out.append(f"{where} anonymous: {status}, expected {expected} (sign in)")
    elif role in allowed:
        if status in (401, 403) or "/login/?next=" in location:
            out.append(f"{where} as {role}: {status}, expected allowed")
    elif status != 403:
        out.append(f"{where} as {role}: {status}, expected 403")
    elif not api and "You may not open this page" not in res.content.decode():
        out.append(f"{where} as {role}: 403 without the site's 403 page")
    return out


def test_page_matrix(client: Any, world: dict[str, Any]) -> None:
    problems: list[str] = []
    for template in page_routes():
        for path in _paths(template, world["values"]):
            for role in (None, *ROLES):
                client.logout()
                if role:
                    client.force_login(world["users"][role])
                res = client.get(path)
                if res.status_code == 405:  # a form's target: the POST is what the permission guards
                    res = client.post(path, "{}", content_type="application/json")
                if explore():
                    print(f"PAGE {template} {role} {res.status_code} {res.get('Location', '')}")
                problems += _judge(PAGES.get(template), role, res, f"GET {path}", api=False)
    if explore():
        print("\n".join(problems))
    assert not problems, "\n".join(problems)
