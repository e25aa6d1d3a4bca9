"""Plots and README table of bench/gavel_curves.py's rows (Gavel 1f6f02e vs Tender compat).

1. `latest` keeps, per (engine, mode, policy, rate), the last row of the JSONL (a re-run replaces);
2. `plot` draws one SVG per mode, average JCT vs rate on a log10 y axis (JCT spans more than a
   decade past the knees): one colour per policy (`plan_output.chart_style.PALETTE`, as the other
   sweep plots), Gavel dashed with circles, Tender compat solid with squares; a capped or failed
   child has no value and no mark (the table lists it); the HTML holds both SVGs;
3. `table` prints the markdown table: per point Gavel JCT, Tender compat JCT, error % (Tender vs
   Gavel), both CPU s and their ratio; a child stopped at its cap, or by the sweep's stop time, says so.
"""

from __future__ import annotations

import math
from html import escape
from pathlib import Path
from typing import Any

from gavel_points import CAP_S, POLICY, RATES, row_key

from tender.plan_output.chart_style import PALETTE
from tender.sim.svg import fmt, log_ticks, nice_ticks

W, H = 640, 360
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 82, 44
ENGINES = (("gavel-1f6f02e", "Gavel 1f6f02e", "6 4"), ("tender-compat", "Tender compat", ""))


def latest(rows: list[dict[str, Any]]) -> dict[tuple[str, str, str, float], dict[str, Any]]:
    out: dict[tuple[str, str, str, float], dict[str, Any]] = {}
    for row in rows:
        out[row_key(row)] = row
    return out


def curve(
    rows: dict[tuple[str, str, str, float], dict[str, Any]], engine: str, mode: str, policy: str
) -> list[tuple[float, float]]:
    pts = []
    for rate in RATES[mode]:
        row = rows.get((engine, mode, policy, round(rate, 6)))
        if row is not None and row.get("avg_jct_hours") is not None:
            pts.append((rate, float(row["avg_jct_hours"])))
    return pts


def mark(engine: str, x: float, y: float, colour: str) -> str:
    if engine.startswith("gavel"):
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="#fff" stroke="{colour}" stroke-width="1.5"/>'
    return f'<rect x="{x - 2.5:.1f}" y="{y - 2.5:.1f}" width="5" height="5" fill="{colour}"/>'


def legend(y: float) -> list[str]:
    """One row per policy: its Gavel entry, then its Tender compat entry."""
    parts = ['<g class="legend">']
    for i, policy in enumerate(POLICY):
        for j, (engine, name, dash) in enumerate(ENGINES):
            x, row = LEFT + 270.0 * j, y + 13.0 * i
            colour = PALETTE[i]
            parts.append(
                f'<line x1="{x:.1f}" y1="{row - 4:.1f}" x2="{x + 22:.1f}" y2="{row - 4:.1f}" stroke="{colour}" '
                f'stroke-width="1.5" stroke-dasharray="{dash}"/>' + mark(engine, x + 11, row - 4, colour)
            )
            text = f"{policy} ({POLICY[policy]}), {name}"
            parts.append(f'<text x="{x + 26:.1f}" y="{row:.1f}" font-size="10">{escape(text)}</text>')
    parts.append("</g>")
    return parts


def y_ticks(lo: float, hi: float) -> list[float]:
    """1, 2 and 5 x 10^k, from the last one at or below `lo` to the first one at or above `hi`."""
    decades = log_ticks(lo, hi)
    ticks = [m * d for d in decades[:-1] for m in (1.0, 2.0, 5.0)] + [decades[-1]]
    first = max(i for i, t in enumerate(ticks) if t <= lo)
    last = min(i for i, t in enumerate(ticks) if t >= hi)
    return ticks[first : last + 1] if last > first else ticks[first : first + 2]


