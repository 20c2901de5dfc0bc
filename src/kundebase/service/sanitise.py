"""HTML from e-mail made harmless to show: an allow-list of tags, no attributes but safe links, no scripts.

Everything not on the list is dropped (its text kept, except inside ``script``/``style`` and the like, whose
content goes too); every attribute is dropped except ``href`` on links, and then only to http(s) or mailto.
Text is escaped again on the way out, so the result can be marked safe in a template.  Nothing a sender writes
can run: no element carries an event handler, a ``style`` or a ``src``.
"""

from __future__ import annotations

from html import escape
from html.parser import HTMLParser

ALLOWED = frozenset({"a", "b", "strong", "i", "em", "u", "p", "br", "div", "span", "ul", "ol", "li", "blockquote",
                     "pre", "code", "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "td", "th",
                     "hr", "small", "sub", "sup"})
VOID = frozenset({"br", "hr"})
DROP_CONTENT = frozenset({"script", "style", "iframe", "object", "embed", "noscript", "template", "svg", "math",
                          "head", "title", "textarea", "select"})
SAFE_SCHEMES = ("http://", "https://", "mailto:")


class _Sanitiser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.open: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in DROP_CONTENT:
            self.skipping += 1
            return
        if self.skipping or tag not in ALLOWED:
            return
        extra = ""
        if tag == "a":
            href = next((v or "" for k, v in attrs if k == "href"), "").strip()
            if href.lower().startswith(SAFE_SCHEMES):
                extra = f' href="{escape(href, quote=True)}" rel="noopener noreferrer nofollow"'
        self.out.append(f"<{tag}{extra}>")
        if tag not in VOID:
            self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in DROP_CONTENT:
            return
        self.handle_starttag(tag, attrs)
        if tag in ALLOWED and tag not in VOID and self.open and self.open[-1] == tag:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in DROP_CONTENT:
            self.skipping = max(0, self.skipping - 1)
            return
        if self.skipping or tag not in ALLOWED or tag in VOID or tag not in self.open:
            return
        while self.open:
            inner = self.open.pop()
            self.out.append(f"</{inner}>")
            if inner == tag:
                break

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.out.append(escape(data, quote=False))


def sanitise_html(source: str) -> str:
    """The harmless form of ``source`` (every opened tag closed)."""
    parser = _Sanitiser()
    parser.feed(source or "")
    parser.close()
    return "".join(parser.out) + "".join(f"</{t}>" for t in reversed(parser.open))
