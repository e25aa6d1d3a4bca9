"""`tender run JOB.yaml`: validate a job spec (Tender's or a SkyPilot task) and queue it for the agent."""

from __future__ import annotations

from typing import Annotated

import typer

from tender.cli.output import console, fail_bad_input
from tender.config import InputError
from tender.runtime.session import NotConfigured, open_runtime
from tender.runtime.spec import check_against, parse_job_file

StateOpt = Annotated[
    str | None, typer.Option("--state", help="Runtime directory (default .tender or $TENDER_RUNTIME_DIR).")
]
PoolsOpt = Annotated[str | None, typer.Option("--pools", help="Pools YAML (kept for later commands).")]
ScenarioOpt = Annotated[
    str | None, typer.Option("--scenario", help="Scenario whose providers name a backend.")
]


def open_or_fail(state: str | None, pools: str | None = None, scenario: str | None = None):  # type: ignore[no-untyped-def]
    try:
        return open_runtime(state, pools, scenario)
    except InputError as exc:
        fail_bad_input([str(p) for p in exc.problems])
    except NotConfigured as exc:
        fail_bad_input(str(exc))


def register(app: typer.Typer) -> None:
    @app.command("run")
    def run(
        job_file: Annotated[
            str, typer.Argument(help="Job spec YAML (name, command, gpus, ...) or a SkyPilot task.")
        ],
        state: StateOpt = None,
        pools: PoolsOpt = None,
        scenario: ScenarioOpt = None,
    ) -> None:
        """Queue a job; `tender agent` places and runs it."""
        runtime = open_or_fail(state, pools, scenario)
        try:
            spec = parse_job_file(job_file)
            check_against(spec, runtime.config, job_file)
        except InputError as exc:
            fail_bad_input([str(p) for p in exc.problems])
        job_id = runtime.submit(spec)
        console.print(job_id, markup=False)