def chart(rows: dict[tuple[str, str, str, float], dict[str, Any]], mode: str) -> str:
    series = [
        (i, engine, dash, curve(rows, engine, mode, policy))
        for i, policy in enumerate(POLICY)
        for engine, _, dash in ENGINES
    ]
    ys = [y for *_, pts in series for _, y in pts]
    title = f"{mode}-GPU: avg JCT of jobs 4000..4999, Gavel 1f6f02e vs Tender --compat 1f6f02e"
    if not ys:
        return f"<figure><figcaption>{escape(title)}: no data</figcaption></figure>"
    xt = nice_ticks(0.0, max(RATES[mode]))
    yt = y_ticks(min(ys), max(ys))
    ly0, ly1 = math.log10(yt[0]), math.log10(yt[-1])

    def sx(x: float) -> float:
        return LEFT + (x - xt[0]) / (xt[-1] - xt[0]) * (W - LEFT - RIGHT)

    def sy(y: float) -> float:
        return H - BOTTOM - (math.log10(y) - ly0) / (ly1 - ly0) * (H - TOP - BOTTOM)

    mid = TOP + (H - TOP - BOTTOM) / 2
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" width="{W}" height="{H}" role="img">',
        f'<title>{escape(title)}</title><rect width="{W}" height="{H}" fill="#fff"/>',
        f'<text x="{W / 2}" y="18" text-anchor="middle" font-size="13">{escape(title)}</text>',
        f'<text class="xtitle" x="{LEFT + (W - LEFT - RIGHT) / 2}" y="{H - 8}" text-anchor="middle" '
        'font-size="12">input rate (jobs/hour)</text>',
        f'<text class="ytitle" x="14" y="{mid}" font-size="12" transform="rotate(-90 14 {mid})" '
        'text-anchor="middle">avg JCT (hours, log scale)</text>',
        f'<line x1="{LEFT}" y1="{H - BOTTOM}" x2="{W - RIGHT}" y2="{H - BOTTOM}" stroke="#333"/>',
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{H - BOTTOM}" stroke="#333"/>',
    ]
    for xv in xt:
        parts.append(
            f'<text x="{sx(xv):.1f}" y="{H - BOTTOM + 14}" font-size="10" text-anchor="middle">{fmt(xv)}</text>'
        )
    for yv in yt:
        parts.append(
            f'<line x1="{LEFT}" y1="{sy(yv):.1f}" x2="{W - RIGHT}" y2="{sy(yv):.1f}" stroke="#eee"/>'
        )
        parts.append(
            f'<text x="{LEFT - 4}" y="{sy(yv) + 3:.1f}" font-size="10" text-anchor="end">{fmt(yv)}</text>'
        )
    for i, engine, dash, pts in series:
        colour = PALETTE[i]
        path = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in pts)
        parts.append(
            f'<polyline fill="none" stroke="{colour}" stroke-width="1.5" stroke-dasharray="{dash}" points="{path}"/>'
        )
        parts += [mark(engine, sx(x), sy(y), colour) for x, y in pts]
    parts += legend(36.0)
    parts.append("</svg>")
    return "".join(parts)


def plot(rows: list[dict[str, Any]], out: Path) -> None:
    by_key = latest(rows)
    svgs = {mode: chart(by_key, mode) for mode in RATES}
    for mode, svg in svgs.items():
        (out / f"gavel_curves_{mode}.svg").write_text(svg + "\n")
    body = "".join(f"<figure>{svg}</figure>" for svg in svgs.values())
    (out / "gavel_curves.html").write_text(f"<html><body>{body}</body></html>\n")


def cell(row: dict[str, Any] | None) -> tuple[str, str]:
    """(JCT h, CPU s) cells of one child."""
    if row is None:
        return "not run", ""
    if row.get("capped") and row["cap_s"] < CAP_S:
        return f"cut by the sweep's stop after {row['cap_s']:.0f} s wall", f"{row['cpu_s']:.1f}+"
    if row.get("capped"):
        return f"capped at {row['cap_s']:.0f} s wall", f"{row['cpu_s']:.1f}+"
    if row.get("avg_jct_hours") is None:
        return "failed", f"{row['cpu_s']:.1f}"
    return f"{row['avg_jct_hours']:.2f}", f"{row['cpu_s']:.1f}"


def table(rows: list[dict[str, Any]]) -> str:
    by_key = latest(rows)
    lines = [
        "| mode | policy (Tender) | rate jobs/h | Gavel JCT h | Tender compat JCT h | error | Gavel CPU s | compat CPU s | CPU ratio |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for mode in RATES:
        for policy in POLICY:
            for rate in RATES[mode]:
                g = by_key.get(("gavel-1f6f02e", mode, policy, round(rate, 6)))
                t = by_key.get(("tender-compat", mode, policy, round(rate, 6)))
                if g is None and t is None:
                    continue
                (gj, gc), (tj, tc) = cell(g), cell(t)
                err = ratio = ""
                if g and t and g.get("avg_jct_hours") and t.get("avg_jct_hours") is not None:
                    e = (t["avg_jct_hours"] - g["avg_jct_hours"]) / g["avg_jct_hours"] * 100
                    err = f"**{e:+.1f} %**" if abs(e) > 5 else f"{e:+.1f} %"
                    ratio = f"{g['cpu_s'] / t['cpu_s']:.0f}" if t["cpu_s"] > 0 else ""
                name = f"{policy} ({POLICY[policy]})"
                lines.append(
                    f"| {mode} | {name} | {rate:.1f} | {gj} | {tj} | {err} | {gc} | {tc} | {ratio} |"
                )
    return "\n".join(lines)
