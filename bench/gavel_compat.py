"""Gavel 1f6f02e's own simulator vs `tender simulate gavel` (own recipe and `--compat 1f6f02e`), side by side.

For each point (policy, mode, rate) the same run measures, one process at a time:

1. Gavel's simulator at commit 1f6f02e (`scripts/drivers/simulate_scheduler_with_generated_jobs.py`,
   seed 0, 36:36:36, 360 s rounds, jobs 4000..4999, ECOS), as a subprocess of the interpreter given
   by `--gavel-python`, run from `--gavel-scheduler` (a writable copy of Gavel's `scheduler/` after
   `make rpc_stubs`; how to build it: the peer's README). Its average JCT is parsed from its
   `Results: average JCT=...` line (seconds).
2. Tender as a subprocess (`bench/_tender_point.py`: `run_gavel`, the function `tender simulate gavel`
   runs, without the CLI's own imports), once per Tender mode (`own`: Tender's recipe; `compat`:
   `--compat 1f6f02e`), reporting the simulation's CPU seconds (`time.process_time`) as well.

Each line appended to `--out` (default bench/results/gavel_compat.jsonl) is one measured process:
point, engine, avg JCT h, wall s and CPU s (user + system of the child, from getrusage: robust to
the other processes sharing the 2 cores, unlike wall time), plus the commit Tender ran from.
Gavel is never imported here.

    mkdir -p /tmp/$(git rev-parse --short HEAD) && git archive HEAD src | tar -x -C /tmp/$(git rev-parse --short HEAD)
    nice -n 15 .venv/bin/python bench/gavel_compat.py --gavel-python /tmp/g/venv/bin/python \\
        --gavel-scheduler /tmp/g/scheduler --tender-src /tmp/COMMIT/src \\
        [--points fifo:single:2.0,...] [--modes own,compat] [--skip-gavel] [--baseline-src /tmp/BASE/src]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from gavel_points import POLICY

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "results" / "gavel_compat.jsonl"

# Gavel policy name -> Tender policy name
# The four points of issue 16's table.
POINTS = (
    "fifo:single:2.0,fifo_perf:single:4.0,max_min_fairness_perf:single:4.0,max_min_fairness_perf:multi:2.0"
)
RESULT = re.compile(r"\[([0-9: .-]+)\] Results: average JCT=([0-9.eE+-]+)")
CONFIG = re.compile(r"\[([0-9: .-]+)\] Configuration:")


def commit(tree: Path) -> str:
    out = subprocess.run(
        ["git", "-C", str(tree), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    )
    dirty = subprocess.run(
        ["git", "-C", str(tree), "status", "--porcelain", "src"], capture_output=True, text=True
    )
    return out.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")


def child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_gavel(
    python: str, scheduler: Path, policy: str, multi: bool, rate: float
) -> tuple[float, float, float]:
    cmd = [
        python,
        "scripts/drivers/simulate_scheduler_with_generated_jobs.py",
        *("-c", "36:36:36", "-p", policy, "--seed", "0", "-i", "360", "-l", repr(3600.0 / rate)),
        *(
            "-s",
            "4000",
            "-e",
            "5000",
            "--throughputs_file",
            "simulation_throughputs.json",
            "--solver",
            "ECOS",
        ),
        *(["--generate-multi-gpu-jobs"] if multi else []),
    ]
    t0, c0 = time.perf_counter(), child_cpu()
    done = subprocess.run(cmd, cwd=scheduler, capture_output=True, text=True)
    wall, cpu = time.perf_counter() - t0, child_cpu() - c0
    match, start = RESULT.search(done.stderr), CONFIG.search(done.stderr)
    if done.returncode != 0 or match is None or start is None:
        raise SystemExit(f"gavel failed ({done.returncode}): {done.stderr[-2000:]}")
    sim = (datetime.fromisoformat(match.group(1)) - datetime.fromisoformat(start.group(1))).total_seconds()
    return float(match.group(2)) / 3600.0, wall, cpu, sim


def run_tender(
    policy: str, multi: bool, rate: float, compat: bool, src: Path | None
) -> tuple[dict[str, Any], float, float]:
    """One point in a child process (`_tender_point.py`: `run_gavel`, what the CLI runs)."""
    mode = "multi" if multi else "single"
    cmd = [
        sys.executable,
        str(HERE / "_tender_point.py"),
        policy,
        repr(rate),
        mode,
        "1f6f02e" if compat else "own",
    ]
    env = {**os.environ, "PYTHONPATH": str(src)} if src is not None else None
    t0, c0 = time.perf_counter(), child_cpu()
    done = subprocess.run(cmd, capture_output=True, text=True, env=env)
    wall, cpu = time.perf_counter() - t0, child_cpu() - c0
    if done.returncode != 0:
        raise SystemExit(f"tender failed ({done.returncode}): {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1]), wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gavel-python", default=None)
    parser.add_argument("--gavel-scheduler", type=Path, default=None)
    parser.add_argument("--points", default=POINTS, help="gavel_policy:single|multi:rate, comma-separated")
    parser.add_argument("--modes", default="own,compat")
    parser.add_argument("--skip-gavel", action="store_true")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument(
        "--tender-src",
        type=Path,
        default=None,
        help="run Tender from this src/ (a `git archive` of a commit, in a directory named by the commit) "
        "so that edits to this tree during a long run do not leak in",
    )
    parser.add_argument(
        "--baseline-src",
        type=Path,
        default=None,
        help="also run Tender's compat mode from this src/ (the previous commit, `git archive`d), right "
        "after the current one on each point: engine `tender-compat-baseline`",
    )
    args = parser.parse_args()
    if not args.skip_gavel and (args.gavel_python is None or args.gavel_scheduler is None):
        parser.error("--gavel-python and --gavel-scheduler are required (or --skip-gavel)")
    tree = args.tender_src.parent.name if args.tender_src is not None else commit(ROOT)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    for spec in args.points.split(","):
        gpolicy, mode, rate_text = spec.split(":")
        rate, multi = float(rate_text), mode == "multi"
        base = {
            "policy": gpolicy,
            "tender_policy": POLICY[gpolicy],
            "mode": mode,
            "rate": rate,
            "commit": tree,
        }
        rows: list[dict[str, Any]] = []
        if not args.skip_gavel:
            jct, wall, cpu, sim = run_gavel(args.gavel_python, args.gavel_scheduler, gpolicy, multi, rate)
            row = {**base, "engine": "gavel-1f6f02e", "avg_jct_hours": round(jct, 4)}
            row.update(wall_s=round(wall, 2), cpu_s=round(cpu, 2), sim_wall_s=round(sim, 2))
            rows.append(row)
            print(json.dumps(row), flush=True)
        runs = [(tmode, tmode == "compat", args.tender_src) for tmode in args.modes.split(",")]
        if args.baseline_src is not None:
            runs.append(("compat-baseline", True, args.baseline_src))
        for label, compat, src in runs:
            summary, wall, cpu = run_tender(POLICY[gpolicy], multi, rate, compat, src)
            row = {**base, "engine": f"tender-{label}", "avg_jct_hours": summary["avg_jct_hours"]}
            if src is args.baseline_src:
                row["commit"] = args.baseline_src.parent.name
            row.update(wall_s=round(wall, 2), cpu_s=round(cpu, 2), sim_wall_s=summary["sim_wall_seconds"])
            row.update(sim_cpu_s=summary["sim_cpu_seconds"], lp_solves=summary["lp_solves"])
            row.update(jobs_completed=summary["jobs_completed"], decisions=summary["decisions"])
            row.update(summary_sha256=summary["summary_sha256"])
            rows.append(row)
            print(json.dumps(row), flush=True)
        load = [round(x, 2) for x in os.getloadavg()]  # 1, 5, 15 min, when the point's runs ended
        rows = [{**row, "loadavg": load} for row in rows]
        with args.out.open("a") as fh:
            for row in rows:
                fh.write(json.dumps(row, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
