"""Benchmark `tender plan`: the example end to end, and the sourcing MILP on synthetic instances
solved by HiGHS (highspy) and by CBC (PuLP) from the same sparse arrays.

Usage: .venv/bin/python bench/bench_plan.py [--sizes S,M,L,XL] [--repeats 3] [--time-limit 120]
Each (instance, solver) runs in its own subprocess so peak RSS is that solve's own.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# name: (providers, accelerator types, regions, months, demands)
SIZES = {
    "S": (20, 4, 4, 12, 20),
    "M": (50, 6, 8, 24, 100),
    "L": (100, 8, 12, 36, 250),
    "XL": (200, 10, 20, 60, 500),
}


def synthetic(size: str, seed: int = 7):  # type: ignore[no-untyped-def]
    """A seeded scenario: providers with 2-4 capacity lines, fleets with 2 allowed types and (mostly)
    a residency region group, ~10 % single-site training runs, commitments and reservations."""
    from tender.domain import (
        Accelerator,
        Calendar,
        CommittedSpend,
        DataResidency,
        Fleet,
        FleetKind,
        Milestone,
        Provider,
        ProviderKind,
        Rates,
        ReservedCapacity,
        Scenario,
        TrainingRun,
        WorkloadExclusivity,
    )
    from tender.domain.provider import CapacityLine, CapacityStep

    n_prov, n_gpu, n_reg, months, n_dem = SIZES[size]
    rng = random.Random(seed)
    gpus = [f"A{k}" for k in range(n_gpu)]
    regions = [f"r{k:02d}" for k in range(n_reg)]
    accelerators = {
        g: Accelerator(
            g,
            Decimal(rng.choice(["1", "1.3", "1.5", "2.2", "2.5"])),
            80,
            Decimal("2"),
            72 if k == 0 else None,
        )
        for k, g in enumerate(gpus)
    }
    providers = {}
    contracts: list[object] = []
    for p in range(n_prov):
        pid = f"p{p:03d}"
        lines, rates = [], {}
        for g in rng.sample(gpus, rng.randint(2, 4)):
            r = rng.choice(regions)
            steps = [CapacityStep(1, rng.randrange(500, 20000, 72))]
            if rng.random() < 0.5:
                steps.append(CapacityStep(rng.randint(2, months), rng.randrange(500, 40000, 72)))
            lines.append(CapacityLine(g, r, tuple(steps)))
            base = Decimal(rng.randint(120, 800)) / 100
            rates[g] = Rates(
                base,
                (base * Decimal("1.5")).quantize(Decimal("0.01")),
                (base / 2).quantize(Decimal("0.01")) if rng.random() < 0.4 else None,
            )
        providers[pid] = Provider(
            pid,
            ProviderKind.NEOCLOUD,
            tuple(sorted({line.region for line in lines})),
            tuple(lines),
            rates=rates,
            full_rack_only=rng.random() < 0.1,
        )
        if rng.random() < 0.1:
            line = lines[0]
            contracts.append(
                ReservedCapacity(
                    id=f"res-{pid}",
                    provider=pid,
                    gpu=line.gpu,
                    gpus=line.steps[0].gpus // 2,
                    term_months=months // 2,
                    burst_max_gpus=1000,
                )
            )
        if rng.random() < 0.05:
            total = Decimal(rng.randint(5, 50)) * 10_000_000
            contracts.append(
                CommittedSpend(
                    id=f"commit-{pid}",
                    provider=pid,
                    total_usd=total,
                    milestones=(Milestone(months // 2, total / 3), Milestone(months, total)),
                    eligible_spend=("compute_contract", "compute_on_demand"),
                )
            )
    groups = [regions[k : k + 4] for k in range(0, n_reg, 4)]
    fleets, runs = [], []
    for d in range(n_dem):
        if d % 10 == 9:
            g = rng.choice(gpus)
            start = rng.randint(1, max(1, months - 6))
            runs.append(
                TrainingRun(
                    f"run{d:03d}",
                    "training",
                    (g,),
                    rng.randrange(1000, 8000, 72),
                    start,
                    3,
                    min(months, start + 5),
                )
            )
            continue
        base = rng.randint(100, 3000)
        growth = 1 + rng.random() * 0.03
        fid = f"fleet{d:03d}"
        fleets.append(
            Fleet(
                fid,
                FleetKind.INFERENCE,
                "inference",
                tuple(Decimal(int(base * growth**m)) for m in range(months)),
                tuple(sorted(rng.sample(gpus, 2))),
                preemptible_ok=rng.random() < 0.3,
            )
        )
        if rng.random() < 0.7:
            contracts.append(
                DataResidency(id=f"resid-{fid}", workloads=(fid,), allowed_regions=tuple(rng.choice(groups)))
            )
        elif rng.random() < 0.1:
            contracts.append(
                WorkloadExclusivity(
                    id=f"excl-{fid}", provider=rng.choice(sorted(providers)), workloads=(fid,)
                )
            )
    return Scenario(
        f"synthetic-{size}",
        Calendar(2026, 1, months),
        accelerators,
        providers,
        tuple(contracts),
        fleets=tuple(fleets),
        training_runs=tuple(runs),
    )  # type: ignore[arg-type]


def one(size: str, solver: str, time_limit: float, cbc_max_cols: int) -> dict[str, object]:
    from tender.sourcing import data as data_mod
    from tender.sourcing.pipeline import build_model
    from tender.sourcing.solve import solve
    from tender.sourcing.types import PlanOptions

    sc = synthetic(size)
    t0 = time.perf_counter()
    d = data_mod.build(sc)
    model, _v = build_model(d, PlanOptions(), Decimal(0))
    build_s = time.perf_counter() - t0
    out: dict[str, object] = {
        "size": size,
        "solver": solver,
        "cols": model.num_cols,
        "rows": model.num_rows,
        "ints": model.num_integer,
        "build_s": round(build_s, 2),
    }
    if solver == "cbc" and model.num_cols > cbc_max_cols:
        out.update(seconds=float("nan"), status="skipped (too large for PuLP model building)")
    elif solver == "highs":  # as `pipeline.run_pass`: LP-relaxation start on large models
        from tender.sourcing import warmstart

        opts = PlanOptions(seed=0, time_limit_s=time_limit, mip_gap=1e-3)
        sol = warmstart.solve_from_relaxation(d, _v, model, opts, None) if warmstart.wanted(model) else None
        if sol is None:
            sol = solve(model, seed=0, time_limit_s=time_limit, mip_gap=1e-3)
        out.update(
            seconds=round(sol.seconds, 2),
            gap=sol.gap,
            status=sol.status,
            objective=sol.objective,
        )
    else:
        import pulp

        prob = pulp.LpProblem("sourcing", pulp.LpMinimize)
        xs = [
            pulp.LpVariable(
                f"c{j}",
                lowBound=lo if lo > -1e30 else None,
                upBound=up if up < 1e30 else None,
                cat="Integer" if integer else "Continuous",
            )
            for j, (lo, up, integer) in enumerate(
                zip(model.col_lower, model.col_upper, model.col_integer, strict=True)
            )
        ]
        prob += (
            pulp.LpAffineExpression([(xs[j], c) for j, c in enumerate(model.col_cost) if c]) + model.offset
        )
        for k, row in enumerate(model.rows):
            expr = pulp.LpAffineExpression([(xs[j], a) for j, a in row])
            lo, up = model.row_lower[k], model.row_upper[k]
            if lo == up:
                prob += expr == lo, f"r{k}"
                continue
            if lo > -1e30:
                prob += expr >= lo, f"r{k}l"
            if up < 1e30:
                prob += expr <= up, f"r{k}u"
        t1 = time.perf_counter()
        prob.solve(pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit, gapRel=1e-3, threads=1))
        out.update(
            seconds=round(time.perf_counter() - t1, 2),
            status=pulp.LpStatus[prob.status],
            objective=pulp.value(prob.objective),
        )
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return out


def example(repeats: int) -> dict[str, object]:
    from tender.config import load_scenario
    from tender.sourcing import PlanOptions, plan

    sc = load_scenario(str(ROOT / "examples" / "frontier-lab.yaml"))
    solve_s, wall_s, gaps = [], [], []
    for _ in range(repeats):
        t0 = time.perf_counter()
        p = plan(sc, PlanOptions(seed=0))
        wall_s.append(time.perf_counter() - t0)
        solve_s.append(p.solve_seconds)
        gaps.append(float(p.gap))
    return {"solve_s": statistics.median(solve_s), "plan_wall_s": statistics.median(wall_s), "gap": max(gaps)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="S,M,L,XL")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--time-limit", type=float, default=120.0)
    ap.add_argument("--cbc-max-cols", type=int, default=400_000)
    ap.add_argument("--one", nargs=2, metavar=("SIZE", "SOLVER"))
    args = ap.parse_args()
    if args.one:
        print(json.dumps(one(args.one[0], args.one[1], args.time_limit, args.cbc_max_cols)))
        return
    print("example:", json.dumps(example(args.repeats)), flush=True)
    for size in args.sizes.split(","):
        for solver in ("highs", "cbc"):
            runs = []
            for _ in range(args.repeats if size in ("S", "M") else 1):
                proc = subprocess.run(
                    [
                        sys.executable,
                        __file__,
                        "--one",
                        size,
                        solver,
                        "--time-limit",
                        str(args.time_limit),
                        "--cbc-max-cols",
                        str(args.cbc_max_cols),
                    ],
                    capture_output=True,
                    text=True,
                    check=False,
                )
                line = [x for x in proc.stdout.splitlines() if x.startswith("{")]
                if not line:
                    print(size, solver, "failed:", proc.stderr[-400:], flush=True)
                    break
                runs.append(json.loads(line[-1]))
                if str(runs[-1]["status"]).startswith("skipped"):
                    break
            if runs:
                secs = statistics.median(float(r["seconds"]) for r in runs)
                print(json.dumps({**runs[-1], "seconds_median": secs, "n": len(runs)}), flush=True)


if __name__ == "__main__":
    main()
