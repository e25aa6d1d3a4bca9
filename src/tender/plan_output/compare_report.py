"""`tender compare --report`: one self-contained HTML file (inline SVG, no script, works offline).

1. the lab table: per variant its cost, its lines and its delta against the base;
2. per party a grouped bar chart: its revenue from the lab in each variant (the lab's cost first);
3. per variant other than the base, a waterfall of where the lab's cost difference from the base
   comes from: compute by provider, shortfall penalties, revenue share, unmet penalty.
Floats appear only as SVG coordinates; every amount printed comes from the exact Decimals.
"""

from __future__ import annotations

from decimal import Decimal
from html import escape

from tender.sourcing.compare.deltas import VariantResult, delta

W, H, PAD = 720, 260, 48
COLORS = ("#264653", "#2a9d8f", "#e9c46a", "#f4a261", "#e76f51", "#8ab17d", "#6d597a", "#b56576")
MILLION = Decimal(10**6)


def _m(v: Decimal) -> str:
    return f"{'-' if v < 0 else ''}${abs(v) / MILLION:,.1f}M"


def _bars(title: str, values: list[tuple[str, Decimal]]) -> str:
    """One bar per variant, on a zero baseline (negative values hang below)."""
    top = max([float(v) for _, v in values] + [0.0])
    bottom = min([float(v) for _, v in values] + [0.0])
    span = (top - bottom) or 1.0
    plot = H - 2 * PAD
    zero = PAD + plot * top / span
    step = (W - 2 * PAD) / max(len(values), 1)
    parts = [f'<svg width="{W}" height="{H}" role="img" aria-label="{escape(title)}">']
    parts.append(f'<text x="{PAD}" y="18">{escape(title)}</text>')
    for i, (name, v) in enumerate(values):
        h = plot * abs(float(v)) / span
        y = zero - h if v >= 0 else zero
        x = PAD + i * step + step * 0.15
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{step * 0.7:.1f}" height="{h:.1f}" '
            f'fill="{COLORS[i % len(COLORS)]}"><title>{escape(name)}: {_m(v)}</title></rect>'
        )
        parts.append(f'<text x="{x:.1f}" y="{H - PAD + 16}" font-size="11">{escape(name)}</text>')
        parts.append(f'<text x="{x:.1f}" y="{H - PAD + 30}" font-size="11">{_m(v)}</text>')
    parts.append(f'<line x1="{PAD}" x2="{W - PAD}" y1="{zero:.1f}" y2="{zero:.1f}" stroke="#999"/></svg>')
    return "".join(parts)


def _waterfall(title: str, steps: list[tuple[str, Decimal]]) -> str:
    """Each step starts where the previous ended; the last bar is the total difference."""
    running, levels = Decimal(0), [0.0]
    for _, v in steps:
        running += v
        levels.append(float(running))
    top, bottom = max(levels), min(levels)
    span = (top - bottom) or 1.0
    plot = H - 2 * PAD

    def y(v: float) -> float:
        return PAD + plot * (top - v) / span

    bars = [*steps, ("total", running)]
    step = (W - 2 * PAD) / len(bars)
    parts = [f'<svg width="{W}" height="{H + 60}" role="img" aria-label="{escape(title)}">']
    parts.append(f'<text x="{PAD}" y="18">{escape(title)}</text>')
    start = 0.0
    for i, (name, v) in enumerate(bars):
        total = i == len(bars) - 1
        a, b = (0.0, float(v)) if total else (start, start + float(v))
        color = "#264653" if total else ("#e76f51" if v > 0 else "#2a9d8f")
        x = PAD + i * step + step * 0.1
        parts.append(
            f'<rect x="{x:.1f}" y="{min(y(a), y(b)):.1f}" width="{step * 0.8:.1f}" '
            f'height="{max(abs(y(a) - y(b)), 0.5):.1f}" fill="{color}"><title>{escape(name)}: {_m(v)}</title></rect>'
        )
        parts.append(
            f'<text transform="translate({x:.1f},{H - PAD + 14}) rotate(30)" font-size="10">'
            f"{escape(name)} {_m(v)}</text>"
        )
        start = b
    parts.append(f'<line x1="{PAD}" x2="{W - PAD}" y1="{y(0.0):.1f}" y2="{y(0.0):.1f}" stroke="#999"/></svg>')
    return "".join(parts)


def _lab_rows(results: list[VariantResult]) -> str:
    base = results[0].accounts
    rows = []
    for v in results:
        lab = v.accounts.lab
        d = delta(base, v.accounts).lab_cost_usd
        cells = (
            lab.total_usd,
            lab.compute_usd,
            lab.shortfall_usd,
            lab.revenue_share_usd,
            lab.unmet_penalty_usd,
            d,
        )
        rows.append(
            f"<tr><td>{escape(v.name)}</td>"
            + "".join(f'<td class="n">{_m(c)}</td>' for c in cells)
            + f"<td>{escape(', '.join(v.accounts.runs_missed) or '-')}</td></tr>"
        )
    head = "".join(
        f"<th>{h}</th>"
        for h in (
            "variant",
            "lab cost",
            "compute",
            "shortfall",
            "revenue share",
            "unmet",
            "Δ vs base",
            "runs missed",
        )
    )
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>"


def compare_report_html(results: list[VariantResult]) -> str:
    base = results[0]
    charts = [_bars("the lab's total cost", [(v.name, v.accounts.lab.total_usd) for v in results])]
    for party in (r.party for r in base.accounts.providers):
        values = [
            (v.name, next((r.revenue_usd for r in v.accounts.providers if r.party == party), Decimal(0)))
            for v in results
        ]
        if any(val for _, val in values):
            charts.append(_bars(f"{party}: revenue from the lab", values))
    falls = [
        _waterfall(
            f"the lab's cost, {v.name} minus {base.name}: {_m(delta(base.accounts, v.accounts).lab_cost_usd)}",
            [(n, d) for n, d in delta(base.accounts, v.accounts).lab_lines_usd if d],
        )
        for v in results[1:]
    ]
    style = "body{font-family:sans-serif;margin:2em}td.n{text-align:right}td,th{padding:2px 8px}"
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>tender compare: {escape(base.name)}</title>"
        f"<style>{style}</style></head><body><h1>Contract regimes against {escape(base.name)}</h1>"
        f"{_lab_rows(results)}<h2>Per party, across variants</h2>{''.join(charts)}"
        f"<h2>Where the lab's cost difference comes from</h2>{''.join(falls)}</body></html>\n"
    )
