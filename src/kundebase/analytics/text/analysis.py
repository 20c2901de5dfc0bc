"""Text analysis kept in the mirror: per interaction its language, key phrases and matched categories.

Interactions are analysed once, incrementally (``analyse_pending``); a changed or deleted
interaction loses its analysis with its mirror row and is analysed again.  Reports on the
text — trending phrases, topics per month, who asks about what — are SQL over these tables.
Inferred interests go back to the customer only through ``orders.services.add_interest``,
as suggestions (``accepted=False``, source ``text``) an employee accepts or dismisses.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb
from django.db import transaction
from django.utils import timezone

from kundebase.analytics.text import interests, keywords, language

TEXT_TABLES = {
    "text_docs": "interaction_id BIGINT, party_id BIGINT, occurred_at TIMESTAMP, lang VARCHAR",
    "text_phrases": "interaction_id BIGINT, phrase VARCHAR, score DOUBLE",
    "text_topics": "interaction_id BIGINT, category_id BIGINT",
}
PHRASES_PER_TEXT = 5
SOURCE = "text"


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    for name, columns in TEXT_TABLES.items():
        con.execute(f"CREATE TABLE IF NOT EXISTS {name} ({columns})")


def forget(con: duckdb.DuckDBPyConnection, id_table: str, *, keep: bool = False) -> None:
    """Drop the analysis of the interactions listed in ``id_table`` (or of all *not* listed, with ``keep``)."""
    ensure_tables(con)
    op = "NOT IN" if keep else "IN"
    for name in TEXT_TABLES:
        con.execute(f"DELETE FROM {name} WHERE interaction_id {op} (SELECT id FROM {id_table})")


def _categories() -> list[tuple[int, str, str]]:
    from kundebase.orders.models import ProductCategory

    return list(ProductCategory.objects.values_list("id", "slug", "name"))


def analyse_pending(con: duckdb.DuckDBPyConnection, limit: int | None = 200, progress: Any = None) -> int:
    """Analyse interactions with text that have no analysis yet; returns how many were analysed."""
    ensure_tables(con)
    categories = _categories()
    cap = f" LIMIT {int(limit)}" if limit else ""
    rows = con.execute(
        "SELECT i.id, i.party_id, i.occurred_at, COALESCE(i.subject, ''), COALESCE(i.body, '') FROM interactions i "
        "WHERE (COALESCE(i.subject, '') <> '' OR COALESCE(i.body, '') <> '') "
        f"AND i.id NOT IN (SELECT interaction_id FROM text_docs) ORDER BY i.id{cap}").fetchall()
    docs, phrases, topics = [], [], []
    for interaction_id, party_id, occurred_at, subject, body in rows:
        text = f"{subject}. {body}".strip(". ") if subject and body else (subject or body)
        lang = language.detect(text)
        docs.append([interaction_id, party_id, occurred_at, lang])
        for phrase, score in keywords.extract(text, lang or "en", PHRASES_PER_TEXT):
            phrases.append([interaction_id, phrase, score])
        for category_id in interests.matching_categories(text, categories):
            topics.append([interaction_id, category_id])
        if progress is not None:
            progress.update(1)
    if docs:
        con.executemany("INSERT INTO text_docs VALUES (?, ?, ?, ?)", docs)
    if phrases:
        con.executemany("INSERT INTO text_phrases VALUES (?, ?, ?)", phrases)
    if topics:
        con.executemany("INSERT INTO text_topics VALUES (?, ?)", topics)
    return len(docs)


def suggest_interests(con: duckdb.DuckDBPyConnection, *, actor: object = None) -> int:
    """Write each inferred (customer, category) not yet known or dismissed as a suggestion; returns how many."""
    from kundebase.analytics.models import DismissedSuggestion
    from kundebase.orders.models import ProductInterest
    from kundebase.orders.services import add_interest
    from kundebase.parties.models import Party

    ensure_tables(con)
    pairs = con.execute("SELECT DISTINCT d.party_id, t.category_id FROM text_topics t "
                        "JOIN text_docs d ON d.interaction_id = t.interaction_id ORDER BY 1, 2").fetchall()
    if not pairs:
        return 0
    party_ids = {p for p, _ in pairs}
    known = set(ProductInterest.objects.filter(party_id__in=party_ids, category__isnull=False)
                .values_list("party_id", "category_id"))
    known |= set(DismissedSuggestion.objects.filter(party_id__in=party_ids).values_list("party_id", "category_id"))
    live = set(Party.objects.filter(pk__in=party_ids).values_list("pk", flat=True))
    written = 0
    for party_id, category_id in pairs:
        if (party_id, category_id) in known or party_id not in live:
            continue
        add_interest(party_id=party_id, category_id=category_id, source=SOURCE, accepted=False, actor=actor,
                     channel="analytics")
        written += 1
    return written


def _valid(key: int) -> bool:
    """Ids outside the 64-bit range cannot exist (and would overflow the database driver)."""
    return 0 < key < 2**63


def pending_suggestions(party_id: int | None = None) -> Any:
    from kundebase.orders.models import ProductInterest

    if party_id is not None and not _valid(party_id):
        return ProductInterest.objects.none()
    qs = ProductInterest.objects.filter(accepted=False, source=SOURCE).select_related("category", "party")
    if party_id is not None:
        qs = qs.filter(party_id=party_id)
    return qs.order_by("-created_at", "id")


@transaction.atomic
def accept(*, interest_id: int, actor: object = None) -> Any:
    """The employee agrees: the suggestion becomes an accepted interest (through the orders service)."""
    from kundebase.core.errors import NotFound
    from kundebase.orders.models import ProductInterest
    from kundebase.orders.services import add_interest

    interest = ProductInterest.objects.filter(pk=interest_id, source=SOURCE).first() if _valid(interest_id) else None
    if interest is None:
        raise NotFound("Suggestion", interest_id)
    return add_interest(party_id=interest.party_id, category_id=interest.category_id, product_id=interest.product_id,
                        source=interest.source, accepted=True, actor=actor, channel="web")


@transaction.atomic
def dismiss(*, interest_id: int, actor: object = None) -> None:
    """The employee disagrees: the suggestion goes, and is remembered so it is not made again."""
    from kundebase.analytics.models import DismissedSuggestion
    from kundebase.core.errors import Conflict, NotFound
    from kundebase.orders.models import ProductInterest
    from kundebase.orders.services import remove_interest

    interest = ProductInterest.objects.filter(pk=interest_id, source=SOURCE).first() if _valid(interest_id) else None
    if interest is None:
        raise NotFound("Suggestion", interest_id)
    if interest.accepted:
        raise Conflict("This interest was already accepted; remove it from the customer instead")
    if interest.category_id:
        DismissedSuggestion.objects.get_or_create(party_id=interest.party_id, category_id=interest.category_id)
    remove_interest(interest_id=interest_id, actor=actor, channel="web")


def _window(start: dt.datetime | None, end: dt.datetime | None) -> tuple[dt.datetime, dt.datetime]:
    end = end or timezone.now()
    start = start or end - dt.timedelta(days=90)
    return start.astimezone(dt.UTC).replace(tzinfo=None), end.astimezone(dt.UTC).replace(tzinfo=None)


def _customer_filter(f: Any) -> tuple[str, list[object]]:
    conds, params = [], []
    if getattr(f, "region", ""):
        conds.append("c.region = ?")
        params.append(f.region)
    if getattr(f, "country", ""):
        conds.append("c.country = ?")
        params.append(f.country.upper())
    if getattr(f, "segment", ""):
        conds.append("c.id IN (SELECT party_id FROM segment_members)")
    return "".join(f" AND {c}" for c in conds), params


def trending(con: duckdb.DuckDBPyConnection, f: Any, limit: int = 25) -> list[dict[str, Any]]:
    """Phrases by how many texts used them in the period, with the count in the equally long period before."""
    ensure_tables(con)
    start, end = _window(f.start, f.end)
    before = start - (end - start)
    extra, params = _customer_filter(f)
    rows = con.execute(f"""
