"""`tender jobs` (why each job waits, where it ran), `tender jobs export --skypilot JOB` (the job as a
SkyPilot task YAML), `tender logs JOB`, `tender cancel JOB`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from tender.cli.output import check_outputs, console, fail_bad_input, json_option, write_atomic
from tender.cli.run import DbOpt, StateOpt, cli_actor, open_or_fail, state_or_fail

JobArg = Annotated[str, typer.Argument(help="Job id, as `tender run` printed it (see `tender jobs`).")]


def jobs(
    action: Annotated[str | None, typer.Argument(help="`export` (with --skypilot JOB)")] = None,
    skypilot: Annotated[
        str | None, typer.Option("--skypilot", help="export this job as a SkyPilot task")
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="write the task YAML here (default: stdout)")
    ] = None,
    state: StateOpt = None,
    database_url: DbOpt = None,
    json_path: Annotated[Path | None, json_option("the jobs (an array of objects)")] = None,
) -> None:
    """Every job: state, pool, attempts, and the reason it waits or how it ended."""
    from rich.table import Table
    from rich.text import Text

    check_outputs([(json_path, "--json")])
    if action is not None or skypilot is not None:
        _export(action, skypilot, out, state, database_url)
        return
    opened = state_or_fail(state, database=database_url)
    try:
        rows = opened.store.jobs()
        hours = opened.store.gpu_hours_by("job_id")
    finally:
        opened.close()
    records = [
        {
            "id": r["id"],
            "state": r["state"],
            "gpus": r["gpus"],
            "class": r["workload_class"],
            "team": r["team"],
            "pool": r["pool_id"],
            "attempts": r["attempts"],
            "retries": r["retries"],
            "gpu_hours": str(hours.get(r["id"], 0)),
            "reason": r["reason"],
            "reason_code": r["reason_code"],
            "clause": r["reason_clause"],
        }
        for r in rows
    ]
    if json_path is not None:
        write_atomic(json_path, json.dumps(records, indent=2) + "\n", "--json")
    table = Table("job", "state", "gpus", "class", "pool", "tries", "gpu-h", "why", box=None)
    for rec in records:
        table.add_row(
            rec["id"],
            rec["state"],
            str(rec["gpus"]),
            rec["class"],
            rec["pool"] or "-",
            str(rec["attempts"]),
            rec["gpu_hours"],
            Text(rec["reason"]),  # plain text: a clause id in brackets is not rich markup
        )
    console.print(table)


def logs(job: JobArg, state: StateOpt = None, database_url: DbOpt = None) -> None:
    """The output of a job's latest attempt, from its engine."""
    runtime = open_or_fail(state, database=database_url)
    if runtime.store.job(job) is None:
        fail_bad_input(f"job: no job {job!r} (see `tender jobs`)")
    console.print(runtime.logs(job), markup=False, end="")


def cancel(job: JobArg, state: StateOpt = None, database_url: DbOpt = None) -> None:
    """Cancel a queued or running job (the agent stops it on its engine)."""
    from tender.clocks import SystemClock
    from tender.runtime import queue

    opened = state_or_fail(state, database=database_url)
    try:
        if opened.store.job(job) is None:
            fail_bad_input(f"job: no job {job!r} (see `tender jobs`)")
        with opened.store.write() as session:
            done = queue.request_cancel(session, job, now=SystemClock().now(), actor=cli_actor())
    finally:
        opened.close()
    console.print(f"{job}: {'cancel requested' if done else 'already finished'}", markup=False)


def register(app: typer.Typer) -> None:
    app.command("jobs")(jobs)
    app.command("logs")(logs)
    app.command("cancel")(cancel)


def _export(
    action: str | None, job: str | None, out: Path | None, state: Path | None, database: str | None
) -> None:
    """`tender jobs export --skypilot JOB [--out FILE]`: docs/skypilot.md."""
    import yaml

    from tender.integrations.skypilot.export import task_of

    if action != "export" or job is None:
        fail_bad_input("jobs: use `tender jobs` or `tender jobs export --skypilot JOB [--out FILE]`")
    opened = state_or_fail(state, database=database)
    try:
        row = opened.store.job(job)
    finally:
        opened.close()
    if row is None:
        fail_bad_input(f"--skypilot: no job {job!r} (see `tender jobs`)")
    text = yaml.safe_dump(task_of(dict(row)), sort_keys=False)
    if out is None:
        console.print(text, markup=False, end="")
    else:
        write_atomic(out, text)
