"""E-mail campaigns through a real SMTP server; unsubscribe and tracking links followed over real HTTP."""

from __future__ import annotations

import datetime as dt
import urllib.error
import urllib.parse
import urllib.request

import pytest
from django.db import connection
from django.utils import timezone

from kundebase.interactions.models import Interaction
from kundebase.marketing import campaigns, segments
from kundebase.marketing.models import Campaign, CampaignRecipient
from kundebase.orders import services as orders
from kundebase.parties import services as parties
from kundebase.privacy import consent
from kundebase.privacy.models import ConsentEvent
from tests.marketing.conftest import html_part, text_part

BODY = ("<p>{{ text.greeting }} {{ given_name }}!</p>{% if last_purchase %}<p>{{ last_purchase.revenue }}</p>"
        "{% endif %}{% for o in offers %}<a href=\"{{ o.url }}\">{{ o.title }}</a>{% endfor %}")


def _people() -> dict[str, int]:
    spec = {"kari": ("Kari", "nb", "kari@example.org"), "john": ("John", "en", "john@example.org"),
            "nils": ("Nils", "nb", "nils@example.org"), "gone": ("Gone", "en", "gone@bounce.example.com"),
            "<b>": ("<script>", "en", "evil@example.org")}
    ids = {}
    for key, (name, lang, email) in spec.items():
        ids[key] = parties.create_person(data={"given_name": name, "family_name": "Test", "preferred_language": lang},
                                         contact_points=[{"kind": "email", "value": email}]).pk
        if key != "nils":
            consent.record(party_id=ids[key], purpose="direct_marketing", channel="email", status="granted")
    consent.record(party_id=ids["kari"], purpose="direct_marketing", channel="profiling", status="granted")
    orders.create_order(party_id=ids["kari"], data={"ordered_at": timezone.now() - dt.timedelta(days=3)},
                        lines=[{"description": "boots", "revenue": "1234.00"}])
    return ids


def _campaign(**extra: object) -> Campaign:
    if "segment_id" not in extra:
        extra["segment_id"] = segments.create_segment(data={"name": "Everyone", "rule": {
            "attr": "kind", "op": "eq", "value": "person"}}).pk
    data = {"name": "Autumn", "subject": "{{ text.subject }}", "body": BODY,
            "text_blocks": {"nb": {"greeting": "Hei", "subject": "Tilbud"},
                            "en": {"greeting": "Hello", "subject": "Offer"}},
            "offers": [{"title": "Boots", "url": "https://shop.example.org/boots?a=1&b=2"}],
            "rate_per_second": 1000, "conversion_days": 14}
    data.update(extra)
    return campaigns.create_campaign(data=data)


def _send(campaign: Campaign) -> Campaign:
    campaigns.prepare(campaign_id=campaign.pk)
    return campaigns.run_campaign(campaign_id=campaign.pk)


def _fetch(url: str, method: str = "GET", data: bytes | None = None) -> tuple[int, str, str]:
    request = urllib.request.Request(url, method=method, data=data)

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, response.read().decode(errors="replace"), response.headers.get("Location", "")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(errors="replace"), exc.headers.get("Location", "")


