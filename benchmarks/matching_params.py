"""Both engines' trained parameters as markdown, printed beside the matching figures.

A mis-trained model shows at a glance in its m and u values (a birth date whose
agreement weighs nothing, a name counted twice), so the benchmark prints every
comparison level of both models: its label, m, u and the match weight
log2(m / u), strongest level first, and the prior each model starts from.
"""

from __future__ import annotations

import math
import re
from typing import Any

from kundebase.matching.model import M_FLOOR, U_FLOOR
from kundebase.matching.splink_export import _LEVELS


def _weight(m: float | None, u: float | None, floors: bool) -> str:
    """log2(m / u); Kundebase floors m and u before dividing, Splink does not."""
    if m is None or u is None:
        return "untrained"
    if floors:
        m, u = max(m, M_FLOOR), max(u, U_FLOOR)
    if m <= 0 or u <= 0:
        return "-inf" if m <= 0 else "+inf"
    return f"{math.log2(m / u):+.2f}"


def _level(label: str, m: float | None, u: float | None, *, floors: bool = False) -> str:
    m_text = "–" if m is None else f"{m:.3g}"
    u_text = "–" if u is None else f"{u:.3g}"
    return f"{label}: m {m_text}, u {u_text}, w {_weight(m, u, floors)}"


def _short(condition: str) -> str:
    """A level's SQL condition, shortened to what it compares."""
    text = re.sub(r"(\w+)_l = \1_r", r"\1 equal", condition)
    text = re.sub(r"(jaro_winkler_similarity|damerau_levenshtein)\((\w+)_l, \2_r\)",
                  lambda mt: ("jw" if mt.group(1).startswith("jaro") else "dl") + f"({mt.group(2)})", text)
    text = re.sub(r"right\((\w+)_l, (\d+)\) = right\(\1_r, \2\)", r"last \2 of \1 equal", text)
    return text if len(text) <= 60 else text[:57] + "…"


def kundebase_table(params: dict[str, Any]) -> str:
    """Kundebase's model: one row per comparison, levels from strongest to disagreement (level 0)."""
    lines = [f"Prior (probability that a candidate pair is a match): {params['prior']:.4g}", "",
             "| comparison | levels, strongest first: m, u, match weight |", "|---|---|"]
    tf = params.get("tf") or {}
    for name, m, u in zip(params["comparisons"], params["m"], params["u"], strict=True):
        conditions = _LEVELS.get(name, [])
        cells = []
        for level in range(len(m) - 1, -1, -1):
            index = len(m) - 1 - level
            label = "else" if level == 0 else (_short(conditions[index]) if index < len(conditions)
                                               else f"level {level}")
            if name in tf and int(tf[name]["level"]) == level:
                label += " (term frequency)"
            cells.append(_level(label, m[level], u[level], floors=True))
        lines.append(f"| {name} | {'; '.join(cells)} |")
    return "\n".join(lines)


def splink_table(settings: dict[str, Any]) -> str:
    """Splink's model from ``save_model_to_json``: one row per comparison, its levels as Splink lists them."""
    lines = [f"Prior (probability that two random records match): "
             f"{settings['probability_two_random_records_match']:.4g}", "",
             "| comparison | levels, strongest first: m, u, match weight |", "|---|---|"]
    for comparison in settings["comparisons"]:
        cells = []
        for level in comparison["comparison_levels"]:
            if level.get("is_null_level"):
                continue
            label = level.get("label_for_charts", "?")
            if level.get("tf_adjustment_column"):
                label += " (term frequency)"
            cells.append(_level(label, level.get("m_probability"), level.get("u_probability")))
        lines.append(f"| {comparison['output_column_name']} | {'; '.join(cells)} |")
    return "\n".join(lines)
