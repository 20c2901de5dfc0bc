"""Per-token rate limits for the profile and offer routes: a token bucket per caller, in this process.

``KUNDEBASE_PROFILE_RATE`` (``"<n>/s"`` or ``"<n>/min"``, ``0`` = no limit) is the sustained rate and the
burst; a caller over it gets 429 with ``Retry-After``, so one flooding token does not slow everyone else.
The table of buckets is bounded (least recently used callers are forgotten first).  The buckets live in the
process: ``kundebase serve --workers N`` runs N processes that share nothing but the database, so it gives
each of them 1/N of the rate and of the burst (:func:`share_among`).  A caller spread evenly over the workers
then gets the configured rate; one whose requests happen to land mostly on one worker is limited earlier,
never later — the limit is a ceiling, not a promise, and asking the database on every read would cost the
profile path a write per request.
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
from collections import OrderedDict

from django.conf import settings
from django.http import HttpRequest

from kundebase.core.errors import DomainError

MAX_CALLERS = 10_000


class RateLimited(DomainError):
    def __init__(self, seconds: int) -> None:
        super().__init__(title="Too many requests", status=429, code="rate_limited",
                         detail=f"This token sent more requests than its rate allows; try again in {seconds} s",
                         extra={"retry_after": seconds})


def parse_rate(text: str) -> tuple[float, float]:
    """``(tokens per second, burst)`` from ``"50/s"`` or ``"600/min"``; ``(0, 0)`` for no limit."""
    raw = (text or "").strip().lower()
    if raw in ("", "0", "off"):
        return 0.0, 0.0
    count, _sep, unit = raw.partition("/")
    seconds = {"s": 1.0, "sec": 1.0, "second": 1.0, "m": 60.0, "min": 60.0, "minute": 60.0, "h": 3600.0,
               "hour": 3600.0}.get(unit or "s")
    if seconds is None or not count.isdigit() or int(count) == 0:
        raise ValueError(f"a rate is <number>/s, <number>/min or <number>/hour, not {text!r}")
    return int(count) / seconds, float(count)


_buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
_lock = threading.Lock()
_processes = 1


def share_among(processes: int) -> None:
    """Give this process (and the workers forked from it) its 1/``processes`` share of every token's rate."""
    global _processes
    _processes = max(1, processes)
    reset()


def _caller(request: HttpRequest) -> str:
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return "t:" + hashlib.sha256(header[7:].strip().encode()).hexdigest()[:32]
    return f"u:{getattr(request.user, 'pk', '')}"


def check(request: HttpRequest, *, now: float | None = None) -> None:
    """Take one token from the caller's bucket, or raise :class:`RateLimited`."""
    rate, burst = parse_rate(settings.KUNDEBASE_PROFILE_RATE)
    if rate <= 0:
        return
    rate, burst = rate / _processes, max(1.0, burst / _processes)
    key = _caller(request)
    moment = time.monotonic() if now is None else now
    with _lock:
        tokens, last = _buckets.pop(key, (burst, moment))
        tokens = min(burst, tokens + (moment - last) * rate)
        if tokens < 1:
            _buckets[key] = (tokens, moment)
            raise RateLimited(max(1, math.ceil((1 - tokens) / rate)))
        _buckets[key] = (tokens - 1, moment)
        while len(_buckets) > MAX_CALLERS:
            _buckets.popitem(last=False)


def reset() -> None:
    """Forget every bucket (a changed setting, a test)."""
    with _lock:
        _buckets.clear()
