"""Every page of the product, for every role, in a real Chromium at phone (360×800) and desktop (1366×900) size.

The pages come from the route table of the role matrix (``tests/test_role_matrix.py``: every URL pattern of the
root configuration must have an entry there), filled with the matrix's seeded objects, so a new page is walked
here as soon as it exists.  A page fails on:

- sideways scrolling at either size (``scrollWidth > clientWidth`` of the document);
- a raw code in its text (``no_consent``, ``given_name``, any snake_case identifier);
- an axe-core violation of WCAG 2.1 A/AA with serious or critical impact (checked once per page, at desktop
  size: the rules judge the markup, which is the same at both sizes);
- in each language of ``settings.LANGUAGES`` other than English: a text that is exactly an English message of
  the catalogues whose translation differs (``test_every_page_is_translated``).

One browser for the module; per role one signed-in tab that loads each page once and is resized for the
second size.  About four minutes per database pass on two cores.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings

from tests.marketing.conftest import purposes, smtp  # noqa: F401  (fixtures the seeded world needs)
from tests.test_role_matrix import PAGES, PUBLIC, ROLES, _paths, world  # noqa: F401
from tests.web.page_checks import PAGE_TEXT, SIDEWAYS, WIDE, raw_codes, untranslated

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 800}
DESKTOP = {"width": 1366, "height": 900}
PASSWORD = "correct-horse-battery"
"""The password the matrix's users are made with."""
NOT_VISITED = ("/logout/", "/logout/everywhere/", "/login/", "/i18n/setlang/", "/admin/")
"""Routes a visit would change (signing out) or that are not a page of the product (Django's admin site)."""
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SEEDED_TEXT = frozenset({"Everyone", "Spring", "Hi", "Hello", "Matrix", "Buyer", "Delivery", "When does it come?",
                         "default"})
"""Data the matrix seeds in English words (the default name of an API token among them): a person's data is not
a message to translate."""


@pytest.fixture
def site(purposes: None, world: dict[str, Any], live_server: Any) -> dict[str, Any]:  # noqa: F811
    return {**world, "base": live_server.url}


def pages_for(role: str, values: dict[str, Any]) -> list[str]:
    """The concrete paths ``role`` may open (a report route once per report), public pages with the
    administrator's walk."""
    out = []
    for template, allowed in PAGES.items():
        if template.startswith(NOT_VISITED):
            continue
        if (allowed == PUBLIC and role == "administrator") or (not isinstance(allowed, str) and role in allowed):
            out += _paths(template, values)
    return out


def signed_in(browser: Any, base: str, username: str, language: str = "en") -> Any:  # noqa: F811
    context = browser.new_context(viewport=DESKTOP, locale="en-GB")
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base}])
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(base + "/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    page.wait_for_url(base + "/")
    return page


def open_page(page: Any, url: str) -> bool:
    """Load ``url``; True when it is an HTML page that answered 200 (a form's target, a file or JSON is not)."""
    probe = page.request.get(url, max_redirects=0)
    if probe.status != 200 or "text/html" not in probe.headers.get("content-type", ""):
        return False
    if "<html" not in probe.text()[:500]:  # a part of a page, fetched by the page that shows it
        return False
    response = page.goto(url)
    if response is None or response.status != 200:
        return False
    page.wait_for_load_state("load")
    return True


def sideways(page: Any) -> int:
    scroll, client = page.evaluate(SIDEWAYS)
    return int(scroll) - int(client)


@pytest.mark.parametrize("role", ROLES)
def test_every_page_fits_reads_as_words_and_passes_axe(browser, site, role):  # noqa: F811
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    base = site["base"]
    page = signed_in(browser, base, site["users"][role].username)
    problems: list[str] = []
    seen = 0
    for path in pages_for(role, site["values"]):
        page.set_viewport_size(DESKTOP)
        if not open_page(page, base + path):
            continue
        seen += 1
        if (extra := sideways(page)) > 0:
            problems.append(f"{path} at 1366 px scrolls sideways by {extra} px: {page.evaluate(WIDE)}")
        codes = raw_codes(page.evaluate(PAGE_TEXT))
        if codes:
            problems.append(f"{path} shows raw codes {codes}")
        result = axe.run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
        for violation in result.response["violations"]:
            if violation["impact"] in ("serious", "critical"):
                targets = [" ".join(map(str, node["target"])) for node in violation["nodes"][:3]]
                problems.append(f"{path}: axe {violation['impact']} {violation['id']} at {targets}")
        page.set_viewport_size(PHONE)
        if (extra := sideways(page)) > 0:
            page.wait_for_timeout(150)  # the tables' boxes are fitted after a resize
            if (extra := sideways(page)) > 0:
                problems.append(f"{path} at 360 px scrolls sideways by {extra} px: {page.evaluate(WIDE)}")
    page.context.close()
    assert seen >= 5, f"only {seen} pages opened for {role}"
    assert not problems, f"{len(problems)} problems for {role}:\n" + "\n".join(problems)


LANGUAGES = [code for code, _name in settings.LANGUAGES if code != "en"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_is_translated(browser, site, language):  # noqa: F811
    """Every page the administrator opens (the role that sees the most), in ``language``: no English message
    that the catalogue translates is left in English on the page."""
    from kundebase.privacy.models import Purpose

    # The purposes' names are the register's data (administrators rename them), like a customer's name.
    data = SEEDED_TEXT | set(Purpose.objects.values_list("name", flat=True))
    base = site["base"]
    page = signed_in(browser, base, site["users"]["administrator"].username, language)
    problems: list[str] = []
    for path in pages_for("administrator", site["values"]):
        if not open_page(page, base + path):
            continue
        assert page.locator("html").get_attribute("lang") == language, path
        left = untranslated(page.evaluate(PAGE_TEXT), language, data)
        if left:
            problems.append(f"{path}: {left}")
    page.context.close()
    assert not problems, f"untranslated in {language}:\n" + "\n".join(problems)
