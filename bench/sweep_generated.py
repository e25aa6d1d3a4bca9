"""Plan every generated scenario of a seed range and check the plan against the contracts.

Usage:
  .venv/bin/python bench/sweep_generated.py --seeds 0:1000 --size small \\
      --out bench/results/sweep_generated.jsonl [--jobs 2] [--no-check] [--time-limit 30]

Flow, per seed: 1. generate (tests/generated/scenario_gen.py) and load the YAML text with
`tender.config.load_scenario_text`; 2. `plan()` in-process, timed with `time.perf_counter`;
3. `tender.check.check_plan(scenario, plan_to_dict(plan, scenario))` (imported lazily; skipped with
`--no-check`); 4. one JSON line: status, crash (exception type, message, innermost src/ frame),
violation codes, cost and baseline, wall seconds, and the features the scenario uses.
(size, seed) pairs already in the output file are skipped (resumable; planned but unchecked ones are
run again unless `--no-check`; use a new file after changing src/); the file is rewritten sorted at
the end, so its content does not depend on `--jobs` (but for the wall times). A summary follows.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import statistics
import sys
import time
import traceback
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
GENERATED = ROOT / "tests" / "generated"
if str(GENERATED) not in sys.path:
    sys.path.insert(0, str(GENERATED))

Record = dict[str, Any]


def _crash(exc: BaseException) -> Record:
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if "/src/tender/" in f.filename]
    where = f"{frames[-1].filename.split('/src/')[-1]}:{frames[-1].lineno}" if frames else ""
    return {"type": type(exc).__name__, "message": str(exc)[:500], "where": where}


def run_seed(seed: int, size: str, check: bool, time_limit: float, plan_seed: int) -> Record:
    """Generate, load, plan and check one seed. Never raises: failures are recorded."""
    from scenario_features import features
    from scenario_gen import generate, to_yaml

    from tender.config import load_scenario_text
    from tender.plan_output import plan_to_dict
    from tender.sourcing import PlanOptions, plan

    doc = generate(seed, size)
    rec: Record = {"seed": seed, "size": size, "features": sorted(features(doc))}
    try:
        scenario = load_scenario_text(to_yaml(doc), f"{size}-{seed}.yaml")
    except Exception as exc:  # a generator bug: every seed must load
        rec.update(outcome="invalid", error=_crash(exc))
        return rec
    start = time.perf_counter()
    try:
        result = plan(scenario, PlanOptions(seed=plan_seed, time_limit_s=time_limit))
    except Exception as exc:
        rec.update(outcome="crashed", wall_s=round(time.perf_counter() - start, 4), error=_crash(exc))
        return rec
    rec["wall_s"] = round(time.perf_counter() - start, 4)
    rec.update(
        outcome="planned",
        status=result.status,
        cost_usd=str(result.cost_total_usd),
        baseline_usd=str(result.baseline_cost_usd),
        cost_le_baseline=result.cost_total_usd <= result.baseline_cost_usd,
        unmet=len(result.unmet),
        notices=len(result.notices),
    )
    if check:
        try:
            from tender.check import check_plan

            found = check_plan(scenario, plan_to_dict(result, scenario))
        except Exception as exc:
            rec["check_error"] = _crash(exc)
        else:
            rec["violations"] = sorted({str(v.code) for v in found})
            rec["violation_count"] = len(found)
            first: dict[str, Record] = {}
            for v in found:  # the first violation of each code, as an example
                first.setdefault(
                    str(v.code),
                    {"clause": v.clause, "demand": v.demand, "month": v.month, "message": v.message},
                )
            rec["violation_examples"] = first
    return rec


def _job(args: tuple[int, str, bool, float, int]) -> Record:
    return run_seed(*args)


def _seeds(spec: str) -> range:
    lo, _, hi = spec.partition(":")
    return range(int(lo), int(hi)) if hi else range(int(lo), int(lo) + 1)


Key = tuple[str, int]  # (size, seed)


def _key(rec: Record) -> Key:
    return str(rec["size"]), int(rec["seed"])


def _read(path: Path) -> dict[Key, Record]:
    done: dict[Key, Record] = {}
    if path.exists():
        for line in path.read_text().splitlines():
            if line.strip():
                rec = json.loads(line)
                done[_key(rec)] = rec
    return done


def _unchecked(rec: Record) -> bool:
    """Planned by an earlier `--no-check` run: plan it again to check it."""
    return rec["outcome"] == "planned" and "violations" not in rec and "check_error" not in rec


def _write_sorted(path: Path, records: dict[Key, Record]) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text("".join(json.dumps(records[k], sort_keys=True) + "\n" for k in sorted(records)))
    tmp.replace(path)


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def summary(records: Iterable[Record]) -> str:
    recs = list(records)
    planned = [r for r in recs if r["outcome"] == "planned"]
    checked = [r for r in planned if "violations" in r]
    clean = [r for r in checked if not r["violations"]]
    crashes: dict[str, list[int]] = defaultdict(list)
    for r in recs:
        if r["outcome"] in ("crashed", "invalid"):
            e = r["error"]
            crashes[
                f"{r['outcome']}: {e['type']}: {e['message'].splitlines()[0][:160]} @ {e['where']}"
            ].append(r["seed"])
    check_errors: dict[str, list[int]] = defaultdict(list)
    for r in planned:
        if "check_error" in r:
            e = r["check_error"]
            check_errors[f"{e['type']}: {e['message'][:120]} @ {e['where']}"].append(r["seed"])
    codes: dict[str, list[int]] = defaultdict(list)
    for r in checked:
        for code in r["violations"]:
            codes[code].append(r["seed"])
    walls = [float(r["wall_s"]) for r in recs if "wall_s" in r]
    lines = [
        f"seeds {len(recs)}: planned {len(planned)}, crashed {sum(len(v) for v in crashes.values())}",
        f"checked {len(checked)}, checker-clean {len(clean)}, checker errors {sum(len(v) for v in check_errors.values())}",
        f"cost <= baseline: {sum(1 for r in planned if r['cost_le_baseline'])} of {len(planned)}",
        f"statuses: {dict(Counter(r['status'] for r in planned))}",
    ]
    if walls:
        lines.append(
            f"plan wall s: median {statistics.median(walls):.3f}, p90 {_pct(walls, 0.9):.3f}, max {max(walls):.3f}"
            f" (seed {max(recs, key=lambda r: r.get('wall_s', 0))['seed']})"
        )
    for title, groups in (("crashes", crashes), ("checker errors", check_errors), ("violation codes", codes)):
        if groups:
            lines.append(f"{title}:")
            for key, seeds in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))[:15]:
                lines.append(f"  {len(seeds):4d}  {key}  e.g. seeds {sorted(seeds)[:6]}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", default="0:100", help="a:b (b excluded) or one seed")
    ap.add_argument("--size", default="small", choices=("small", "medium"))
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "sweep_generated.jsonl")
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--no-check", action="store_true", help="do not run tender.check.check_plan")
    ap.add_argument("--time-limit", type=float, default=60.0, help="HiGHS time limit per solve (s)")
    ap.add_argument("--plan-seed", type=int, default=0, help="PlanOptions.seed for every plan")
    args = ap.parse_args(argv)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    done = _read(args.out)
    wanted = [(args.size, s) for s in _seeds(args.seeds)]
    todo = [k for k in wanted if k not in done or (not args.no_check and _unchecked(done[k]))]
    jobs = [(s, size, not args.no_check, args.time_limit, args.plan_seed) for size, s in todo]
    print(
        f"{len(wanted)} seeds, {len(wanted) - len(todo)} already in {args.out}, {len(todo)} to run",
        flush=True,
    )
    started = time.perf_counter()
    with args.out.open("a") as fh:
        if args.jobs > 1:
            with multiprocessing.Pool(args.jobs) as pool:
                results: Iterable[Record] = pool.imap_unordered(_job, jobs)
                _collect(results, done, fh, len(jobs), started)
        else:
            _collect(map(_job, jobs), done, fh, len(jobs), started)
    _write_sorted(args.out, done)
    print(summary(done[k] for k in wanted if k in done))
    return 0


def _collect(results: Iterable[Record], done: dict[Key, Record], fh: Any, total: int, started: float) -> None:
    for n, rec in enumerate(results, 1):
        done[_key(rec)] = rec
        fh.write(json.dumps(rec, sort_keys=True) + "\n")
        fh.flush()
        if n % 25 == 0 or n == total:
            print(f"  {n}/{total} in {time.perf_counter() - started:.0f} s", flush=True)


if __name__ == "__main__":
    sys.exit(main())
