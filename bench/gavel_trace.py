"""Trace one Gavel-compat point on Tender's side and compare it with a trace of Gavel's own simulator.

Issue 16, the multi-GPU las_het 2.7 miss. Bench only: Tender's product code has no hook; this script
wraps `Replay._arrive` and `Replay._decide` of one run (the wrappers only read; `--inject` also
replaces `gavel_round.solve_max_min`), and reads Gavel's trace from a JSONL file written by a copy
of Gavel 1f6f02e's `scheduler/` with `bench/gavel_trace_scheduler.patch` applied (`GT_DUMP=path`;
Gavel is never imported here).

1. `tender` mode: run `run_gavel` in compat mode at (policy, rate, mode) and write, per event, one JSON
   line in Gavel's trace format: `add` (time, id, gang, steps), `reset` (time, the allocation: job x
   type), `round` (time, the jobs run and their type; within `--full-from/--full-until` also Gavel's
   counters before the round and, at resets, the deficits), `done` (time, id, failed) from the outcome.
2. `diff` mode: read both traces, map Tender's `gavel-NNNNNNN` ids to Gavel's integers and report
   the first add, round, reset and completion that differ (what, when, by how much).
3. `lp` mode: judge both allocations at common resets on Gavel's objective and constraints, from
   Gavel's throughput file (an injected run, `tender --inject`, logs HiGHS's answer at every one
   of Gavel's resets, so all of them are compared on identical inputs).

    PYTHONPATH=src .venv/bin/python bench/gavel_trace.py tender --rate 2.7 --out /tmp/t.jsonl
    .venv/bin/python bench/gavel_trace.py diff /tmp/gavel.jsonl /tmp/t.jsonl
    .venv/bin/python bench/gavel_trace.py lp /tmp/gavel.jsonl /tmp/t.jsonl --throughputs GAVEL/simulation_throughputs.json
"""

from __future__ import annotations

import argparse
import json
import math
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TextIO

RATES = {"2.7": 9 * (3.0 / 10), "3.0": 10 * (3.0 / 10), "2.4": 8 * (3.0 / 10)}


def short(job_id: str) -> str:
    return str(int(job_id.rsplit("-", 1)[1]))


def trace_tender(args: argparse.Namespace) -> None:
    from tender.placement import PolicyName
    from tender.sim import runner
    from tender.sim.experiments import run_gavel, silence_highs_banner

    out: TextIO = args.out.open("w")
    lo, hi = args.full_from, args.full_until

    def emit(row: dict[str, Any]) -> None:
        out.write(json.dumps(row) + "\n")

    if args.inject is not None:  # first: the tracing wrappers below wrap its `_decide`
        inject_shares(args.inject, emit)
    original_arrive = runner.Replay._arrive
    original_decide = runner.Replay._decide

    def arrive(self: runner.Replay, job: Any) -> None:
        original_arrive(self, job)
        t = self.clock.seconds
        emit(
            {
                "ev": "add",
                "t": t,
                "id": int(short(job.id)),
                "sf": job.gpus,
                "steps": job.work,
                "tp": dict(job.throughput),
            }
        )

    def decide(self: runner.Replay) -> None:
        before = self.allocation
        now = self.clock.seconds
        tasks = self.tasks
        full = lo <= now <= hi
        if full and tasks is not None:
            jt = {short(j): dict(v) for j, v in tasks.job_time.items()}
            wt = dict(tasks.type_time)
        original_decide(self)
        after = self.allocation
        if after is not before and after is not None:
            alloc = {short(j): dict(f) for j, f in after.fractions.items()}
            row: dict[str, Any] = {"ev": "reset", "t": now, "alloc": alloc}
            if full and after.gavel is not None:
                row["deficits"] = {
                    g: {short(j): d for j, d in ds.items()} for g, ds in after.gavel.deficits.items()
                }
            emit(row)
        run = {short(j): self.by_id[r.pool_id].gpu for j, r in self.running.items()}
        row = {"ev": "round", "t": now, "run": run}
        if full and tasks is not None:
            row.update(jt=jt, wt=wt)
        emit(row)

    runner.Replay._arrive = arrive  # type: ignore[method-assign]
    runner.Replay._decide = decide  # type: ignore[method-assign]
    silence_highs_banner()
    result = run_gavel(
        {"v100": 36, "p100": 36, "k80": 36},
        RATES.get(args.rate, float(args.rate)),
        PolicyName(args.policy),
        seed=0,
        measure=(4000, 5000),
        multi_gpu=args.mode == "multi",
        compat="1f6f02e",
    )
    failed = set(result.outcome.failed)
    for job_id, run in result.outcome.runs.items():
        if run.finish is not None or job_id in failed:
            emit({"ev": "done", "t": run.finish, "id": int(short(job_id)), "failed": job_id in failed})
    out.close()
    print(json.dumps({k: result.summary[k] for k in ("avg_jct_hours", "jobs_completed", "lp_solves")}))


