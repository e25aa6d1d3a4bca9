"""`tender agent`: the runtime loop in the foreground (probe, reconcile, schedule, commit; repeat)."""

from __future__ import annotations

import time
from typing import Annotated

import typer

from tender.cli.output import console, fail_bad_input
from tender.cli.ranges import positive
from tender.cli.run import DbOpt, PoolsOpt, ScenarioOpt, StateOpt, open_or_fail


def register(app: typer.Typer) -> None:
    @app.command("agent")
    def agent(
        state: StateOpt = None,
        pools: PoolsOpt = None,
        scenario: ScenarioOpt = None,
        database_url: DbOpt = None,
        interval: Annotated[float, typer.Option(callback=positive, help="Seconds between ticks, > 0.")] = 2.0,
        once: Annotated[bool, typer.Option("--once", help="One tick, then exit.")] = False,
        until_idle: Annotated[
            bool, typer.Option("--until-idle", help="Exit when no job is queued or running.")
        ] = False,
        lost_after: Annotated[
            float,
            typer.Option(
                callback=positive, help="Seconds an engine may be silent before its jobs move, > 0."
            ),
        ] = 60.0,
        lease: Annotated[
            float, typer.Option(help="Seconds a job's wrapper keeps it running without a lease renewal.")
        ] = 20.0,
        renew: Annotated[float, typer.Option(help="Seconds between a wrapper's lease renewals.")] = 2.0,
        kill_grace: Annotated[
            float, typer.Option(help="Seconds between SIGTERM and SIGKILL when a wrapper kills its job.")
        ] = 5.0,
        allow_no_pools: Annotated[
            bool,
            typer.Option(
                "--allow-no-pools",
                help="Store a --pools/--scenario file that gives no pool (replacing the stored pools with none).",
            ),
        ] = False,
    ) -> None:
        """Run jobs: place them with the scheduler, submit, reconcile, meter, fail over (fenced)."""
        if not 0 < renew < lease or kill_grace < 0:
            fail_bad_input("--renew must be positive and below --lease; --kill-grace at least 0")
        from tender.runtime.store import ACTIVE_JOB_STATES  # here: `tender --help` imports no runtime

        runtime = open_or_fail(state, pools, scenario, database_url, allow_no_pools)
        runtime.lost_after = lost_after
        runtime.use_lease(lease, renew, kill_grace)
        while True:
            report = runtime.tick()
            for job_id in report.placed:
                console.print(f"placed {job_id}", markup=False)
            for job_id in report.finished:
                console.print(f"finished {job_id}", markup=False)
            for job_id in report.requeued:
                console.print(f"requeued {job_id}", markup=False)
            if once or (until_idle and not runtime.store.jobs(ACTIVE_JOB_STATES)):
                return
            time.sleep(interval)