@pytest.mark.django_db(transaction=True)
def test_personalised_campaign_unsubscribe_and_tracking_over_http(smtp, purposes, live_server, settings) -> None:
    settings.KUNDEBASE_BASE_URL = live_server.url
    ids = _people()
    campaign = _send(_campaign())
    stats = campaigns.statistics(campaign)
    assert campaign.excluded == {"no_consent": 1}  # Nils never consented
    assert stats["sent"] == 4 and stats["bounced"] == 1 and stats["delivered"] == 3
    assert smtp.to("nils@example.org") == []
    kari = smtp.to("kari@example.org")[0]
    john = smtp.to("john@example.org")[0]
    assert kari["Subject"] == "Tilbud" and "Hei Kari!" in html_part(kari) and "1234" in html_part(kari)
    assert john["Subject"] == "Offer" and "Hello John!" in html_part(john)
    assert "&lt;script&gt;" in html_part(smtp.to("evil@example.org")[0])  # names are escaped
    assert kari["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # tracking only for Kari, who consented to profiling
    assert "/m/o/" in html_part(kari) and "/m/c/" in html_part(kari)
    assert "/m/o/" not in html_part(john) and "https://shop.example.org/boots?a=1&amp;b=2" in html_part(john)
    # per-recipient results on the timeline
    assert Interaction.objects.filter(kind="campaign", party_id=ids["gone"], outcome="bounced").exists()
    assert Interaction.objects.filter(kind="campaign", party_id=ids["kari"], outcome="sent").exists()

    # follow Kari's click link over HTTP: redirected to the shop, click recorded
    click = html_part(kari).split('href="')[1].split('"')[0]
    status, _body, location = _fetch(click)
    assert status == 302 and location == "https://shop.example.org/boots?a=1&b=2"
    tampered = click[:-3] + ("AAA" if not click.endswith("AAA") else "BBB")
    assert _fetch(tampered)[0] == 404
    pixel = html_part(kari).split('<img src="')[1].split('"')[0]
    assert _fetch(pixel)[0] == 200

    # John's one-click unsubscribe (RFC 8058 POST), then Kari's link from the text part (GET)
    john_link = "".join(str(john["List-Unsubscribe"]).split()).strip("<>")
    status, _body, _loc = _fetch(john_link, method="POST", data=b"List-Unsubscribe=One-Click")
    assert status == 200
    kari_link = [line for line in text_part(kari).splitlines() if "/m/u/" in line][0].strip()
    assert _fetch(kari_link)[0] == 200
    assert _fetch(live_server.url + "/m/u/forged:token")[0] == 404
    assert not consent.has_consent(ids["john"], "direct_marketing", "email")
    assert not consent.has_consent(ids["kari"], "direct_marketing", "email")
    event = ConsentEvent.objects.filter(party_id=ids["john"], status="withdrawn").get()
    assert event.source == "unsubscribe"
    stats = campaigns.statistics(Campaign.objects.get(pk=campaign.pk))
    assert (stats["opened"], stats["clicked"], stats["unsubscribed"]) == (1, 1, 2)
    # the unsubscribe took effect at once: the next campaign leaves them out
    second = _send(_campaign(name="Winter", segment_id=campaign.segment_id))
    assert second.excluded == {"no_consent": 3}


@pytest.mark.django_db
def test_conversions_and_revenue(smtp, purposes) -> None:
    ids = _people()
    campaign = _send(_campaign())
    orders.create_order(party_id=ids["john"], data={}, lines=[{"description": "x", "revenue": "500"}])
    orders.create_order(party_id=ids["nils"], data={}, lines=[{"description": "x", "revenue": "900"}])
    stats = campaigns.statistics(campaign)
    assert stats["converted"] == 1 and stats["revenue"] == "500.00"
    # the same responses as segment conditions
    campaigns.record_click(CampaignRecipient.objects.get(campaign=campaign, party_id=ids["kari"]).pk)
    campaigns.unsubscribe(recipient_id=CampaignRecipient.objects.get(campaign=campaign, party_id=ids["john"]).pk)

    def who(op: str) -> set[int]:
        from kundebase.core.dialect import for_connection
        from kundebase.marketing.segment_language import select_sql

        sql, params = select_sql({"attr": "campaign", "op": op, "value": campaign.pk}, for_connection())
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return {row[0] for row in cursor.fetchall()}

    assert who("received") == {ids["kari"], ids["john"], ids["<b>"]}
    assert who("bounced") == {ids["gone"]}
    assert who("converted") == {ids["john"]}
    assert who("unsubscribed") == {ids["john"]}
    assert who("clicked") == who("opened") == {ids["kari"]}


@pytest.mark.django_db
def test_withdrawal_between_choosing_and_sending_is_respected(smtp, purposes) -> None:
    ids = _people()
    campaign = campaigns.prepare(campaign_id=_campaign().pk)
    consent.record(party_id=ids["john"], purpose="direct_marketing", channel="email", status="withdrawn")
    campaigns.run_campaign(campaign_id=campaign.pk)
    assert smtp.to("john@example.org") == []
    assert CampaignRecipient.objects.get(party_id=ids["john"]).status == "failed"


@pytest.mark.django_db
def test_bounce_report_endpoint_and_command(api, smtp, purposes, tmp_path) -> None:
    from django.core.management import call_command

    ids = _people()
    campaign = _send(_campaign())
    response = api.post("/api/v1/campaigns/bounces", {"address": "JOHN@example.org", "reason": "mailbox full"})
    assert response.json() == {"marked": 1}
    assert api.post("/api/v1/campaigns/bounces", {"address": ""}).status_code == 422
    report = tmp_path / "bounces.txt"
    report.write_text("kari@example.org;550 unknown\nnobody@example.org\n")
    call_command("campaigns", "bounces", str(report))
    stats = campaigns.statistics(campaign)
    assert stats["bounced"] == 3 and stats["delivered"] == 1
    assert Interaction.objects.filter(party_id=ids["john"], kind="campaign", outcome="bounced").exists()


@pytest.mark.django_db
def test_bad_campaigns_are_refused(api, purposes) -> None:
    segment = segments.create_segment(data={"name": "S", "rule": {"attr": "kind", "op": "eq", "value": "person"}})
    response = api.post("/api/v1/campaigns", {"name": "", "segment_id": segment.pk, "body": "{% if %}",
                                              "subject": "x", "purpose": "nope", "rate_per_second": 0})
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"name", "body", "purpose", "rate_per_second"} <= fields
    assert not Campaign.objects.exists()
    include = api.post("/api/v1/campaigns", {"name": "x", "segment_id": segment.pk, "subject": "s",
                                             "body": "{% include '/etc/passwd' %}"})
    campaign_id = include.json()["id"]
    with pytest.raises(Exception, match="passwd|TemplateDoesNotExist"):
        from django.template import Context

        from kundebase.marketing.personalise import compile_template

        compile_template(Campaign.objects.get(pk=campaign_id).body, "body").render(Context({}))


@pytest.mark.django_db
def test_call_campaign_produces_a_list_with_scripts(purposes) -> None:
    pid = parties.create_person(data={"given_name": "Per", "family_name": "Test", "preferred_language": "nb"},
                                contact_points=[{"kind": "mobile", "value": "+4741234567"}]).pk
    assert pid
    segment = segments.create_segment(data={"name": "Call", "rule": {"attr": "kind", "op": "eq",
                                                                     "value": "person"}})
    campaign = campaigns.create_campaign(data={"name": "Ring", "segment_id": segment.pk, "channel": "phone",
                                               "call_script": "Hei {{ given_name }}, {{ text.pitch }}",
                                               "text_blocks": {"nb": {"pitch": "har du tid?"}}})
    result = campaigns.produce_list(campaign_id=campaign.pk)
    content = result.path.read_text(encoding="utf-8-sig")
    assert "Hei Per, har du tid?" in content and "+4741234567" in content


@pytest.mark.django_db
def test_send_command_shows_progress(smtp, purposes, capsys) -> None:
    from io import StringIO

    from django.core.management import call_command

    _people()
    campaign = _campaign()
    out = StringIO()
    call_command("campaigns", "send", str(campaign.pk), stdout=out)
    assert '"sent": 4' in out.getvalue()
    assert Campaign.objects.get(pk=campaign.pk).status == "done"
