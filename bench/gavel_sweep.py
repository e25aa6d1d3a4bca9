"""Gavel's continuous-arrival experiment: average JCT vs input rate for fifo, fifo_het, las_het.

Cluster 36 V100 + 36 P100 + 36 K80, seed 0, 360 s rounds, single-GPU and multi-GPU traces.
Sized for a shared 2-core machine (whole sweep in a few minutes): measured jobs 100..199 instead of
Gavel's 4000..4999, and each run stops SLACK_HOURS (400) after the last measured job is expected to
arrive (200 / rate hours); a point whose measured jobs did not all finish by then is marked
`saturated` (its average is over the finished ones, a lower bound).

    .venv/bin/python bench/gavel_sweep.py   # writes bench/results/sim_gavel_sweep.{json,svg}
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from tender.placement import PolicyName
from tender.sim.experiments import run_gavel, silence_highs_banner
from tender.sim.report import line_chart

CLUSTER = {"v100": 36, "p100": 36, "k80": 36}
RATES = (0.4, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0)
POLICIES = (PolicyName.FIFO, PolicyName.FIFO_HET, PolicyName.LAS_HET)
MEASURE = (100, 200)
SLACK_HOURS = 400.0
OUT = Path(__file__).parent / "results"


def main() -> None:
    silence_highs_banner()
    points = []
    started = time.perf_counter()
    for multi in (False, True):
        for policy in POLICIES:
            for rate in RATES:
                t0 = time.perf_counter()
                s = run_gavel(
                    CLUSTER,
                    rate,
                    policy,
                    seed=0,
                    measure=MEASURE,
                    multi_gpu=multi,
                    max_hours=MEASURE[1] / rate + SLACK_HOURS,
                ).summary
                point = {
                    "mode": "multi" if multi else "single",
                    "policy": str(policy),
                    "rate": rate,
                    "avg_jct_hours": s["avg_jct_hours"],
                    "jobs_completed": s["jobs_completed"],
                    "saturated": s["jobs_completed"] < MEASURE[1] - MEASURE[0],
                    "utilization": s["utilization"],
                    "run_seconds": round(time.perf_counter() - t0, 2),
                }
                points.append(point)
                print(json.dumps(point), file=sys.stderr, flush=True)
    OUT.mkdir(exist_ok=True)
    meta = {
        "cluster": CLUSTER,
        "measure": list(MEASURE),
        "slack_hours": SLACK_HOURS,
        "seed": 0,
        "total_seconds": round(time.perf_counter() - started, 1),
    }
    (OUT / "sim_gavel_sweep.json").write_text(json.dumps({"meta": meta, "points": points}, indent=2) + "\n")
    charts = []
    for mode in ("single", "multi"):
        series = [
            (
                str(policy),
                [
                    (p["rate"], p["avg_jct_hours"])
                    for p in points
                    if p["mode"] == mode and p["policy"] == policy
                ],
            )
            for policy in POLICIES
        ]
        charts.append(
            line_chart(f"Gavel {mode}-GPU: average JCT vs rate", series, "jobs/hour", "avg JCT (h)")
        )
    svg = "<html><body>" + "".join(charts) + "</body></html>\n"
    (OUT / "sim_gavel_sweep.html").write_text(svg)
    for i, chart in enumerate(charts):
        body = chart.removeprefix("<figure>").removesuffix("</figure>")
        (OUT / f"sim_gavel_sweep_{('single', 'multi')[i]}.svg").write_text(body + "\n")
    print(f"sweep done in {meta['total_seconds']} s", file=sys.stderr)


if __name__ == "__main__":
    main()
