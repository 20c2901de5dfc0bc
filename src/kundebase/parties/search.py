"""Finding customers by what a person types: an identifier, a name, or a name with a typo.

One search answers with a page of customers *and* how many match in all, so the search page and the
API can say "156 customers found" and page through them, instead of showing the first twenty as if they
were all.  Counting is bounded so that typing stays fast: at most :data:`COUNT_CAP` matches are counted,
and names with the first typed word *inside* them (``anne kari …`` for ``kari``) are looked for only when
the names beginning with it do not fill the page asked for, as that takes a scan of the whole index.  When
either bound cut the count short, the answer is "at least" that many (``exact`` is false) — honest, and
paging on past the names already counted completes it.

Built to stay fast at hundreds of thousands of customers on both backends: the name scans read only
``(id, search_name)``, which the index on ``search_name`` covers; names that begin with the first typed
word are one index range; a query without letters (a phone
or a number) never starts a name scan.  Typo tolerance runs only when that finds fewer than
:data:`TYPO_BELOW` customers: it collects the distinct name words that share the first letter of a typed word,
keeps those within one or two edits (a transposition counts as one; rapidfuzz's optimal string
alignment distance), and searches again with them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import F, Func, IntegerField, Q, Value
from django.db.models.lookups import GreaterThan

from kundebase.core import identifiers
from kundebase.core.dialect import for_connection
from kundebase.parties.lookup import lookup
from kundebase.parties.models import Party

COUNT_CAP = 1000
"""Matches counted at most; beyond this the total is reported as a lower bound."""
TYPO_BELOW = 5
"""The typo fallback runs only when the exact and prefix search found fewer customers than this."""
NAME_POOL = 50000
"""At most this many distinct names are read to collect the words a typo may stand for."""
MAX_QUERY = 200


@dataclass
class SearchPage:
    """One page of a search, with the total it was cut from."""

    items: list[Party]
    total: int
    exact: bool
    offset: int
    limit: int
    corrected: list[str] = field(default_factory=list)

    @property
    def next_offset(self) -> int | None:
        return self.offset + self.limit if self.offset + self.limit < self.total else None

    @property
    def previous_offset(self) -> int | None:
        return max(self.offset - self.limit, 0) if self.offset > 0 else None

    @property
    def first(self) -> int:
        """1-based position of the first item shown (0 when nothing is)."""
        return self.offset + 1 if self.items else 0

    @property
    def last(self) -> int:
        return self.offset + len(self.items)


def allowed_edits(word: str) -> int:
    """How many typing mistakes a word may hold: none below four letters, one up to five, two from six."""
    return 0 if len(word) < 4 else 1 if len(word) < 6 else 2


def _inside(word: str) -> Q:
    """The name has a word after its first beginning with ``word``.

    Asked with the engine's substring-position function: about twice as fast as ``LIKE '% word%'`` on SQLite,
    whose LIKE folds case character by character (``search_name`` is folded already).
    """
    function = for_connection(connection).position_function
    position: Func = Func(F("search_name"), Value(" " + word), function=function, output_field=IntegerField())
    return Q(GreaterThan(position, 0))


def _word_cond(alternatives: Iterable[str]) -> Q:
    cond = Q()
    for alt in alternatives:
        cond |= Q(search_name__startswith=alt) | _inside(alt)
    return cond


def _name_ids(words: list[list[str]], cap: int, kind: str | None, enough: int | None = None
              ) -> tuple[list[int], bool]:
    """Ids whose name has, for every typed word, a word beginning with one of its alternatives: names that
    begin with the first word first (one index range), then the others, each in name order; at most ``cap``.

    The names with the first word *inside* cost a scan of the whole index, so when the range alone gives
    ``enough`` they are not looked for, and the second value says the list may be incomplete.
    """
    cond = Q()
    for alternatives in words:
        cond &= _word_cond(alternatives)
    matching = Party.objects.filter(cond, merged_into__isnull=True)
    if kind:
        matching = matching.filter(kind=kind)
    names = matching.order_by("search_name", "id").values_list("id", flat=True)
    ids: list[int] = []
    starts = Q()
    for first in words[0]:
        upper = first[:-1] + chr(ord(first[-1]) + 1)
        starts |= Q(search_name__gte=first, search_name__lt=upper)
        ids.extend(names.filter(search_name__gte=first, search_name__lt=upper)[: cap - len(ids)])
        if len(ids) >= cap:
            return ids[:cap], False
    if enough is not None and len(ids) >= enough:
        return ids, False
    seen = set(ids)
    ids.extend(pid for pid in names.exclude(starts)[: cap - len(ids)] if pid not in seen)
    return ids, len(ids) < cap


def _live(ids: list[int], kind: str | None) -> list[int]:
    """The ids that are current customers (not merged away) of the wanted kind, in the given order."""
    if not ids:
        return []
    keep: set[int] = set()
    for start in range(0, len(ids), 900):
        rows = Party.objects.filter(pk__in=ids[start:start + 900], merged_into__isnull=True)
        if kind:
            rows = rows.filter(kind=kind)
        keep.update(rows.values_list("pk", flat=True))
    return [pid for pid in ids if pid in keep]


def _close_words(words: list[str]) -> list[list[str]]:
    """For each typed word, itself and the stored name words within its allowed edits."""
    from rapidfuzz import process
    from rapidfuzz.distance import OSA

    starts = {w[0] for w in words if allowed_edits(w)}
    cond = Q()
    for letter in starts:
        cond |= Q(search_name__startswith=letter) | _inside(letter)
    names = Party.objects.filter(cond).order_by().values_list("search_name", flat=True).distinct()[:NAME_POOL]
    pool = sorted({part for name in names for part in name.split() if part[:1] in starts})
    out = []
    for word in words:
        edits = allowed_edits(word)
        found = [word]
        if edits:
            near = process.extract(word, pool, scorer=OSA.distance, score_cutoff=edits, limit=20)
            found += [w for w, _d, _i in sorted(near, key=lambda m: (m[1], m[0])) if w != word]
        out.append(found)
    return out


def search(query: str, *, kind: str | None = None, offset: int = 0, limit: int = 20) -> SearchPage:
    """Identifiers first (exact), then names (every typed word the start of a name word, accents and case
    ignored), then, when that finds fewer than :data:`TYPO_BELOW`, names within a typo or two."""
    text = (query or "").strip()[:MAX_QUERY]
    if not text or "\x00" in text:
        return SearchPage([], 0, True, offset, limit)
    ids = _live(lookup(text, limit=COUNT_CAP), kind)
    exact = True
    words = identifiers.fold(text).split()
    corrected: list[str] = []
    if words and any(ch.isalpha() for ch in text):
        # One more than the page needs, so that "next" is known without the whole-index scan.
        raw, exact = _name_ids([[w] for w in words], COUNT_CAP + 1, kind, enough=offset + limit + 1 - len(ids))
        seen = set(ids)
        ids += [pid for pid in raw[:COUNT_CAP] if pid not in seen]
        if len(ids) < TYPO_BELOW and any(allowed_edits(w) for w in words):
            alternatives = _close_words(words)
            if any(len(a) > 1 for a in alternatives):
                seen = set(ids)
                extra = [pid for pid in _name_ids(alternatives, COUNT_CAP, kind)[0] if pid not in seen]
                ids += extra
                corrected = sorted({w for alts in alternatives for w in alts[1:]}) if extra else []
    total = len(ids)
    window = ids[offset:offset + limit]
    rows = Party.objects.in_bulk(window)
    items = [rows[pid] for pid in window if pid in rows]
    return SearchPage(items, total, exact, offset, limit, corrected)

