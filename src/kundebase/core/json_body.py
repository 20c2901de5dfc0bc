"""Reading JSON from the outside world: one strict loader for API bodies, events and JSON Lines files.

Python's ``json`` accepts more than any database can keep: ``NaN`` and ``Infinity`` (not JSON, refused by
PostgreSQL's jsonb), lone UTF-16 surrogates such as ``"\\ud800"`` (no character at all; PostgreSQL refuses them
and UTF-8 cannot encode them), the NUL character (PostgreSQL text and jsonb cannot hold it) and nesting deep
enough to exhaust the interpreter's stack further on.  Accepting such a value and failing when it is stored or
processed turns a client's mistake into a lost event or a 500, so everything read from outside goes through
:func:`loads`, which refuses it with a reason a client can act on.
"""

from __future__ import annotations

import json
import re
from typing import Any

MAX_DEPTH = 32
"""Nesting deeper than this is refused.  Nothing Kundebase reads nests more than a few levels (an event's
``properties.products[i]`` is four); tracking payloads nest their own objects a little further."""

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class InvalidJson(ValueError):
    """The text is not JSON Kundebase can keep; ``code`` is stable, ``field`` says where (``""``: the whole)."""

    def __init__(self, code: str, message: str, field: str = "") -> None:
        super().__init__(message)
        self.code, self.message, self.field = code, message, field


def loads(data: bytes | str, max_depth: int = MAX_DEPTH) -> Any:
    """Parse ``data`` as UTF-8 JSON, refusing what cannot be stored (see the module's docstring); ``max_depth``
    lets a reader with its own setting (an import's JSON depth) judge nesting by that."""
    if isinstance(data, bytes | bytearray):
        try:
            text = bytes(data).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidJson("invalid_utf8", f"The body is not valid UTF-8 (byte {exc.start})") from exc
    else:
        text = data
    text = text.removeprefix("\ufeff")
    try:
        value = json.loads(text)  # NaN, Infinity and 1e400 become non-finite floats, refused by check() below
    except RecursionError as exc:
        raise InvalidJson("too_deep", f"JSON may nest at most {max_depth} levels") from exc
    except json.JSONDecodeError as exc:
        raise InvalidJson("invalid_json", f"Not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") \
            from exc
    except ValueError as exc:  # an integer of thousands of digits (Python refuses to convert it)
        raise InvalidJson("invalid_json", f"Not valid JSON: {exc}") from exc
    check(value, max_depth=max_depth)
    return value


def _path(parent: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{parent}[{key}]"
    if _UNSTORABLE.search(key):  # the answer names the key; it must be writable itself
        key = key.encode("unicode_escape").decode("ascii")
    return f"{parent}.{key}" if parent else key


def check(value: Any, field: str = "", max_depth: int = MAX_DEPTH) -> None:
    """Refuse nesting beyond :data:`MAX_DEPTH`, non-finite numbers and unstorable characters in ``value``.

    Walks iteratively, so a value too deep for recursion is still judged.
    """
    stack: list[tuple[Any, str, int]] = [(value, field, 0)]
    while stack:
        item, where, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth >= max_depth:
                raise InvalidJson("too_deep", f"JSON may nest at most {max_depth} levels", where)
            pairs = item.items() if isinstance(item, dict) else enumerate(item)
            for key, child in pairs:
                if isinstance(key, str) and _UNSTORABLE.search(key):
                    raise InvalidJson("invalid_character", _character_message(key), _path(where, key))
                stack.append((child, _path(where, key), depth + 1))
        elif isinstance(item, str):
            if _UNSTORABLE.search(item):
                raise InvalidJson("invalid_character", _character_message(item), where)
        elif isinstance(item, float) and (item != item or item in (float("inf"), float("-inf"))):
            raise InvalidJson("non_finite_number",
                              "NaN and Infinity are not JSON numbers; send a finite number or null", where)


def _character_message(text: str) -> str:
    found = _UNSTORABLE.search(text)
    if found and found.group() == "\x00":
        return "contains the NUL character (\\u0000), which cannot be stored"
    return "contains an unpaired UTF-16 surrogate escape (such as \\ud800), which is no character"
