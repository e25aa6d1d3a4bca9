"""`--report`: one self-contained HTML page with inline SVG charts (readable offline, deterministic).

1. the JCT CDF (a log x axis when the JCTs span two decades or more, as Philly's do);
2. utilization and queue length over time;
3. cost by provider (one colour per provider, `plan_output.chart_style`);
4. the metrics table, every value as text a reader expects (no Python `None` / `True`).

The chart primitives are in `sim/svg.py`.
"""

from __future__ import annotations

from decimal import Decimal
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tender.sim.metrics import jct_cdf, timeline
from tender.sim.svg import bar_chart, line_chart, spans_decades

if TYPE_CHECKING:
    from tender.sim.experiments import Result

__all__ = ["cell", "line_chart", "render", "write_report"]


def cell(value: object) -> str:
    """A metrics-table value: "-" for none, yes / no for booleans, numbers with thousands separators."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.6g}" if abs(value) < 1e6 else f"{value:,.0f}"
    return str(value)


def render(result: Result) -> str:
    s: dict[str, Any] = result.summary
    capacity = sum(p.count for p in result.pools) or 1
    samples = timeline(result.outcome)
    cdf = [(x, y) for x, y in jct_cdf(result.outcome)]
    util = [(t, busy / capacity) for t, busy, _ in samples]
    queue = [(t, float(q)) for t, _, q in samples]
    costs = [(k, float(Decimal(v))) for k, v in sorted(s["cost_by_provider_usd"].items())]
    rows = "".join(
        f"<tr><th>{escape(k)}</th><td>{escape(cell(s[k]))}</td></tr>"
        for k in sorted(s)
        if not isinstance(s[k], dict | list)
    )
    log_x = spans_decades([x for x, _ in cdf])
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>tender simulate report</title>"
        "<style>body{font-family:sans-serif;margin:2em;max-width:1300px}figure{display:inline-block;margin:8px;vertical-align:top}"
        "table{border-collapse:collapse}th,td{border:1px solid #ccc;padding:2px 8px;text-align:left}</style>"
        f"</head><body><h1>tender simulate: {escape(str(s.get('policy', '')))}</h1>"
        + line_chart("JCT CDF", [("jobs", cdf)], "JCT (hours)", "fraction of jobs", log_x=log_x)
        + line_chart("Utilization over time", [("busy / held", util)], "hours", "utilization")
        + line_chart("Queue length over time", [("queued jobs", queue)], "hours", "jobs")
        + bar_chart("Cost by provider", costs, "USD", "provider")
        + f"<h2>Metrics</h2><table>{rows}</table></body></html>\n"
    )


def write_report(path: Path, result: Result) -> None:
    path.write_text(render(result), encoding="utf-8")
