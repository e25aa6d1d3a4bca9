"""`tender jobs` (why each job waits, where it ran), `tender logs JOB`, `tender cancel JOB`."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from tender.cli.output import console, fail_bad_input
from tender.cli.run import DbOpt, StateOpt, cli_actor, open_or_fail, state_or_fail
from tender.runtime import queue
from tender.runtime.clock import SystemClock


def register(app: typer.Typer) -> None:
    @app.command("jobs")
    def jobs(
        state: StateOpt = None,
        database_url: DbOpt = None,
        as_json: Annotated[bool, typer.Option("--json")] = False,
    ) -> None:
        """Every job: state, pool, attempts, and the reason it waits or how it ended."""
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
        if as_json:
            console.print(json.dumps(records, indent=2), markup=False)
            return
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

    @app.command("logs")
    def logs(job: str, state: StateOpt = None, database_url: DbOpt = None) -> None:
        """The output of a job's latest attempt, from its engine."""
        runtime = open_or_fail(state, database=database_url)
        if runtime.store.job(job) is None:
            fail_bad_input(f"job: no job {job!r} (see `tender jobs`)")
        console.print(runtime.logs(job), markup=False, end="")

    @app.command("cancel")
    def cancel(job: str, state: StateOpt = None, database_url: DbOpt = None) -> None:
        """Cancel a queued or running job (the agent stops it on its engine)."""
        opened = state_or_fail(state, database=database_url)
        try:
            if opened.store.job(job) is None:
                fail_bad_input(f"job: no job {job!r} (see `tender jobs`)")
            with opened.store.write() as session:
                done = queue.request_cancel(session, job, now=SystemClock().now(), actor=cli_actor())
        finally:
            opened.close()
        console.print(f"{job}: {'cancel requested' if done else 'already finished'}", markup=False)
