"""Where a recourse sample's time goes, and how the extensive form solves under each solver profile.

Usage: .venv/bin/python bench/bench_risk_profile.py [--samples 12]
       .venv/bin/python bench/bench_risk_profile.py --extensive 10,30 [--profiles plan,extensive]
                                                    [--time-limit 300] [--seed 0]
1. `--samples N` (default): the example's deterministic first stage (seed 1), then samples 0..N-1 of
   seed 1 re-planned in process (`risk.evaluate`, the recourse profile): wall and CPU per sample and
   HiGHS's CPU; then again under cProfile: the planner's parts (cumulative seconds of named functions); per
   pass (first / second) HiGHS's columns, rows, integers, nodes, simplex iterations and seconds;
2. the MIPs recorded in step 1 solved again three ways: as recorded, as their LP relaxation, and
   started from their own optimal solution (`setSolution`: the best a MIP start could be);
3. `--extensive K,...`: the extensive form of samples 0..K-1 (`extensive.extensive_model`) solved by
   `solve.solve` with each profile (tolerances as `extensive._solve`): status, objective, gap, wall
   and CPU seconds (CPU is what the machine's load does not inflate).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import time
from pathlib import Path
from typing import Any

import highspy
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "frontier-lab.yaml"
PARTS = {
    "HiGHS run": ("<built-in method highspy._core.run>",),
    "models (variables, rows, objective)": ("pipeline.py", "build_model"),
    "data.build": ("data.py", "build"),
    "ledger projection": ("ledger_projection.py", "project"),
    "baseline": ("baseline.py", "evaluate"),
    "usages + repair": ("extract.py", "usages"),
    "ROFR protocol": ("rofr_loop.py", "run_protocol"),
    "sign third parties": ("rofr_loop.py", "sign_third_parties"),
    "assemble the plan": ("finish.py", "_assemble"),
    "hard-rule explanations": ("explain.py", "hard_rule_conflicts"),
}


def _in_turn(highs: highspy.Highs, meanwhile: Any) -> None:
    """`solve._run` one after the other: the baseline a second pass prices beside HiGHS
    (`solve(..., meanwhile=...)`) runs first, so HiGHS's CPU and cProfile's split count each alone."""
    if meanwhile is not None:
        meanwhile()
    highs.run()


def _part_seconds(stats: pstats.Stats) -> dict[str, float]:
    out = dict.fromkeys(PARTS, 0.0)
    for (file, _line, func), row in stats.stats.items():  # type: ignore[attr-defined]
        for name, key in PARTS.items():
            if (len(key) == 1 and func == key[0]) or (
                len(key) == 2 and file.endswith(key[0]) and func == key[1]
            ):
                out[name] += row[3]
    return out


def profile(samples: int) -> None:
    from tender.config import load_scenario
    from tender.sourcing import PlanOptions, pipeline, plan
    from tender.sourcing import solve as solve_module
    from tender.sourcing.risk.evaluate import evaluate
    from tender.sourcing.risk.first_stage import of_plan

    sc = load_scenario(str(EXAMPLE))
    first = of_plan(plan(sc, PlanOptions(seed=1)), tuple(r.id for r in sc.training_runs))
    evaluate(sc, first, 1, 0, PlanOptions(seed=1))  # warm (imports, caches)
    passes: list[dict[str, Any]] = []
    models: list[tuple[Any, int]] = []
    solve = pipeline.solve

    def recording(model: Any, **kw: Any) -> Any:
        sol = solve(model, **kw)
        models.append((model, kw["seed"]))
        passes.append({"cols": model.num_cols, "rows": model.num_rows, "ints": model.num_integer})
        return sol

    run = highspy.Highs.run

    def timed_run(self: highspy.Highs) -> Any:
        start = time.process_time()
        out = run(self)
        info = self.getInfo()
        pending.append((time.process_time() - start, info.mip_node_count, info.simplex_iteration_count))
        return out

    pending: list[tuple[float, int, int]] = []
    run_beside = solve_module._run
    pipeline.solve = recording  # type: ignore[assignment]
    highspy.Highs.run = timed_run  # type: ignore[method-assign]
    solve_module._run = _in_turn  # type: ignore[assignment]
    walls, cpus = [], []
    try:
        for i in range(samples):  # unprofiled: wall, CPU and HiGHS's CPU per sample
            w, c = time.perf_counter(), time.process_time()
            evaluate(sc, first, 1, i, PlanOptions(seed=1))
            walls.append(time.perf_counter() - w)
            cpus.append(time.process_time() - c)
    finally:
        pipeline.solve = solve  # type: ignore[assignment]
        highspy.Highs.run = run  # type: ignore[method-assign]
        solve_module._run = run_beside  # type: ignore[assignment]
    for p, (s, nodes, its) in zip(passes, pending, strict=True):  # one HiGHS run per pass
        p.update(s=s, nodes=nodes, its=its)
    prof = cProfile.Profile()  # the same samples again, profiled, for the split of the rest
    solve_module._run = _in_turn  # type: ignore[assignment]
    try:
        for i in range(samples):
            prof.enable()
            evaluate(sc, first, 1, i, PlanOptions(seed=1))
            prof.disable()
    finally:
        solve_module._run = run_beside  # type: ignore[assignment]
    stats = pstats.Stats(prof)
    total = sum(stats.stats[k][3] for k in stats.stats if k[2] == "evaluate" and k[0].endswith("evaluate.py"))  # type: ignore[attr-defined]
    highs = sum(p["s"] for p in passes)
    print(
        f"{samples} samples of the example (seed 1), in process, unprofiled: {sum(walls):.2f} s wall, "
        f"{sum(cpus):.2f} s CPU (median per sample {statistics.median(walls):.3f} s wall, "
        f"{statistics.median(cpus):.3f} s CPU), of it HiGHS {highs:.2f} s CPU ({highs / sum(cpus):.0%})"
    )
    print(f"profiled again (cProfile, wall timer): {total:.2f} s in `evaluate`")
    print("| part | profiled s | share |\n|---|---:|---:|")
    for name, secs in _part_seconds(stats).items():
        print(f"| {name} | {secs:.2f} | {secs / total:.0%} |")
    print("| pass | columns | rows | integers | nodes (each sample) | simplex iterations | HiGHS CPU s |")
    print("|---|---:|---:|---:|---|---:|---:|")
    for k, name in enumerate(("first", "second")):
        ps = passes[k::2]
        print(
            f"| {name} | {statistics.median(p['cols'] for p in ps):.0f} | {statistics.median(p['rows'] for p in ps):.0f} "
            f"| {statistics.median(p['ints'] for p in ps):.0f} | {','.join(str(p['nodes']) for p in ps)} "
            f"| {statistics.median(p['its'] for p in ps):.0f} | {statistics.median(p['s'] for p in ps):.3f} |"
        )
    _starts(models)


def _highs(model: Any, seed: int, relax: bool = False) -> highspy.Highs:
    from tender.sourcing.solve import QuietHighs, profile_options, to_highs

    h = QuietHighs()  # type: ignore[no-untyped-call]
    h.setOptionValue("random_seed", seed % 2147483647)
    h.setOptionValue("threads", 1)
    h.setOptionValue("mip_rel_gap", 1e-3)
    for name, value in profile_options("recourse", model.num_cols).items():
        h.setOptionValue(name, value)
    hm = to_highs(model)
    if relax:
        hm.lp_.integrality_ = []
    h.passModel(hm)
    return h


def _starts(models: list[tuple[Any, int]]) -> None:
    """Step 2."""
    mip, lp, started = 0.0, 0.0, 0.0
    fractional = []
    for model, seed in models:
        h = _highs(model, seed, relax=True)
        start = time.process_time()
        h.run()
        lp += time.process_time() - start
        x = np.array(h.getSolution().col_value)
        ints = [j for j, flag in enumerate(model.col_integer) if flag]
        fractional.append(sum(1 for j in ints if abs(x[j] - round(x[j])) > 1e-6))
        h = _highs(model, seed)
        start = time.process_time()
        h.run()
        mip += time.process_time() - start
        best = np.array(h.getSolution().col_value)
        h = _highs(model, seed)
        h.setOptionValue("mip_heuristic_run_feasibility_jump", False)
        h.setSolution(len(best), np.arange(len(best), dtype=np.int32), best)
        start = time.process_time()
        h.run()
        started += time.process_time() - start
    print(
        f"{len(models)} recorded MIPs, CPU s in all: as recorded {mip:.2f}, LP relaxation {lp:.2f}, "
        f"started from their own optimum {started:.2f}; fractional integer columns in the LP optimum "
        f"{min(fractional)}-{max(fractional)}"
    )


def extensive(ks: list[int], profiles: list[str], time_limit: float, seed: int) -> None:
    """Step 3."""
    from tender.config import load_scenario
    from tender.sourcing import PlanOptions
    from tender.sourcing.risk.extensive import extensive_model
    from tender.sourcing.solve import NoSolution, solve

    sc = load_scenario(str(EXAMPLE))
    print(
        f"extensive form of the example, samples 0..K-1 of seed 0, HiGHS random_seed {seed}, limit {time_limit:.0f} s"
    )
    print(
        "| K | columns | profile | status | objective | gap | wall s | CPU s |\n|---:|---:|---|---|---:|---:|---:|---:|"
    )
    for k in ks:
        model = extensive_model(sc, 0, k, PlanOptions(seed=0)).model
        for prof in profiles:
            w, c = time.perf_counter(), time.process_time()
            try:
                s = solve(
                    model, seed=seed, time_limit_s=time_limit, mip_gap=1e-3, tolerance=1e-5, profile=prof
                )  # type: ignore[arg-type]
            except NoSolution as exc:
                print(
                    f"| {k} | {model.num_cols:,} | {prof} | no plan: {exc} | | | {time.perf_counter() - w:.1f} | |"
                )
                continue
            print(
                f"| {k} | {model.num_cols:,} | {prof} | {s.status} | ${s.objective / 1e6:,.1f}M | {s.gap:.4f} "
                f"| {time.perf_counter() - w:.1f} | {time.process_time() - c:.1f} |",
                flush=True,
            )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--samples", type=int, default=12)
    ap.add_argument("--extensive", default=None, help="Comma-separated K: time the extensive form instead.")
    ap.add_argument("--profiles", default="plan,extensive")
    ap.add_argument("--time-limit", type=float, default=300.0)
    ap.add_argument("--seed", type=int, default=0, help="HiGHS random_seed of the extensive solves.")
    a = ap.parse_args()
    if a.extensive:
        extensive([int(k) for k in a.extensive.split(",")], a.profiles.split(","), a.time_limit, a.seed)
    else:
        profile(a.samples)


if __name__ == "__main__":
    main()