def inject_shares(gavel_trace: Path, emit: Callable[[dict[str, Any]], None]) -> None:
    """Replace HiGHS's answer by Gavel's (ECOS) allocation at every reset where Gavel reset at the
    same time with the same job set (an experiment: is the LP's solution the only difference?).
    Elsewhere HiGHS answers, and an `inject-miss` line says when and why."""
    from tender.placement import gavel_round
    from tender.sim import runner

    resets = {r["t"]: r["alloc"] for r in rows(gavel_trace) if r["ev"] == "reset"}
    now = [0.0]
    original_decide = runner.Replay._decide
    original_solve = getattr(gavel_round, "solve_max_min")  # noqa: B009 - the name the round calls

    def decide(self: runner.Replay) -> None:
        now[0] = self.clock.seconds
        original_decide(self)

    def solve(data: Any) -> dict[str, dict[str, float]]:
        alloc = resets.get(now[0])
        ids = {short(j): j for j in data.job_ids}
        if alloc is None or set(alloc) != set(ids):
            why = "no Gavel reset at this time" if alloc is None else "job sets differ"
            emit({"ev": "inject-miss", "t": now[0], "why": why})
            out: dict[str, dict[str, float]] = original_solve(data)
            return out
        # HiGHS's answer on the same inputs, logged for `lp` (every reset, on Gavel's trajectory).
        highs = original_solve(data)
        emit({"ev": "highs", "t": now[0], "alloc": {short(j): f for j, f in highs.items()}})
        return {ids[j]: {g: v for g, v in shares.items() if v > 0.0} for j, shares in alloc.items()}

    runner.Replay._decide = decide  # type: ignore[method-assign]
    setattr(gavel_round, "solve_max_min", solve)  # noqa: B010


def rows(path: Path) -> Iterator[dict[str, Any]]:
    with path.open() as f:
        for line in f:
            yield json.loads(line)


def first_diff(a: list[Any], b: list[Any], same: Callable[[Any, Any], bool]) -> int | None:
    for i, (x, y) in enumerate(zip(a, b, strict=False)):
        if not same(x, y):
            return i
    return None if len(a) == len(b) else min(len(a), len(b))


def alloc_gap(x: dict[str, dict[str, float]], y: dict[str, dict[str, float]]) -> tuple[float, str]:
    worst, where = 0.0, ""
    for job in set(x) | set(y):
        for gpu in ("v100", "p100", "k80"):
            d = abs(x.get(job, {}).get(gpu, 0.0) - y.get(job, {}).get(gpu, 0.0))
            if d > worst:
                worst, where = d, f"{job}/{gpu}"
    return worst, where


Rows = list[dict[str, Any]]


def diff_adds(ga: Rows, ta: Rows) -> None:
    """Jobs: id, gang, steps (Gavel logs a job when it joins, at a round's end; Tender at its arrival)."""

    def same(x: dict[str, Any], y: dict[str, Any]) -> bool:
        return bool(x["id"] == y["id"] and x["sf"] == y["sf"] and x["steps"] == y["steps"])

    i = first_diff(ga, ta, same)
    print(f"jobs: gavel {len(ga)} tender {len(ta)}; first with another id/gang/steps: {i}")


def diff_rounds(gr: Rows, tr: Rows) -> None:
    """Rounds: start time and the jobs run with their type."""

    def same(x: dict[str, Any], y: dict[str, Any]) -> bool:
        return bool(x["t"] == y["t"] and x["run"] == y["run"])

    i = first_diff(gr, tr, same)
    print(f"rounds: gavel {len(gr)} tender {len(tr)}; first differing index: {i}")
    if i is not None and i < min(len(gr), len(tr)):
        x, y = gr[i], tr[i]
        only_g = {k: v for k, v in x["run"].items() if y["run"].get(k) != v}
        only_t = {k: v for k, v in y["run"].items() if x["run"].get(k) != v}
        print(f"  gavel t={x['t']!r} tender t={y['t']!r}\n  gavel-only {only_g}\n  tender-only {only_t}")


