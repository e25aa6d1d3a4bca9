"""Inline SVG charts for the simulate report (deterministic text, no script).

1. `nice_ticks` picks round tick values (1, 2 or 5 times a power of ten), `log_ticks` powers of ten;
2. `line_chart` draws the axes, tick labels, an x and a y axis title, the series and a legend row
   under the title, every part inside the SVG box (the legend wraps to a new row when a name would
   pass the right edge);
3. `bar_chart` draws horizontal bars, one colour per bar name (`plan_output.chart_style`), with axis titles.

Classes mark the parts a browser test reads: `legend`, `xtitle`, `ytitle`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

from tender.plan_output.chart_style import PALETTE, provider_colours

W, H = 600, 300
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 52, 44
CHAR = 6.2  # px per character at font-size 11, generous for sans-serif


def fmt(v: float) -> str:
    """A tick label: no trailing zeros, thousands separated."""
    if v == 0:
        return "0"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    return f"{v:.4g}"


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round values covering [lo, hi]: a step of 1, 2 or 5 x 10^k, about `count` ticks."""
    if hi <= lo:
        hi = lo + 1.0
    raw = (hi - lo) / max(count - 1, 1)
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1.0, 2.0, 5.0, 10.0) if m * power >= raw)
    first = math.floor(lo / step) * step
    if first > lo:  # lo / step underflowed to -0.0 (lo a tiny negative, e.g. -5e-324)
        first -= step
    ticks: list[float] = []
    k = 0
    while True:
        value = round(first + k * step, 12)
        ticks.append(value)
        if value >= hi:
            return ticks
        k += 1


def log_ticks(lo: float, hi: float) -> list[float]:
    """Powers of ten covering [lo, hi] (lo > 0)."""
    first, last = math.floor(math.log10(lo)), math.ceil(math.log10(hi))
    return [10.0**e for e in range(first, max(last, first + 1) + 1)]


def spans_decades(values: Sequence[float], decades: float = 2.0) -> bool:
    """True when positive values run over more than `decades` powers of ten (a log axis reads better)."""
    positive = [v for v in values if v > 0]
    return len(positive) == len(values) and bool(values) and max(positive) / min(positive) >= 10**decades


def _legend(names: Sequence[str], colours: Sequence[str], y: float) -> list[str]:
    parts, x = ['<g class="legend">'], float(LEFT)
    for name, colour in zip(names, colours, strict=True):
        width = 18 + CHAR * len(name) + 14
        if x + width > W - RIGHT and x > LEFT:
            x, y = float(LEFT), y + 14
        parts.append(f'<rect x="{x:.1f}" y="{y - 8:.1f}" width="12" height="8" fill="{colour}"/>')
        parts.append(f'<text x="{x + 16:.1f}" y="{y:.1f}" font-size="11">{escape(name)}</text>')
        x += width
    parts.append("</g>")
    return parts


def _frame(title: str, x_label: str, y_label: str, height: int) -> list[str]:
    mid = TOP + (height - TOP - BOTTOM) / 2
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {height}" width="{W}" height="{height}" role="img">',
        f'<title>{escape(title)}</title><rect width="{W}" height="{height}" fill="#fff"/>',
        f'<text x="{W / 2}" y="18" text-anchor="middle" font-size="14">{escape(title)}</text>',
        f'<text class="xtitle" x="{LEFT + (W - LEFT - RIGHT) / 2}" y="{height - 8}" text-anchor="middle" '
        f'font-size="12">{escape(x_label)}</text>',
        f'<text class="ytitle" x="14" y="{mid}" font-size="12" transform="rotate(-90 14 {mid})" '
        f'text-anchor="middle">{escape(y_label)}</text>',
    ]