SELECT p.phrase,
       COUNT(DISTINCT CASE WHEN d.occurred_at >= ? THEN d.interaction_id END) AS now_n,
       COUNT(DISTINCT CASE WHEN d.occurred_at < ? THEN d.interaction_id END) AS before_n,
       COUNT(DISTINCT CASE WHEN d.occurred_at >= ? THEN d.party_id END) AS customers
FROM text_phrases p JOIN text_docs d ON d.interaction_id = p.interaction_id
JOIN customers c ON c.id = d.party_id
WHERE d.occurred_at >= ? AND d.occurred_at < ?{extra}
GROUP BY p.phrase HAVING COUNT(DISTINCT CASE WHEN d.occurred_at >= ? THEN d.interaction_id END) > 0
ORDER BY now_n DESC, now_n - before_n DESC, p.phrase LIMIT {int(limit)}""",
                       [start, start, start, before, end, *params, start]).fetchall()
    return [{"phrase": r[0], "texts": r[1], "texts_before": r[2], "customers": r[3], "change": r[1] - r[2]}
            for r in rows]


def topics_by_month(con: duckdb.DuckDBPyConnection, f: Any) -> list[dict[str, Any]]:
    """Texts per matched category per month in the period."""
    ensure_tables(con)
    start, end = _window(f.start, f.end)
    extra, params = _customer_filter(f)
    rows = con.execute(f"""
