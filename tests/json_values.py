"""Hypothesis strategies for arbitrary JSON, including what a hostile client sends: NaN and Infinity, unpaired
surrogates, NUL, huge numbers and deep nesting."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import strategies as st

SCALARS = st.one_of(
    st.none(), st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.text(st.characters(codec=None, categories=("Cs", "Cc", "Lu", "Nd")), max_size=5),  # surrogates, NUL
    st.sampled_from(["", "2024-05-01T12:00:00Z", "kari@example.no", "Order Completed", "12", "1e400"]),
)


def values(max_leaves: int = 12) -> st.SearchStrategy[Any]:
    """Any JSON value (lists and objects of any of them)."""
    return st.recursive(SCALARS, lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
        max_leaves=max_leaves)


def deep(levels: int) -> Any:
    value: Any = 1
    for i in range(levels):
        value = {"a": value} if i % 2 else [value]
    return value


def dumps(value: Any) -> bytes:
    """Serialise as a client would, NaN and all (``json`` writes NaN and Infinity; surrogates as escapes)."""
    return json.dumps(value).encode()