def diff_resets(gs: Rows, ts: Rows, tol: float) -> None:
    """Resets: time, job set, and the largest share difference."""
    print(f"resets: gavel {len(gs)} tender {len(ts)}")
    for k, (x, y) in enumerate(zip(gs, ts, strict=False)):
        gap, where = alloc_gap(x["alloc"], y["alloc"])
        same_jobs = set(x["alloc"]) == set(y["alloc"])
        if not same_jobs or gap > tol or x["t"] != y["t"]:
            print(
                f"  first reset beyond {tol}: #{k} gavel t={x['t']} tender t={y['t']} "
                f"same jobs={same_jobs} max |share diff|={gap:.3g} at {where}"
            )
            return
        if k < 3:
            print(f"  reset #{k} t={x['t']} jobs={len(x['alloc'])} max |share diff|={gap:.3g} at {where}")
    print("  none beyond it")


def diff_done(gd: Rows, td: Rows) -> None:
    """Completions (Gavel's `end`: the job's last micro-task's end) and dropped gangs."""
    gdone = {r["id"]: r for r in gd}
    tdone = {r["id"]: r for r in td}
    both = [j for j, r in tdone.items() if not r["failed"] and j in gdone and not gdone[j]["failed"]]
    worst = max((abs(gdone[j]["end"] - tdone[j]["t"]) for j in both), default=0.0)
    g_fail = sum(r["failed"] for r in gd)
    t_fail = sum(r["failed"] for r in td)
    print(f"done: gavel {len(gd)} (dropped {g_fail}) tender {len(td)} (dropped {t_fail})")
    print(f"  {len(both)} completed by both: max |finish difference| {worst!r} s")
    for name, mine, other in (("gavel", gdone, tdone), ("tender", tdone, gdone)):
        for j in sorted(j for j, r in mine.items() if r["failed"]):
            print(f"  {name} drops {j}; the other: {other.get(j)}")


def diff(args: argparse.Namespace) -> None:
    g = list(rows(args.gavel))
    t = list(rows(args.tender))

    def of(name: str) -> tuple[Rows, Rows]:
        return [r for r in g if r["ev"] == name], [r for r in t if r["ev"] == name]

    diff_adds(*of("add"))
    diff_rounds(*of("round"))
    diff_resets(*of("reset"), args.tol)
    diff_done(*of("done"))
    misses = [r for r in t if r["ev"] == "inject-miss"]
    print(f"resets where an injected Tender run fell back to HiGHS: {len(misses)}")


TYPES = ("k80", "p100", "v100")
CAPACITY = dict.fromkeys(TYPES, 36)
Shares = dict[str, dict[str, float]]


def oracle_rates(oracle: dict[str, Any], name: str, sf: int) -> dict[str, float]:
    """Gavel's isolated steps/s of (job type, gang) per type, as its scheduler reads them (< 0: cannot run)."""
    return {gpu: oracle[gpu][str((name, sf))]["null"] for gpu in TYPES}


def input_gap(oracle: dict[str, Any], kind: dict[int, tuple[str, int]], tender_add: dict[int, Any]) -> float:
    """The LP's inputs: each job's gang and rates in Tender's trace vs Gavel's throughput file."""
    worst = 0.0
    for job, (name, sf) in kind.items():
        mine = tender_add.get(job)
        if mine is None:
            continue
        assert mine["sf"] == sf, (job, mine["sf"], sf)
        for gpu, theirs in oracle_rates(oracle, name, sf).items():
            ours = mine["tp"].get(gpu, 0.0)
            if theirs <= 0.0:  # Gavel's "cannot run there": Tender leaves the type out
                assert ours == 0.0, (job, gpu, ours, theirs)
                continue
            worst = max(worst, abs(ours - theirs) / theirs)
    return worst


def judge(x: Shares, coef: Shares, gang: dict[str, int]) -> tuple[float, float]:
    """Gavel's objective (min over jobs of sum_t a[j,t] x[j,t]) and the worst constraint violation."""
    jobs = list(coef)
    z = min(sum(coef[j][gpu] * x[j].get(gpu, 0.0) for gpu in TYPES) for j in jobs)
    per_job = max(sum(x[j].values()) - 1.0 for j in jobs)
    per_type = max(sum(gang[j] * x[j].get(gpu, 0.0) for j in jobs) - CAPACITY[gpu] for gpu in TYPES)
    return z, max(per_job, per_type, 0.0)


