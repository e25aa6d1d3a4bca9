"""`tender run JOB.yaml`: validate a job spec (Tender's or a SkyPilot task) and queue it for the agent.

Every runtime command (`run`, `jobs`, `logs`, `cancel`, `pools`, `agent`) uses the same database as
`tender serve` unless told otherwise (`tender.runtime.session.database_url`).
"""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from tender.cli.output import console, fail_bad_input

if TYPE_CHECKING:
    from tender.runtime.driver import Runtime
    from tender.runtime.session import State

DbOpt = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        help="Database URL (sqlite:///PATH or postgresql://...). Default: --state, "
        "$TENDER_RUNTIME_DATABASE_URL, $TENDER_RUNTIME_DIR, then what `tender serve` uses: "
        "$TENDER_DATABASE_URL, else $TENDER_HOME/tender.db.",
    ),
]
StateOpt = Annotated[
    Path | None,
    typer.Option(
        "--state",
        help="Runtime directory for local attempts and logs, and its own DIR/runtime.db "
        "(default $TENDER_RUNTIME_DIR, else $TENDER_HOME/runtime with the server's database).",
    ),
]
PoolsOpt = Annotated[Path | None, typer.Option("--pools", help="Pools YAML (kept for later commands).")]
ScenarioOpt = Annotated[
    Path | None, typer.Option("--scenario", help="Scenario whose providers name a backend.")
]


def cli_actor() -> str:
    """Who queued or cancelled a job from the command line, for the audit trail."""
    try:
        return f"cli:{getpass.getuser()}"[:64]
    except (KeyError, OSError):
        return "cli"


def _text(path: Path | None) -> str | None:
    return None if path is None else str(path)


def open_or_fail(
    state: Path | None,
    pools: Path | None = None,
    scenario: Path | None = None,
    database: str | None = None,
    allow_no_pools: bool = False,
) -> Runtime:
    from tender.config import InputError
    from tender.runtime.session import NotConfigured, open_runtime

    try:
        return open_runtime(
            _text(state), _text(pools), _text(scenario), database=database, allow_no_pools=allow_no_pools
        )
    except InputError as exc:
        fail_bad_input([str(p) for p in exc.problems])
    except NotConfigured as exc:
        fail_bad_input(str(exc))


def state_or_fail(
    state: Path | None, pools: Path | None = None, scenario: Path | None = None, database: str | None = None
) -> State:
    """The store and pools only (no backend is built)."""
    from tender.config import InputError
    from tender.runtime.session import NotConfigured, open_state

    try:
        return open_state(_text(state), _text(pools), _text(scenario), database)
    except InputError as exc:
        fail_bad_input([str(p) for p in exc.problems])
    except NotConfigured as exc:
        fail_bad_input(str(exc))


def register(app: typer.Typer) -> None:
    @app.command("run")
    def run(
        job_file: Annotated[
            Path, typer.Argument(help="Job spec YAML (name, command, gpus, ...) or a SkyPilot task.")
        ],
        state: StateOpt = None,
        pools: PoolsOpt = None,
        scenario: ScenarioOpt = None,
        database_url: DbOpt = None,
    ) -> None:
        """Queue a job; `tender agent` places and runs it. A job no pool may ever take (its accelerator, its
        size, or the contracts, in this month) is refused with each pool's reason code and clause id, exit 2."""
        from tender.clocks import SystemClock
        from tender.config import InputError
        from tender.runtime import queue
        from tender.runtime.spec import check_against, parse_job_file

        try:
            spec = parse_job_file(str(job_file))
        except InputError as exc:
            fail_bad_input([str(p) for p in exc.problems])
        opened = state_or_fail(state, pools, scenario, database_url)
        try:
            now = SystemClock().now()
            try:
                check_against(spec, opened.config, str(job_file), now.timestamp())
            except InputError as exc:
                fail_bad_input([str(p) for p in exc.problems])
            with opened.store.write() as session:
                job_id = queue.submit(session, spec, now=now, submitted_by=cli_actor())
        finally:
            opened.close()
        console.print(job_id, markup=False)