def line_chart(
    title: str,
    series: Sequence[tuple[str, Sequence[tuple[float, float]]]],
    x_label: str,
    y_label: str,
    log_x: bool = False,
) -> str:
    """An SVG line chart; `series` is [(name, [(x, y), ...]), ...]; `log_x` draws x on a log10 scale."""
    points = [p for _, pts in series for p in pts]
    if not points:
        return f"<figure><figcaption>{escape(title)}: no data</figcaption></figure>"
    xs = [p[0] for p in points]
    log_x = log_x and min(xs) > 0
    xt = log_ticks(min(xs), max(xs)) if log_x else nice_ticks(min(xs), max(xs))
    yt = nice_ticks(min(0.0, min(p[1] for p in points)), max(p[1] for p in points))
    tx = math.log10 if log_x else float
    x0, x1, y0, y1 = tx(xt[0]), tx(xt[-1]), yt[0], yt[-1]

    def sx(x: float) -> float:
        return LEFT + (tx(x) - x0) / (x1 - x0) * (W - LEFT - RIGHT)

    def sy(y: float) -> float:
        return H - BOTTOM - (y - y0) / (y1 - y0) * (H - TOP - BOTTOM)

    parts = _frame(title, x_label + (" (log scale)" if log_x else ""), y_label, H)
    parts.append(f'<line x1="{LEFT}" y1="{H - BOTTOM}" x2="{W - RIGHT}" y2="{H - BOTTOM}" stroke="#333"/>')
    parts.append(f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{H - BOTTOM}" stroke="#333"/>')
    for xv in xt:
        parts.append(
            f'<text x="{sx(xv):.1f}" y="{H - BOTTOM + 14}" font-size="10" text-anchor="middle">{fmt(xv)}</text>'
        )
    for yv in yt:
        parts.append(
            f'<text x="{LEFT - 4}" y="{sy(yv) + 3:.1f}" font-size="10" text-anchor="end">{fmt(yv)}</text>'
        )
    colours = [PALETTE[i % len(PALETTE)] for i in range(len(series))]
    for (_name, pts), colour in zip(series, colours, strict=True):
        path = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in pts)
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="1.5" points="{path}"/>')
    parts += _legend([name for name, _ in series], colours, 36.0)
    parts.append("</svg>")
    return "<figure>" + "".join(parts) + "</figure>"


def bar_chart(title: str, bars: Sequence[tuple[str, float]], unit: str, category: str) -> str:
    """Horizontal bars, one per (name, value), each name in its palette colour; x in `unit`."""
    if not bars:
        return f"<figure><figcaption>{escape(title)}: no data</figcaption></figure>"
    row, label_w = 22, max(CHAR * max(len(n) for n, _ in bars), 40.0)
    height = TOP + row * len(bars) + BOTTOM
    ticks = nice_ticks(0.0, max(v for _, v in bars) or 1.0, 4)
    left = LEFT + label_w
    span = W - RIGHT - left - 84  # room for the value label right of the longest bar

    def sx(v: float) -> float:
        return left + v / ticks[-1] * span

    colours = provider_colours(n for n, _ in bars)
    parts = _frame(title, unit, category, height)
    base = height - BOTTOM
    parts.append(f'<line x1="{left}" y1="{base}" x2="{left + span}" y2="{base}" stroke="#333"/>')
    for t in ticks:
        parts.append(
            f'<text x="{sx(t):.1f}" y="{base + 14}" font-size="10" text-anchor="middle">{fmt(t)}</text>'
        )
    for i, (name, value) in enumerate(bars):
        y = TOP + i * row
        parts.append(
            f'<text x="{left - 4}" y="{y + 13}" font-size="11" text-anchor="end">{escape(name)}</text>'
        )
        parts.append(
            f'<rect x="{left}" y="{y}" width="{sx(value) - left:.1f}" height="16" fill="{colours[name]}">'
            f"<title>{escape(name)}: {fmt(value)} {escape(unit)}</title></rect>"
        )
        parts.append(f'<text x="{sx(value) + 4:.1f}" y="{y + 13}" font-size="11">{fmt(value)}</text>')
    parts.append("</svg>")
    return "<figure>" + "".join(parts) + "</figure>"
