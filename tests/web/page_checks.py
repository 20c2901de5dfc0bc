"""What the every-page browser test looks for on a page: sideways scrolling, raw codes, untranslated text.

The checks read the rendered page in the browser (visible text, the labels of controls) and judge it here, so
each rule is one small function with its reason beside it.
"""

from __future__ import annotations

import re
from functools import cache

RAW_CODES = frozenset({
    "no_consent", "not_on_register", "given_name", "family_name", "consent_events", "direct_marketing",
    "legal_name", "org_number", "customer_number", "preferred_language", "contact_points", "birth_date",
    "industry_code", "party_id", "follow_up_on",
})
"""Codes people have been shown instead of words (issue 20); any other snake_case word is caught by the pattern."""

SNAKE_CASE = re.compile(r"(?<![\w@./:=?&#%{-])[a-z]+(?:_[a-z]+)+(?![\w@./{}-])")
"""An identifier like ``consent_events`` standing as a word of its own (not inside an e-mail, a URL or a file
name, and not a generated value with digits such as a token's prefix ``kb_s61xn``): program text, not a
person's word."""

PAGE_TEXT = """() => {
  const out = [];
  const skip = "script, style, template, code, pre, kbd, samp, [translate=no]";
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walker.nextNode())) {
    const text = node.nodeValue.replace(/\\s+/g, " ").trim();
    const el = node.parentElement;
    if (!text || !el || el.closest(skip)) continue;
    const lang = el.closest("[lang]");
    out.push([text, lang ? lang.getAttribute("lang") : "", el.tagName.toLowerCase()]);
  }
  for (const el of document.body.querySelectorAll("[placeholder], [aria-label], [title], [alt], input[type=submit]")) {
    if (el.closest(skip)) continue;
    const lang = el.closest("[lang]");
    for (const name of ["placeholder", "aria-label", "title", "alt", "value"]) {
      if (name === "value" && el.type !== "submit") continue;
      const text = (el.getAttribute(name) || "").replace(/\\s+/g, " ").trim();
      if (text) out.push([text, lang ? lang.getAttribute("lang") : "", el.tagName.toLowerCase() + "@" + name]);
    }
  }
  return out;
}"""
"""Every piece of text a person reads or hears on the page, with the language it is marked as (``lang``).
``<code>`` and the like are left out: there a code is meant to be shown (an API example, a file's column)."""

SIDEWAYS = "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"

WIDE = """() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (box.right <= width + 1 || !box.width) continue;
    if ([...el.children].some(child => child.getBoundingClientRect().right > width + 1)) continue;
    let name = el.tagName.toLowerCase();
    if (el.id) name += "#" + el.id;
    if (el.className && typeof el.className === "string") name += "." + el.className.trim().split(/\\s+/).join(".");
    const parent = el.parentElement;
    const where = parent ? parent.tagName.toLowerCase() + (parent.className ? "." + parent.className : "") : "";
    out.push(`${where} > ${name} (right ${Math.round(box.right)})`);
    if (out.length >= 3) break;
  }
  return out;
}"""
"""The innermost elements that reach past the window's right edge: where the sideways scrolling comes from."""


def raw_codes(texts: list[tuple[str, str, str]]) -> list[str]:
    """The codes in the page's text: known ones and any snake_case identifier (an API token's prefix,
    ``kb_…``, is a value shown so that a person can tell tokens apart)."""
    found: set[str] = set()
    for text, _lang, where in texts:
        found.update(f"{code} (in {where})" for code in SNAKE_CASE.findall(text) if not code.startswith("kb_"))
        found.update(f"{word} (in {where})" for word in RAW_CODES if word in text)
    return sorted(found)


@cache
def catalogue(language: str) -> dict[str, str]:
    """English message → its translation in ``language``, from the compiled catalogues Django loads (ours and
    Django's own), where the translation differs from the English."""
    from django.utils.translation import trans_real

    translation = trans_real.translation(language)
    out: dict[str, str] = {}
    for msgid, _msgstr in translation._catalog.items():
        if not isinstance(msgid, str) or "\x04" in msgid:
            continue
        msgstr = translation.gettext(msgid)  # what a page gets (the first catalogue that has the message)
        if msgstr and msgstr != msgid and re.search(r"[A-Za-z]{2}", msgid) and "%" not in msgid \
                and "{" not in msgid:
            out[msgid] = msgstr
    return out


def untranslated(texts: list[tuple[str, str, str]], language: str, allowed: frozenset[str] | set[str] = frozenset()
                 ) -> list[str]:
    """Texts of a page in ``language`` that are exactly an English message whose translation differs: the page
    forgot to translate them. Text marked as another language (``lang="en"`` on a language's own name), the
    labels drawn in a chart (``<text>`` in an SVG: the data's own values, such as a phrase customers wrote) and
    the data the test seeded (``allowed``) are not judged, nor a text that is itself the language's word for
    another message (Danish "By" is "City", not the English "By")."""
    messages = catalogue(language)
    own_words = set(messages.values())
    base = language.split("-")[0]
    return sorted({f"{text} (in {where})" for text, lang, where in texts
                   if text in messages and text not in own_words and text not in allowed and where != "text"
                   and (not lang or lang.split("-")[0] == base)})
