"""Charts drawn on the server as inline SVG: no JavaScript library, no CDN, nothing to build.

Each function returns SVG markup (escaped labels, numbers only in coordinates) that a
template inserts as is; the same markup prints and screenshots like the page.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from django.utils.safestring import SafeString, mark_safe

W, H = 640, 320
PAD_L, PAD_R, PAD_T, PAD_B = 70, 20, 20, 50
BLUE, RED, GREEN, GREY = "#1f4e79", "#c0392b", "#2e8b57", "#9aa5b1"


def _svg(body: str, title: str, width: int = W, height: int = H) -> SafeString:
    return mark_safe(  # noqa: S308 - every text in body went through escape()
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" class="chart" '
        f'aria-label="{escape(title)}"><title>{escape(title)}</title>{body}</svg>')


def _fmt(value: float) -> str:
    magnitude = abs(value)
    if magnitude >= 1e6:
        return f"{value / 1e6:.1f} M"
    if magnitude >= 1e3:
        return f"{value / 1e3:.1f} k"
    return f"{value:.0f}" if magnitude >= 10 or value == int(value) else f"{value:.2f}"


def _axes(x0: float, y0: float, x1: float, y1: float) -> str:
    return (f'<line x1="{x0}" y1="{y0}" x2="{x0}" y2="{y1}" stroke="#333"/>'
            f'<line x1="{x0}" y1="{y0}" x2="{x1}" y2="{y0}" stroke="#333"/>')


def bars(items: Sequence[tuple[str, float]], title: str, *, colour: str = BLUE, limit: int = 15) -> SafeString:
    """Horizontal ranked bars, largest first (negative values drawn red, to the left of zero)."""
    items = list(items)[:limit]
    if not items:
        return _svg('<text x="20" y="40">—</text>', title, height=60)
    height = PAD_T + 22 * len(items) + 20
    left, right = 170, W - 80
    low = min(0.0, min(v for _, v in items))
    high = max(0.0, max(v for _, v in items)) or 1.0
    span = (high - low) or 1.0
    zero = left + (0 - low) / span * (right - left)
    parts = [f'<line x1="{zero:.1f}" y1="{PAD_T - 4}" x2="{zero:.1f}" y2="{height - 16}" stroke="#333"/>']
    for i, (label, value) in enumerate(items):
        y = PAD_T + 22 * i
        x = left + (min(value, 0) - low) / span * (right - left)
        width = abs(value) / span * (right - left)
        fill = RED if value < 0 else colour
        parts.append(f'<text x="{left - 6}" y="{y + 14}" text-anchor="end" font-size="12">{escape(label[:26])}</text>'
                     f'<rect x="{x:.1f}" y="{y + 2}" width="{max(width, 1):.1f}" height="16" fill="{fill}"/>'
                     f'<text x="{max(x + width, zero) + 4:.1f}" y="{y + 14}" font-size="11">{escape(_fmt(value))}'
                     "</text>")
    return _svg("".join(parts), title, height=height)


def lorenz(points: Sequence[Sequence[float]], title: str) -> SafeString:
    """The Lorenz curve over the line of equality, with the 20 % mark."""
    x0, y0, x1, y1 = PAD_L, H - PAD_B, W - PAD_R, PAD_T

    def px(x: float, y: float) -> str:
        return f"{x0 + x * (x1 - x0):.1f},{y0 - y * (y0 - y1):.1f}"

    curve = " ".join(px(x, y) for x, y in points)
    parts = [_axes(x0, y0, x1, y1),
             f'<line x1="{x0}" y1="{y0}" x2="{x1}" y2="{y1}" stroke="{GREY}" stroke-dasharray="4 4"/>',
             f'<polyline points="{curve}" fill="none" stroke="{BLUE}" stroke-width="2.5"/>',
             f'<line x1="{x0 + 0.8 * (x1 - x0):.1f}" y1="{y0}" x2="{x0 + 0.8 * (x1 - x0):.1f}" y2="{y1}" '
             f'stroke="{RED}" stroke-dasharray="2 3"/>']
    for tick in (0, 0.2, 0.4, 0.6, 0.8, 1.0):
        parts.append(f'<text x="{x0 + tick * (x1 - x0):.1f}" y="{y0 + 18}" text-anchor="middle" '
                     f'font-size="11">{tick:.0%}</text>'
                     f'<text x="{x0 - 8}" y="{y0 - tick * (y0 - y1) + 4:.1f}" text-anchor="end" '
                     f'font-size="11">{tick:.0%}</text>')
    parts.append(f'<text x="{(x0 + x1) / 2}" y="{H - 8}" text-anchor="middle" font-size="12">'
                 f'{escape("customers, smallest first")}</text>')
    return _svg("".join(parts), title)


def scatter(points: Sequence[Sequence[float]], threshold: float | None, title: str) -> SafeString:
    """Orders (x) against net profit (y); the quadrant lines at the frequency threshold and at zero."""
    if not points:
        return _svg('<text x="20" y="40">—</text>', title, height=60)
    x0, y0, x1, y1 = PAD_L, H - PAD_B, W - PAD_R, PAD_T
    max_x = max(max(p[0] for p in points), (threshold or 0) + 1)
    low = min(0.0, min(p[1] for p in points))
    high = max(0.0, max(p[1] for p in points)) or 1.0
    span = (high - low) or 1.0

    def sx(v: float) -> float:
        return x0 + v / max_x * (x1 - x0)

    def sy(v: float) -> float:
        return y0 - (v - low) / span * (y0 - y1)

    parts = [_axes(x0, y0, x1, y1),
             f'<line x1="{x0}" y1="{sy(0):.1f}" x2="{x1}" y2="{sy(0):.1f}" stroke="{GREY}"/>']
    if threshold is not None:
        parts.append(f'<line x1="{sx(threshold - 0.5):.1f}" y1="{y0}" x2="{sx(threshold - 0.5):.1f}" y2="{y1}" '
                     f'stroke="{GREY}" stroke-dasharray="4 4"/>')
    for n, net in points:
        frequent = threshold is not None and n >= threshold
        colour = RED if frequent and net <= 0 else (GREEN if net > 0 else GREY)
        parts.append(f'<circle cx="{sx(n):.1f}" cy="{sy(net):.1f}" r="3" fill="{colour}" fill-opacity="0.6"/>')
    for v in (low, 0.0, high):
        parts.append(f'<text x="{x0 - 8}" y="{sy(v) + 4:.1f}" text-anchor="end" font-size="11">{_fmt(v)}</text>')
    parts.append(f'<text x="{(x0 + x1) / 2}" y="{H - 8}" text-anchor="middle" font-size="12">'
                 f'{escape("orders")} (0–{int(max_x)})</text>')
    return _svg("".join(parts), title)


def heatmap(rows: Sequence[tuple[str, Sequence[float]]], title: str, limit: int = 24) -> SafeString:
    """Cohort retention: one row per cohort, one cell per month since first purchase, darker = more kept."""
    rows = list(rows)[-limit:]
    if not rows:
        return _svg('<text x="20" y="40">—</text>', title, height=60)
    cols = max(len(r[1]) for r in rows)
    cell = max(12, min(34, (W - 90) // max(cols, 1)))
    height = 30 + 18 * len(rows)
    width = 90 + cell * cols
    parts = []
    for i, (label, values) in enumerate(rows):
        y = 20 + 18 * i
        parts.append(f'<text x="84" y="{y + 13}" text-anchor="end" font-size="11">{escape(label)}</text>')
        for k, value in enumerate(values):
            opacity = 0.08 + 0.92 * max(0.0, min(1.0, value))
            parts.append(f'<rect x="{90 + k * cell}" y="{y}" width="{cell - 1}" height="16" fill="{BLUE}" '
                         f'fill-opacity="{opacity:.2f}"><title>{escape(label)} +{k}: {value:.0%}</title></rect>')
    for k in range(cols):
        parts.append(f'<text x="{90 + k * cell + cell / 2:.1f}" y="14" text-anchor="middle" font-size="10">{k}</text>')
    return _svg("".join(parts), title, width=width, height=height)


def columns(items: Sequence[tuple[str, float]], title: str, *, colour: str = BLUE) -> SafeString:
    """Vertical bars in the given order (months, segments)."""
    items = list(items)
    if not items:
        return _svg('<text x="20" y="40">—</text>', title, height=60)
    x0, y0, x1, y1 = PAD_L, H - PAD_B, W - PAD_R, PAD_T
    high = max(max(v for _, v in items), 1.0)
    step = (x1 - x0) / len(items)
    parts = [_axes(x0, y0, x1, y1)]
    for i, (label, value) in enumerate(items):
        h = value / high * (y0 - y1)
        x = x0 + i * step + step * 0.15
        parts.append(f'<rect x="{x:.1f}" y="{y0 - h:.1f}" width="{step * 0.7:.1f}" height="{h:.1f}" fill="{colour}"/>'
                     f'<text x="{x + step * 0.35:.1f}" y="{y0 - h - 4:.1f}" text-anchor="middle" '
                     f'font-size="10">{escape(_fmt(value))}</text>'
                     f'<text x="{x + step * 0.35:.1f}" y="{y0 + 14}" text-anchor="middle" font-size="10" '
                     f'transform="rotate(20 {x + step * 0.35:.1f} {y0 + 14})">{escape(label[:16])}</text>')
    return _svg("".join(parts), title)
