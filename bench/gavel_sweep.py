"""Gavel's continuous-arrival experiment: average JCT vs input rate for fifo, fifo_het, las_het.

Cluster 36 V100 + 36 P100 + 36 K80, seed 0, 360 s rounds, the published measurement window
(job ids 4000..4999) by default. Each run stops `--slack-hours` (default 500) after the last measured job is expected
to arrive (END / rate hours); a point whose measured jobs did not all finish by then is marked
`saturated` (its average is over the finished ones: a lower bound).

Points are appended one per line to bench/results/sim_gavel_points.jsonl as they finish (so a long
sweep on a shared machine can be resumed: points already there are skipped), then the plot and the
summary JSON are rebuilt from every point in that file.

    .venv/bin/python bench/gavel_sweep.py --mode single --rates 0.4,1,2,3,4,5,6
    .venv/bin/python bench/gavel_sweep.py --mode multi --policies fifo,fifo_het --rates 1,2
    .venv/bin/python bench/gavel_sweep.py --plot-only
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from tender.placement import PolicyName
from tender.sim.experiments import run_gavel, silence_highs_banner
from tender.sim.report import line_chart

CLUSTER = {"v100": 36, "p100": 36, "k80": 36}
POLICIES = (PolicyName.FIFO, PolicyName.FIFO_HET, PolicyName.LAS_HET)
SLACK_HOURS = 500.0
OUT = Path(__file__).parent / "results"
POINTS = OUT / "sim_gavel_points.jsonl"


def key(point: dict[str, Any]) -> tuple[str, str, float, int, int]:
    return (point["mode"], point["policy"], float(point["rate"]), *point["measure"])


def load_points() -> list[dict[str, Any]]:
    if not POINTS.exists():
        return []
    return [json.loads(line) for line in POINTS.read_text().splitlines() if line.strip()]


def run_point(
    policy: PolicyName, rate: float, multi: bool, measure: tuple[int, int], slack: float
) -> dict[str, Any]:
    t0 = time.perf_counter()
    s = run_gavel(
        CLUSTER,
        rate,
        policy,
        seed=0,
        measure=measure,
        multi_gpu=multi,
        max_hours=measure[1] / rate + slack,
    ).summary
    return {
        "mode": "multi" if multi else "single",
        "policy": str(policy),
        "rate": rate,
        "measure": list(measure),
        "slack_hours": slack,
        "avg_jct_hours": s["avg_jct_hours"],
        "jobs_completed": s["jobs_completed"],
        "saturated": s["jobs_completed"] < measure[1] - measure[0],
        "utilization": s["utilization"],
        "events_processed": s["events_processed"],
        "lp_solves": s["lp_solves"],
        "run_seconds": round(time.perf_counter() - t0, 2),
    }


def plot(points: list[dict[str, Any]]) -> None:
    published = [p for p in points if p["measure"] == [4000, 5000]]
    meta = {
        "cluster": CLUSTER,
        "seed": 0,
        "machine": "2 shared vCPUs, one process, Python 3.11, HiGHS via highspy",
        "total_run_seconds": round(sum(p["run_seconds"] for p in points), 1),
    }
    ordered = sorted(points, key=key)
    (OUT / "sim_gavel_sweep.json").write_text(json.dumps({"meta": meta, "points": ordered}, indent=2) + "\n")
    charts = []
    for mode in ("single", "multi"):
        series = [
            (
                str(policy),
                sorted(
                    (p["rate"], p["avg_jct_hours"])
                    for p in published
                    if p["mode"] == mode and p["policy"] == policy
                ),
            )
            for policy in POLICIES
        ]
        title = f"Gavel {mode}-GPU, jobs 4000..4999 (saturated points: lower bounds)"
        charts.append(line_chart(title, series, "jobs/hour", "avg JCT (h)"))
    (OUT / "sim_gavel_sweep.html").write_text("<html><body>" + "".join(charts) + "</body></html>\n")
    for i, chart in enumerate(charts):
        body = chart.removeprefix("<figure>").removesuffix("</figure>")
        (OUT / f"sim_gavel_sweep_{('single', 'multi')[i]}.svg").write_text(body + "\n")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mode", choices=("single", "multi"), default="single")
    parser.add_argument("--policies", default=",".join(POLICIES))
    parser.add_argument("--rates", default="0.4,1,2,3,4,5,6")
    parser.add_argument("--measure", default="4000:5000")
    parser.add_argument("--slack-hours", type=float, default=SLACK_HOURS)
    parser.add_argument("--plot-only", action="store_true")
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    if not args.plot_only:
        silence_highs_banner()
        start, _, end = args.measure.partition(":")
        measure = (int(start), int(end))
        done = {key(p) for p in load_points()}
        for policy in (PolicyName(p) for p in args.policies.split(",")):
            for rate in (float(r) for r in args.rates.split(",")):
                wanted = {"mode": args.mode, "policy": str(policy), "rate": rate, "measure": list(measure)}
                if key(wanted) in done:
                    continue
                point = run_point(policy, rate, args.mode == "multi", measure, args.slack_hours)
                with POINTS.open("a") as out:
                    out.write(json.dumps(point, sort_keys=True) + "\n")
                print(json.dumps(point), file=sys.stderr, flush=True)
    plot(load_points())


if __name__ == "__main__":
    main()
