"""`tender plan --robust --report`: the study as one self-contained HTML file (inline SVG, offline).

1. the two plans side by side: expected cost (± standard error), CVaR95, cost as written, miss and
   shortfall probabilities; VSS, EVPI and the wait-and-see cost with their standard errors;
2. the robust first stage: each run's site and start, and the contract GPUs booked;
3. the cost distributions of both plans overlaid (empirical CDFs on the same axis);
4. the fan charts of the capacity gap, one per plan;
5. the robust plan's tornado (`sourcing.risk.tornado`): each input at its p10 and p90.
"""

from __future__ import annotations

from decimal import Decimal
from html import escape

from tender.domain import Scenario
from tender.plan_output.risk_report import PAD, H, W, _fan, _money, _tornado, _xy
from tender.sourcing.risk.extensive import Robust
from tender.sourcing.risk.stats import Summary
from tender.sourcing.risk.study import Measures, Triple
from tender.sourcing.risk.tornado import Bar

COLOURS = ("#e76f51", "#264653")  # deterministic, robust


def _cdfs(series: list[list[Decimal]]) -> str:
    flat = [float(c) for s in series for c in s]
    lo, hi = min(flat), max(flat)
    lines = []
    for costs, colour in zip(series, COLOURS, strict=True):
        ordered = sorted(float(c) for c in costs)
        n = len(ordered)
        pts = [(c - lo, (i + 1) / n) for i, c in enumerate(ordered)]
        lines.append(
            f'<polyline points="{_xy(pts, (hi - lo) or 1.0, 0.0, 1.0)}" fill="none" '
            f'stroke="{colour}" stroke-width="2"/>'
        )
    return (
        f'<svg width="{W}" height="{H}" role="img" aria-label="cost CDFs">{"".join(lines)}'
        f'<text x="{PAD}" y="16">cost CDF, ${lo / 1e6:,.0f}M to ${hi / 1e6:,.0f}M: '
        f"deterministic ({COLOURS[0]}), robust ({COLOURS[1]})</text></svg>"
    )


def _rows(
    pair: tuple[Summary, Summary], m: Measures, hedge: tuple[Decimal, Decimal]
) -> list[tuple[str, str, str]]:
    d, r = pair
    rows = [
        (
            "expected cost",
            f"{_money(d.expected_cost_usd)} ± {_money(d.expected_cost_se_usd)}",
            f"{_money(r.expected_cost_usd)} ± {_money(r.expected_cost_se_usd)}",
        ),
        ("CVaR95", _money(d.cvar95_usd), _money(r.cvar95_usd)),
        ("cost in the future as written", _money(hedge[0]), _money(hedge[1])),
    ]
    rows += [
        (f"miss probability {run}", str(p), str(q)) for (run, p), (_r, q) in zip(d.runs, r.runs, strict=True)
    ]
    by = {c: p for c, p, _e in r.commitments}
    rows += [(f"shortfall probability {c}", str(p), str(by.get(c, "-"))) for c, p, _e in d.commitments]
    rows += [
        ("VSS = EEV - RP", f"{_money(m.vss_usd)} ± {_money(m.vss_se_usd)}", ""),
        ("EVPI = RP - WS", f"{_money(m.evpi_usd)} ± {_money(m.evpi_se_usd)}", ""),
        ("wait-and-see WS", f"{_money(m.wait_and_see_usd)} ± {_money(m.wait_and_see_se_usd)}", ""),
        ("hedge: robust - deterministic, as written", _money(hedge[1] - hedge[0]), ""),
    ]
    return rows


def study_report_html(
    sc: Scenario,
    seed: int,
    pair: tuple[Summary, Summary],
    triples: list[Triple],
    m: Measures,
    robust: Robust,
    hedge: tuple[Decimal, Decimal],
    bars: tuple[Bar, ...] = (),
) -> str:
    body = "".join(
        f"<tr><td>{escape(a)}</td><td>{escape(b)}</td><td>{escape(c)}</td></tr>"
        for a, b, c in _rows(pair, m, hedge)
    )
    head = "<tr><th>measure</th><th>deterministic</th><th>robust</th></tr>"
    runs = "".join(
        f"<li>{escape(run)}: {escape(s.provider)} {escape(s.gpu)} {escape(s.region)} from month {s.start}</li>"
        if s is not None
        else f"<li>{escape(run)}: unplaced</li>"
        for run, s in sorted(robust.first.runs.items())
    )
    booked = sum((robust.first.booked or {}).values())
    how = (
        f"Benders, {robust.iterations} iterations, proven gap {robust.gap:.4%}"
        if robust.method == "benders"
        else f"extensive form, gap {robust.gap:.4%}"
    )
    title = escape(
        f"Robust plan of {sc.id}: SAA over {robust.samples} samples, {pair[0].samples} fresh samples, seed {seed}"
    )
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title></head>"
        f"<body style='font-family:sans-serif'><h1>{title}</h1><table>{head}{body}</table>"
        f"<h2>Robust first stage ({escape(how)})</h2><ul>{runs}</ul><p>contract GPU-months booked: {booked:,}</p>"
        f"<h2>Cost distributions</h2>"
        f"{_cdfs([[t.deterministic.cost_usd for t in triples], [t.robust.cost_usd for t in triples]])}"
        f"<h2>Capacity at risk, deterministic plan</h2>{_fan(pair[0])}"
        f"<h2>Capacity at risk, robust plan</h2>{_fan(pair[1])}"
        f"<h2>Tornado of the robust plan (one input at a time, the others at their medians)</h2>"
        f"{_tornado(bars)}</body></html>\n"
    )
