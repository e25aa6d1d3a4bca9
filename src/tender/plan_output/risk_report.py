"""`tender risk --report`: one self-contained HTML file (inline SVG, no script, works offline).

1. the headline measures (expected cost, p50/p90/p99, CVaR95) and the miss / shortfall probabilities;
2. the fan chart: capacity gap per month, p10-p90 band and p50 line (h100_eq);
3. the cost distribution: the empirical CDF of the samples' costs;
4. the tornado: each input at its p10 and p90, the others at their medians (`sourcing.risk.tornado`).
"""

from __future__ import annotations

from decimal import Decimal
from html import escape

from tender.domain import Scenario
from tender.sourcing.risk.evaluate import Outcome
from tender.sourcing.risk.stats import Summary
from tender.sourcing.risk.tornado import Bar

W, H, PAD = 640, 240, 40


def _xy(points: list[tuple[float, float]], xmax: float, ymin: float, ymax: float) -> str:
    span = (ymax - ymin) or 1.0
    return " ".join(
        f"{PAD + (W - 2 * PAD) * x / (xmax or 1.0):.1f},{H - PAD - (H - 2 * PAD) * (y - ymin) / span:.1f}"
        for x, y in points
    )


def _fan(s: Summary) -> str:
    rows = s.capacity_at_risk
    top = max([float(r[3]) for r in rows] + [1.0])
    n = float(len(rows))
    band = [(float(m), float(p90)) for m, _a, _b, p90 in rows] + [
        (float(m), float(p10)) for m, p10, _b, _c in reversed(rows)
    ]
    mid = [(float(m), float(p50)) for m, _a, p50, _c in rows]
    return (
        f'<svg width="{W}" height="{H}" role="img" aria-label="capacity gap fan">'
        f'<polygon points="{_xy(band, n, 0.0, top)}" fill="#f4a261" opacity="0.4"/>'
        f'<polyline points="{_xy(mid, n, 0.0, top)}" fill="none" stroke="#e76f51" stroke-width="2"/>'
        f'<text x="{PAD}" y="16">capacity gap, h100_eq (p10-p90 band, p50 line); max {top:,.0f}</text></svg>'
    )


def _cdf(outcomes: list[Outcome]) -> str:
    costs = sorted(float(o.cost_usd) for o in outcomes)
    lo, hi = costs[0], costs[-1]
    n = len(costs)
    pts = [(c - lo, (i + 1) / n) for i, c in enumerate(costs)]
    return (
        f'<svg width="{W}" height="{H}" role="img" aria-label="cost CDF">'
        f'<polyline points="{_xy(pts, (hi - lo) or 1.0, 0.0, 1.0)}" fill="none" stroke="#264653" stroke-width="2"/>'
        f'<text x="{PAD}" y="16">cost CDF, ${lo / 1e6:,.0f}M to ${hi / 1e6:,.0f}M</text></svg>'
    )


def _money(v: Decimal) -> str:
    return f"${v / 10**6:,.1f}M"


def _tornado(bars: tuple[Bar, ...]) -> str:
    rows = "".join(
        f"<tr><td>{escape(b.input)} {escape(b.key or '')}</td><td>{b.low}</td><td>{_money(b.cost_low_usd)}</td>"
        f"<td>{b.high}</td><td>{_money(b.cost_high_usd)}</td><td>{_money(b.swing_usd)}</td></tr>"
        for b in bars
    )
    head = "<tr><th>input</th><th>p10</th><th>cost</th><th>p90</th><th>cost</th><th>swing</th></tr>"
    return f"<table>{head}{rows}</table>"


def risk_report_html(
    sc: Scenario, seed: int, s: Summary, outcomes: list[Outcome], bars: tuple[Bar, ...]
) -> str:
    rows = [
        ("expected cost", _money(s.expected_cost_usd)),
        (
            "cost p50 / p90 / p99",
            f"{_money(s.cost_p50_usd)} / {_money(s.cost_p90_usd)} / {_money(s.cost_p99_usd)}",
        ),
        ("CVaR95", _money(s.cvar95_usd)),
        *[(f"miss probability {r}", f"{p}") for r, p in s.runs],
        *[(f"shortfall {c}", f"p = {p}, expected {_money(e)}") for c, p, e in s.commitments],
        *[(f"unmet {d}", f"p = {p}, expected {e:.1f} h100_eq-months") for d, p, e in s.unmet if p > 0],
    ]
    table = "".join(f"<tr><td>{escape(a)}</td><td>{escape(b)}</td></tr>" for a, b in rows)
    title = escape(f"Risk of plan {s.name}: {sc.id}, {s.samples} samples, seed {seed}")
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title></head>"
        f"<body style='font-family:sans-serif'><h1>{title}</h1><table>{table}</table>"
        f"<h2>Capacity at risk</h2>{_fan(s)}<h2>Cost distribution</h2>{_cdf(outcomes)}"
        f"<h2>Tornado (one input at a time, the others at their medians)</h2>{_tornado(bars)}</body></html>\n"
    )