SELECT strftime(d.occurred_at, '%Y-%m') AS month, t.category_id, COUNT(DISTINCT d.interaction_id)
FROM text_topics t JOIN text_docs d ON d.interaction_id = t.interaction_id JOIN customers c ON c.id = d.party_id
WHERE d.occurred_at >= ? AND d.occurred_at < ?{extra} GROUP BY 1, 2 ORDER BY 1, 2""",
                       [start, end, *params]).fetchall()
    names = {cid: name for cid, _slug, name in _categories()}
    return [{"month": r[0], "category_id": r[1], "category": names.get(r[1], str(r[1])), "texts": r[2]}
            for r in rows]


AGE_BANDS = ((0, 25, "<25"), (25, 35, "25–34"), (35, 45, "35–44"), (45, 55, "45–54"), (55, 65, "55–64"),
             (65, 200, "65+"))


def demographics(con: duckdb.DuckDBPyConnection, f: Any) -> list[dict[str, Any]]:
    """Distinct customers asking about each category, by age band (at the time of asking), gender and region."""
    ensure_tables(con)
    start, end = _window(f.start, f.end)
    extra, params = _customer_filter(f)
    band = "CASE " + " ".join(
        f"WHEN age >= {lo} AND age < {hi} THEN '{label}'" for lo, hi, label in AGE_BANDS) + " ELSE '?' END"
    rows = con.execute(f"""
WITH asked AS (
  SELECT DISTINCT t.category_id, d.party_id, c.gender, c.region, c.country,
         CAST(floor(date_diff('day', c.birth_date, CAST(d.occurred_at AS DATE)) / 365.25) AS INTEGER) AS age
  FROM text_topics t JOIN text_docs d ON d.interaction_id = t.interaction_id JOIN customers c ON c.id = d.party_id
  WHERE d.occurred_at >= ? AND d.occurred_at < ?{extra})
SELECT category_id, 'age' AS dim, {band} AS value, COUNT(DISTINCT party_id) FROM asked GROUP BY 1, 2, 3
UNION ALL
SELECT category_id, 'gender', COALESCE(NULLIF(gender, ''), '?'), COUNT(DISTINCT party_id) FROM asked GROUP BY 1, 2, 3
UNION ALL
SELECT category_id, 'region', COALESCE(NULLIF(region, ''), '?'), COUNT(DISTINCT party_id) FROM asked GROUP BY 1, 2, 3
ORDER BY 1, 2, 3""", [start, end, *params]).fetchall()
    names = {cid: name for cid, _slug, name in _categories()}
    return [{"category_id": r[0], "category": names.get(r[0], str(r[0])), "dimension": r[1], "value": r[2],
             "customers": r[3]} for r in rows]


def languages(con: duckdb.DuckDBPyConnection, f: Any) -> list[dict[str, Any]]:
    ensure_tables(con)
    start, end = _window(f.start, f.end)
    rows = con.execute("SELECT COALESCE(NULLIF(lang, ''), '?'), COUNT(*) FROM text_docs WHERE occurred_at >= ? "
                       "AND occurred_at < ? GROUP BY 1 ORDER BY 2 DESC, 1", [start, end]).fetchall()
    return [{"language": r[0], "texts": r[1]} for r in rows]
