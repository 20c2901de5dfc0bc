"""Double opt-in newsletter sign-up over real HTTP, from a form other sites can embed."""

from __future__ import annotations

import re
import urllib.error
import urllib.parse
import urllib.request

import pytest
from django.core.cache import cache

from kundebase.marketing.models import Newsletter, NewsletterSignup
from kundebase.privacy.models import ConsentEvent


def _get(url: str) -> tuple[int, str, dict[str, str]]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode(), dict(response.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(), dict(exc.headers)


def _post(url: str, fields: dict[str, str]) -> tuple[int, str]:
    data = urllib.parse.urlencode(fields).encode()
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=data, method="POST"), timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


@pytest.mark.django_db(transaction=True)
def test_double_opt_in_from_an_embedded_form(live_server, smtp, purposes, settings) -> None:
    settings.KUNDEBASE_BASE_URL = live_server.url
    cache.clear()
    Newsletter.objects.create(key="nyheter", name="Nyhetsbrev")
    url = f"{live_server.url}/newsletter/nyheter/subscribe"
    status, page, headers = _get(url)
    assert status == 200 and "X-Frame-Options" not in headers  # may be shown in an iframe elsewhere
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    # no session cookie, no CSRF cookie: the signed form token is what protects the POST
    assert _post(url, {"email": "ola@example.org", "name": "Ola Nordmann", "language": "nb"})[0] == 422
    assert _post(url, {"email": "ola@example.org", "token": token + "x"})[0] == 422
    assert _post(url, {"email": "not an address", "token": token})[0] == 422
    status, _body = _post(url, {"email": "Ola@Example.org", "name": "Ola Nordmann", "language": "nb",
                                "token": token})
    assert status == 200
    assert not ConsentEvent.objects.exists()  # nothing until the link in the e-mail is followed
    message = smtp.to("ola@example.org")[0]
    link = re.search(r"(http://\S+/newsletter/confirm/\S+)", message.get_payload(decode=True).decode()).group(1)
    assert _get(link)[0] == 200
    assert _get(link)[0] == 200  # a second click changes nothing
    event = ConsentEvent.objects.get()
    assert event.status == "granted" and event.channel == "email" and event.purpose.key == "newsletter"
    assert event.double_opt_in_at is not None and event.source == "form"
    signup = NewsletterSignup.objects.get()
    assert signup.confirmed_at is not None and signup.party.display_name == "Ola Nordmann"
    assert _get(link[:-4] + "abcd")[0] == 400
    assert _get(f"{live_server.url}/newsletter/unknown/subscribe")[0] == 404


@pytest.mark.django_db
def test_sign_ups_are_rate_limited(client, smtp, purposes) -> None:
    from kundebase.marketing import newsletters

    cache.clear()
    newsletter = Newsletter.objects.create(key="limits", name="Limits")
    token = newsletters.form_token(newsletter)
    codes = [client.post("/newsletter/limits/subscribe", {"email": f"p{i}@example.org", "token": token}).status_code
             for i in range(12)]
    assert codes[:10] == [200] * 10 and codes[10:] == [429, 429]
    assert NewsletterSignup.objects.count() == 10


@pytest.mark.django_db
def test_embed_snippet_page(client, make_user, purposes) -> None:
    Newsletter.objects.create(key="nyheter", name="Nyhetsbrev")
    client.force_login(make_user("mia", "marketing"))
    page = client.get("/marketing/newsletters/nyheter/embed")
    assert page.status_code == 200 and b"&lt;iframe src=" in page.content


@pytest.mark.django_db(transaction=True)
def test_sign_up_while_the_mail_server_is_down_is_a_clear_message_and_leaves_nothing(live_server, smtp, purposes,
                                                                                     settings) -> None:
    from tests.marketing.conftest import _free_port

    settings.KUNDEBASE_BASE_URL = live_server.url
    working = settings.KUNDEBASE_SMTP_URL
    settings.KUNDEBASE_SMTP_URL = f"smtp://127.0.0.1:{_free_port()}"  # nothing listens there
    cache.clear()
    Newsletter.objects.create(key="nyheter", name="Nyhetsbrev")
    url = f"{live_server.url}/newsletter/nyheter/subscribe"
    token = re.search(r'name="token" value="([^"]+)"', _get(url)[1]).group(1)
    form = {"email": "kari@example.org", "name": "Kari Nordmann", "language": "en", "token": token}
    for _attempt in range(4):  # more than the per-address limit: failed attempts are not counted against it
        status, page = _post(url, form)
        assert status == 503
        assert "try again in a few minutes" in page and 'value="kari@example.org"' in page
        assert "Traceback" not in page
    assert not NewsletterSignup.objects.exists() and not ConsentEvent.objects.exists()
    settings.KUNDEBASE_SMTP_URL = working  # the server is back: the same form works
    assert _post(url, form)[0] == 200
    assert NewsletterSignup.objects.get().email == "kari@example.org"
    assert len(smtp.to("kari@example.org")) == 1