def coefficients(oracle: dict[str, Any], kind: dict[int, tuple[str, int]], jobs: list[str]) -> Shares:
    """a[j,t] = gang x rate / (rate under the type-proportional share), Gavel's `max_min_fairness.py`."""
    out: Shares = {}
    total = sum(CAPACITY.values())
    for j in jobs:
        name, sf = kind[int(j)]
        tp = {gpu: max(v, 0.0) for gpu, v in oracle_rates(oracle, name, sf).items()}
        equal = sum(tp[gpu] * CAPACITY[gpu] for gpu in TYPES) / total
        out[j] = {gpu: sf * tp[gpu] / equal for gpu in TYPES}
    return out


def lp_check(args: argparse.Namespace) -> None:
    """Both simulators' allocations at the same resets, on Gavel's LP (`max_min_fairness.py`, 1f6f02e):
    are the inputs equal, are both feasible, and is the objective the same?"""
    oracle = json.loads(args.throughputs.read_text())
    g = list(rows(args.gavel))
    t = list(rows(args.tender))
    kind = {r["id"]: (r["type"], r["sf"]) for r in g if r["ev"] == "add"}
    tender_add = {r["id"]: r for r in t if r["ev"] == "add"}
    gap_in = input_gap(oracle, kind, tender_add)
    print(f"LP inputs: {len(kind)} Gavel jobs, gang sizes equal, max relative throughput gap {gap_in:.3g}")
    # An injected run logs HiGHS's answer at each of Gavel's resets ("highs"): compare with those.
    kind_of_row = "highs" if any(r["ev"] == "highs" for r in t) else "reset"
    tresets = {r["t"]: r["alloc"] for r in t if r["ev"] == kind_of_row}
    big = 0
    checked, worst_gap, worst_viol = 0, 0.0, 0.0
    for r in (r for r in g if r["ev"] == "reset" and r["t"] in tresets):
        mine = tresets[r["t"]]
        if set(r["alloc"]) != set(mine):
            print(f"t={r['t']}: job sets differ; stop")
            break
        coef = coefficients(oracle, kind, sorted(r["alloc"], key=int))
        gang = {j: kind[int(j)][1] for j in coef}
        (zg, vg), (zt, vt) = judge(r["alloc"], coef, gang), judge(mine, coef, gang)
        gap, where = alloc_gap(r["alloc"], mine)
        rel = abs(zg - zt) / max(abs(zg), 1e-12)
        checked += 1
        big += gap > 1e-4
        worst_gap, worst_viol = max(worst_gap, rel), max(worst_viol, vg, vt)
        if checked <= args.show:
            print(
                f"t={r['t']:.1f} jobs={len(coef)} z gavel={zg:.9g} tender={zt:.9g} (rel {rel:.2g}); "
                f"violations {vg:.2g}/{vt:.2g}; max |share diff| {gap:.3g} at {where}"
            )
    print(
        f"{checked} common resets ({kind_of_row} rows): max relative objective gap {worst_gap:.3g}, "
        f"max violation {worst_viol:.3g}; shares differ by > 1e-4 at {big}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    run = sub.add_parser("tender", help="trace Tender compat at one point")
    run.add_argument("--policy", default="las_het", help="Tender policy (las_het, fifo, fifo_het)")
    run.add_argument("--rate", default="2.7", help="2.7 / 3.0 / 2.4 (Gavel's exact floats) or a number")
    run.add_argument("--mode", default="multi", choices=("single", "multi"), help="single- or multi-GPU jobs")
    run.add_argument("--out", type=Path, required=True, help="JSONL trace to write")
    run.add_argument("--inject", type=Path, help="Gavel trace whose reset allocations replace HiGHS's")
    run.add_argument("--full-from", type=float, default=math.inf, help="dump counters from this time (s)")
    run.add_argument("--full-until", type=float, default=-math.inf, help="... until this time (s)")
    d = sub.add_parser("diff", help="compare a Gavel trace with a Tender trace")
    d.add_argument("gavel", type=Path, help="Gavel's JSONL trace")
    d.add_argument("tender", type=Path, help="Tender's JSONL trace")
    d.add_argument("--tol", type=float, default=1e-4, help="share difference reported as a divergence")
    c = sub.add_parser("lp", help="judge both allocations at common resets on Gavel's LP")
    c.add_argument("gavel", type=Path, help="Gavel's JSONL trace")
    c.add_argument("tender", type=Path, help="Tender's JSONL trace (with throughputs)")
    c.add_argument("--throughputs", type=Path, required=True, help="Gavel's simulation_throughputs.json")
    c.add_argument("--show", type=int, default=10, help="resets to print")
    args = parser.parse_args()
    {"tender": trace_tender, "diff": diff, "lp": lp_check}[args.cmd](args)


if __name__ == "__main__":
    main()
