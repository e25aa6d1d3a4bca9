"""`--report`: one self-contained HTML page with inline SVG charts (readable offline, deterministic).

Charts: JCT CDF, utilization over time, queue length over time, cost by provider.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tender.sim.metrics import jct_cdf, timeline

if TYPE_CHECKING:
    from tender.sim.experiments import Result

W, H, PAD = 560, 260, 48


def _fmt(v: float) -> str:
    return f"{v:.2f}".rstrip("0").rstrip(".") if abs(v) < 1e6 else f"{v:.3g}"


def line_chart(
    title: str, series: Sequence[tuple[str, Sequence[tuple[float, float]]]], x_label: str, y_label: str
) -> str:
    """An SVG line chart; `series` is [(name, [(x, y), ...]), ...]."""
    points = [p for _, pts in series for p in pts]
    if not points:
        return f"<figure><figcaption>{escape(title)}: no data</figcaption></figure>"
    x0, x1 = min(p[0] for p in points), max(p[0] for p in points)
    y0, y1 = min(0.0, min(p[1] for p in points)), max(p[1] for p in points)
    x1, y1 = (x1 if x1 > x0 else x0 + 1), (y1 if y1 > y0 else y0 + 1)

    def sx(x: float) -> float:
        return PAD + (x - x0) / (x1 - x0) * (W - 2 * PAD)

    def sy(y: float) -> float:
        return H - PAD + -(y - y0) / (y1 - y0) * (H - 2 * PAD)

    colors = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b")
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" width="{W}" height="{H}" role="img">',
        f'<title>{escape(title)}</title><rect width="{W}" height="{H}" fill="#fff"/>',
        f'<line x1="{PAD}" y1="{H - PAD}" x2="{W - PAD}" y2="{H - PAD}" stroke="#333"/>',
        f'<line x1="{PAD}" y1="{PAD}" x2="{PAD}" y2="{H - PAD}" stroke="#333"/>',
        f'<text x="{W / 2}" y="{H - 10}" text-anchor="middle" font-size="12">{escape(x_label)}</text>',
        f'<text x="12" y="{H / 2}" font-size="12" transform="rotate(-90 12 {H / 2})" '
        f'text-anchor="middle">{escape(y_label)}</text>',
        f'<text x="{W / 2}" y="20" text-anchor="middle" font-size="14">{escape(title)}</text>',
    ]
    for k in range(5):
        xv, yv = x0 + (x1 - x0) * k / 4, y0 + (y1 - y0) * k / 4
        parts.append(
            f'<text x="{sx(xv):.1f}" y="{H - PAD + 16}" font-size="10" text-anchor="middle">{_fmt(xv)}</text>'
        )
        parts.append(
            f'<text x="{PAD - 4}" y="{sy(yv) + 3:.1f}" font-size="10" text-anchor="end">{_fmt(yv)}</text>'
        )
    for i, (name, pts) in enumerate(series):
        color = colors[i % len(colors)]
        path = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in pts)
        parts.append(f'<polyline fill="none" stroke="{color}" stroke-width="1.5" points="{path}"/>')
        parts.append(
            f'<text x="{W - PAD + 4}" y="{PAD + 14 * i}" font-size="10" fill="{color}">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return "<figure>" + "".join(parts) + "</figure>"


def bar_chart(title: str, bars: Sequence[tuple[str, float]], unit: str) -> str:
    if not bars:
        return f"<figure><figcaption>{escape(title)}: no data</figcaption></figure>"
    top = max(v for _, v in bars) or 1.0
    row = 22
    height = PAD + row * len(bars)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {height}" width="{W}" height="{height}" role="img">',
        f'<title>{escape(title)}</title><text x="{W / 2}" y="20" text-anchor="middle" font-size="14">'
        f"{escape(title)}</text>",
    ]
    for i, (name, value) in enumerate(bars):
        y = PAD - 10 + i * row
        width = value / top * (W - 260)
        parts.append(f'<text x="150" y="{y + 13}" font-size="11" text-anchor="end">{escape(name)}</text>')
        parts.append(f'<rect x="156" y="{y}" width="{width:.1f}" height="16" fill="#1f77b4"/>')
        parts.append(
            f'<text x="{160 + width:.1f}" y="{y + 13}" font-size="11">{_fmt(value)} {escape(unit)}</text>'
        )
    parts.append("</svg>")
    return "<figure>" + "".join(parts) + "</figure>"


def render(result: Result) -> str:
    s: dict[str, Any] = result.summary
    capacity = sum(p.count for p in result.pools) or 1
    samples = timeline(result.outcome)
    cdf = [(x, y) for x, y in jct_cdf(result.outcome)]
    util = [(t, busy / capacity) for t, busy, _ in samples]
    queue = [(t, float(q)) for t, _, q in samples]
    costs = [(k, float(Decimal(v))) for k, v in s["cost_by_provider_usd"].items()]
    rows = "".join(
        f"<tr><th>{escape(k)}</th><td>{escape(str(s[k]))}</td></tr>"
        for k in sorted(s)
        if not isinstance(s[k], dict | list)
    )
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>tender simulate report</title>"
        "<style>body{font-family:sans-serif;margin:2em;max-width:1200px}figure{display:inline-block;margin:8px}"
        "table{border-collapse:collapse}th,td{border:1px solid #ccc;padding:2px 8px;text-align:left}</style>"
        f"</head><body><h1>tender simulate: {escape(str(s.get('policy', '')))}</h1>"
        + line_chart("JCT CDF", [("jobs", cdf)], "JCT (hours)", "fraction of jobs")
        + line_chart("Utilization over time", [("busy / held", util)], "hours", "utilization")
        + line_chart("Queue length over time", [("queued jobs", queue)], "hours", "jobs")
        + bar_chart("Cost by provider", costs, "USD")
        + f"<h2>Metrics</h2><table>{rows}</table></body></html>\n"
    )


def write_report(path: Path, result: Result) -> None:
    path.write_text(render(result), encoding="utf-8")
