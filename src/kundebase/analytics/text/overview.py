"""What customers write about, as the text page and ``GET /api/v1/analytics/text`` both show it, and the run
that turns new texts into suggested interests (the page's button and ``POST /api/v1/analytics/text/suggest``).

One service for both surfaces, so the page and the API can never disagree about what is trending.
"""

from __future__ import annotations

from typing import Any

from kundebase.analytics import engine, presentation, reports
from kundebase.analytics.sql import Filters
from kundebase.analytics.text import analysis


def text_overview(filters: Filters, viewer: Any) -> dict[str, Any]:
    """Languages, trending phrases (as ``viewer`` may see them), topics by month and who writes, for ``filters``.

    New texts are analysed first (a bounded number), so the figures include what came in since the last look.
    """
    with engine.reading() as con:
        reports._prepare_segment(con, filters)
        analysis.analyse_pending(con)
        return {"languages": analysis.languages(con, filters),
                "trending": presentation.phrases_for_viewer(analysis.trending(con, filters), viewer),
                "topics": analysis.topics_by_month(con, filters),
                "demographics": analysis.demographics(con, filters)}


def suggest_interests(actor: Any) -> dict[str, int]:
    """Analyse every new text, then write the interests it shows as suggestions for review."""
    with engine.reading() as con:
        analysed = analysis.analyse_pending(con, limit=None)
        written = analysis.suggest_interests(con, actor=actor)
    return {"analysed": analysed, "suggested": written}
