"""`tender simulate`: replay a trace (or Gavel's experiment) on held capacity; compare policies."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from tender.cli.output import (
    Output,
    check_outputs,
    console,
    fail_bad_input,
    json_option,
    progress_bar,
    write_atomic,
    write_outputs,
)
from tender.cli.ranges import positive

if TYPE_CHECKING:
    # the simulator, the policies (HiGHS) and the report load when a command runs
    from tender.placement import Eligibility, PolicyName, Pool
    from tender.sim.experiments import Result
    from tender.sim.faults import Fault
    from tender.sim.traces import Trace

sim_app = typer.Typer(
    help="Replay jobs on held capacity under a scheduling policy.",
    no_args_is_help=False,
    invoke_without_command=True,
)

TraceOpt = Annotated[
    str, typer.Option("--trace", help="'philly' (packaged) or a CSV path in the same schema.")
]
PolicyOpt = Annotated[str, typer.Option("--policy", help="fifo | fifo_het | las_het | cost_het")]
JsonOpt = Annotated[Path | None, json_option("the metrics")]
ReportOpt = Annotated[
    Path | None, typer.Option("--report", help="Write an HTML report (offline, inline SVG).")
]
SeedOpt = Annotated[int, typer.Option("--seed", help="Seeds fifo's pool choice and injected faults.")]


def register(app: typer.Typer) -> None:
    app.add_typer(sim_app, name="simulate")


@sim_app.callback()
def simulate(
    ctx: typer.Context,
    trace: TraceOpt = "philly",
    policy: PolicyOpt = "fifo",
    json_path: JsonOpt = None,
    report: ReportOpt = None,
    seed: SeedOpt = 0,
    pools: Annotated[Path | None, typer.Option("--pools", help="Pools YAML (pools, rules, faults).")] = None,
    plan: Annotated[Path | None, typer.Option("--plan", help="Pools from a `tender plan` JSON.")] = None,
    scenario: Annotated[
        Path | None, typer.Option("--scenario", help="Pools from a scenario's capacity.")
    ] = None,
    month: Annotated[
        int | None,
        typer.Option("--month", min=1, help="Month for --plan / --scenario (1..the scenario's horizon)."),
    ] = None,
    per_vc: Annotated[
        bool, typer.Option("--per-vc", help="Philly: one pool per VC, jobs kept in their VC.")
    ] = False,
    round_s: Annotated[
        float | None,
        typer.Option("--round", callback=positive, help="Round length in seconds, > 0 (las_het: 360)."),
    ] = None,
    restore_s: Annotated[
        float, typer.Option("--restore", min=0.0, help="Checkpoint/restore seconds per restart, >= 0.")
    ] = 30.0,
    backfill: Annotated[
        bool, typer.Option("--backfill/--no-backfill", help="Let later jobs overtake.")
    ] = True,
    outages_per_day: Annotated[
        float, typer.Option("--outages-per-day", min=0.0, help="Seeded pool outages per day, >= 0.")
    ] = 0.0,
    spot_per_day: Annotated[
        float, typer.Option("--spot-reclaims-per-day", min=0.0, help="Seeded spot reclaims per day, >= 0.")
    ] = 0.0,
) -> None:
    """Replay a trace: `tender simulate --trace philly --policy fifo --json out.json`."""
    if ctx.invoked_subcommand is not None:
        return
    from tender.placement import Policy, PolicyName
    from tender.sim.experiments import run_trace, silence_highs_banner
    from tender.sim.faults import seeded_faults

    check_outputs([(json_path, "--json"), (report, "--report")])
    name = _policy(policy)
    loaded = _load_trace(trace, per_vc)
    pool_list, rules, faults = _pools(pools, plan, scenario, month, per_vc)
    horizon = max((j.arrival for j in loaded.jobs), default=0.0) + 86400.0
    faults = (*faults, *seeded_faults(pool_list, horizon, seed, outages_per_day, spot_per_day))
    faults = tuple(sorted(faults, key=lambda f: (f.start, f.pool_id)))
    chosen = Policy(name, backfill=backfill, round_seconds=round_s, restore_seconds=restore_s, seed=seed)
    if name is PolicyName.LAS_HET:
        silence_highs_banner()
    started = time.perf_counter()
    with _progress(2 * len(loaded.jobs), f"replaying {len(loaded.jobs):,} jobs") as tick:
        result = run_trace(loaded.jobs, pool_list, chosen, eligibility=rules, faults=faults, progress=tick)
    result.summary.update(trace=loaded.name, seed=seed)
    _emit(result, json_path, report, time.perf_counter() - started)


@sim_app.command("gavel")
def gavel(
    cluster: Annotated[str, typer.Option("--cluster", help="GPUs per type, e.g. v100=36,p100=36,k80=36")] = (
        "v100=36,p100=36,k80=36"
    ),
    rate: Annotated[
        float, typer.Option("--rate", callback=positive, help="Jobs per hour (Poisson), > 0.")
    ] = 1.0,
    policy: PolicyOpt = "las_het",
    seed: SeedOpt = 0,
    measure: Annotated[str, typer.Option("--measure", help="Job ids START:END to measure.")] = "4000:5000",
    multi_gpu: Annotated[bool, typer.Option("--multi-gpu", help="Draw scale factors 1/2/4/8.")] = False,
    max_hours: Annotated[
        float | None,
        typer.Option(
            "--max-hours", callback=positive, help="Stop at this simulated hour, > 0 (overloaded rates)."
        ),
    ] = None,
    compat: Annotated[
        str | None,
        typer.Option("--compat", help="Reproduce Gavel commit 1f6f02e's behaviour (docs/simulate.md)."),
    ] = None,
    json_path: JsonOpt = None,
    report: ReportOpt = None,
) -> None:
    """Gavel's published continuous-arrival experiment (OSDI 2020); reports the measured jobs' JCT."""
    from tender.placement import PolicyName
    from tender.sim.experiments import run_gavel, silence_highs_banner
    from tender.sim.gavel import COMPAT_COMMITS

    check_outputs([(json_path, "--json"), (report, "--report")])
    name = _policy(policy)
    sizes = _cluster(cluster)
    window = _measure(measure)
    if compat is not None and compat not in COMPAT_COMMITS:
        fail_bad_input(
            f"--compat: unknown Gavel commit {compat!r}; choose one of {', '.join(COMPAT_COMMITS)}"
        )
    if compat is not None and name is PolicyName.COST_HET:
        fail_bad_input("--compat: Gavel has no cost_het; use fifo, fifo_het (fifo_perf) or las_het")
    silence_highs_banner()
    started = time.perf_counter()
    with _progress(None, f"gavel {name} at {rate} jobs/h") as tick:
        result = run_gavel(
            sizes,
            rate,
            name,
            seed=seed,
            measure=window,
            multi_gpu=multi_gpu,
            max_hours=max_hours,
            progress=tick,
            compat=compat,
        )
    _emit(result, json_path, report, time.perf_counter() - started)


@sim_app.command("compare")
def compare(
    policies: Annotated[
        str, typer.Option("--policies", help="Comma-separated policies.")
    ] = "fifo,fifo_het,cost_het",
    trace: TraceOpt = "philly",
    pools: Annotated[
        list[Path] | None, typer.Option("--pools", help="Pools YAML; repeat for regimes.")
    ] = None,
    scenario: Annotated[
        list[Path] | None,
        typer.Option("--scenario", help="Scenario; with --month, one regime per (scenario, month)."),
    ] = None,
    month: Annotated[
        list[int] | None,
        typer.Option("--month", min=1, help="Month(s) for --scenario, 1..its horizon; repeat for regimes."),
    ] = None,
    per_vc: Annotated[
        bool, typer.Option("--per-vc", help="Philly: one pool per VC, jobs kept in their VC.")
    ] = False,
    restore_s: Annotated[
        float, typer.Option("--restore", min=0.0, help="Checkpoint/restore seconds per restart, >= 0.")
    ] = 30.0,
    seed: SeedOpt = 0,
    json_path: JsonOpt = None,
) -> None:
    """Run several policies x pool/contract regimes on the same trace; print them side by side.
    Long because: Typer declares each option in the signature; the body fits one screen.

    Regimes: each `--pools FILE`, and each `--scenario FILE --month M` (capacity and the contract
    engine's clauses in force at that month), e.g. `--scenario s.yaml --month 16 --month 17`.
    """
    from rich.table import Table

    from tender.placement import Policy, PolicyName
    from tender.sim.experiments import run_trace, silence_highs_banner

    check_outputs([(json_path, "--json")])
    names = [_policy(p.strip()) for p in policies.split(",") if p.strip()]
    if not names:
        fail_bad_input(f"--policies: give at least one policy (e.g. fifo,cost_het), got {policies!r}")
    loaded = _load_trace(trace, per_vc)
    regimes: list[tuple[str, tuple[Pool, ...], Eligibility, tuple[Fault, ...]]] = []
    for path in pools or []:
        pool_list, rules, faults = _pools(path, None, None, None, per_vc)
        regimes.append((path.name, pool_list, rules, faults))
    if month and not scenario:
        fail_bad_input("--month: needs --scenario")
    for path, at in _scenario_regimes(scenario or [], month or []) if scenario else []:
        pool_list, gate = _scenario_pools(path, at)
        regimes.append((f"{path.name}@m{at}", pool_list, gate, ()))
    if not regimes:
        pool_list, rules, faults = _pools(None, None, None, None, per_vc)
        regimes.append(("default", pool_list, rules, faults))
    if PolicyName.LAS_HET in names:
        silence_highs_banner()
    rows: dict[str, dict[str, Any]] = {}
    for regime, pool_list, rules, faults in regimes:
        for name in names:
            chosen = Policy(name, restore_seconds=restore_s, seed=seed)
            with _progress(2 * len(loaded.jobs), f"{name} on {regime}") as tick:
                result = run_trace(
                    loaded.jobs, pool_list, chosen, eligibility=rules, faults=faults, progress=tick
                )
            rows[f"{name} | {regime}"] = result.summary
    table = Table(title=f"{loaded.name}: {len(loaded.jobs):,} jobs")
    table.add_column("metric")
    for label in rows:
        table.add_column(label, justify="right")
    for key in COMPARE_KEYS:
        table.add_row(key, *(str(summary[key]) for summary in rows.values()))
    console.print(table)
    if json_path is not None:
        write_atomic(json_path, _json({"runs": rows}), "--json")


COMPARE_KEYS = (
    "jobs_completed",
    "jobs_rejected",
    "rejected_by_reason",
    "avg_jct_hours",
    "median_jct_hours",
    "p99_jct_hours",
    "avg_queue_hours",
    "utilization",
    "cost_usd",
    "preemptions",
    "failovers",
    "makespan_hours",
)


# -- helpers ------------------------------------------------------------------------------------
def _policy(name: str) -> PolicyName:
    from tender.placement import UnknownPolicy, parse_policy

    try:
        return parse_policy(name)
    except UnknownPolicy as exc:
        fail_bad_input(f"--policy: {exc}")


def _load_trace(trace: str, per_vc: bool) -> Trace:
    from tender.sim.traces import TraceError, load_trace

    try:
        return load_trace(None if trace == "philly" else Path(trace), per_vc=per_vc)
    except TraceError as exc:
        fail_bad_input(str(exc))


def _pools(
    pools: Path | None, plan: Path | None, scenario: Path | None, month: int | None, per_vc: bool
) -> tuple[tuple[Pool, ...], Eligibility, tuple[Fault, ...]]:
    from tender.config.errors import InputError
    from tender.placement import allow_all
    from tender.sim.pools import load_pools_yaml, philly_pools, pools_from_plan

    if sum(x is not None for x in (pools, plan, scenario)) > 1:
        fail_bad_input("--pools, --plan and --scenario are alternatives; give one")
    try:
        if pools is not None:
            loaded = load_pools_yaml(pools)
            return loaded.pools, loaded.rules, loaded.faults
        if plan is not None:
            return pools_from_plan(plan, month), allow_all, ()
    except InputError as exc:
        fail_bad_input(str(exc))
    if scenario is not None:
        return (*_scenario_pools(scenario, month), ())
    return philly_pools(per_vc), allow_all, ()


def _scenario_pools(path: Path, month: int | None) -> tuple[tuple[Pool, ...], Eligibility]:
    """The scenario's held capacity at `month`, and the contract engine's eligibility at that month."""
    from tender.config import InputError, load_scenario
    from tender.placement.contract_gate import ScenarioEligibility
    from tender.sim.pools import pools_from_scenario

    try:
        loaded = load_scenario(str(path))
    except InputError as exc:
        fail_bad_input(str(exc))
    except OSError as exc:
        fail_bad_input(f"{path}: cannot read: {exc.strerror}")
    chosen = 1 if month is None else month
    if not 1 <= chosen <= loaded.horizon:
        fail_bad_input(f"--month: {chosen} is outside {path}'s horizon (months 1..{loaded.horizon})")
    result = pools_from_scenario(loaded, chosen)
    if not result:
        fail_bad_input(f"{path}: no existing capacity in month {chosen} (--month)")
    return result, ScenarioEligibility(loaded, chosen)


def _scenario_regimes(scenarios: list[Path], months: list[int]) -> list[tuple[Path, int]]:
    """`--scenario A --month 16 --month 17` -> (A, 16), (A, 17); `--scenario A --month 1 --scenario B
    --month 2` -> (A, 1), (B, 2)."""
    if not months:
        months = [1]
    if len(scenarios) == 1:
        return [(scenarios[0], m) for m in months]
    if len(months) == 1:
        return [(s, months[0]) for s in scenarios]
    if len(months) != len(scenarios):
        fail_bad_input(
            f"--month: give one month, or one per --scenario ({len(scenarios)} scenarios, {len(months)} months)"
        )
    return list(zip(scenarios, months, strict=True))


def _cluster(text: str) -> dict[str, int]:
    sizes: dict[str, int] = {}
    for part in text.split(","):
        gpu, _, count = part.partition("=")
        if not gpu.strip() or not count.strip().isdigit():
            fail_bad_input(
                f"--cluster: expected TYPE=COUNT[,TYPE=COUNT...] (e.g. v100=36,p100=36,k80=36), got {text!r}"
            )
        if gpu.strip() not in ("k80", "p100", "v100"):
            fail_bad_input(f"--cluster: Gavel measured only k80, p100 and v100, got {gpu.strip()!r}")
        sizes[gpu.strip()] = int(count)
    return sizes


def _measure(text: str) -> tuple[int, int]:
    start, _, end = text.partition(":")
    if not (start.isdigit() and end.isdigit()) or int(end) <= int(start):
        fail_bad_input(f"--measure: expected START:END with START < END (e.g. 4000:5000), got {text!r}")
    return int(start), int(end)


@contextmanager
def _progress(total: int | None, label: str) -> Iterator[Callable[[int], None]]:
    from rich.progress import BarColumn, TextColumn, TimeElapsedColumn

    with progress_bar(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:,} events"),
        TimeElapsedColumn(),
    ) as bar:
        task = bar.add_task(label, total=total)

        def tick(events: int) -> None:
            bar.update(task, completed=events)

        yield tick


def _emit(result: Result, json_path: Path | None, report: Path | None, wall: float) -> None:
    from tender.sim.report import render

    s = result.summary
    console.print(
        f"{s['policy']}: {s['jobs_completed']:,} jobs completed, {s['jobs_rejected']:,} rejected; "
        f"avg JCT {s['avg_jct_hours']:.3f} h (p99 {s['p99_jct_hours']:.3f} h), avg queue "
        f"{s['avg_queue_hours']:.3f} h, utilization {s['utilization']:.1%}, cost ${s['cost_usd']}; "
        f"{s['events_processed']:,} events in {wall:.2f} s"
    )
    outputs = []
    if json_path is not None:
        outputs.append(Output(json_path, _json({**s, "wall_seconds": round(wall, 3)}), "--json"))
    if report is not None:
        outputs.append(Output(report, render(result), "--report"))
    write_outputs(outputs)


def _json(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, sort_keys=True) + "\n"
