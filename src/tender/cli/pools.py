"""`tender pools`: each pool's engine status (ok / degraded / unreachable and why), capacity and usage."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from tender.cli.output import check_outputs, console, json_option, write_atomic
from tender.cli.run import DbOpt, PoolsOpt, ScenarioOpt, StateOpt, open_or_fail

COLUMNS = (
    "pool",
    "provider",
    "gpu",
    "gpus",
    "backend",
    "status",
    "engine_free_gpus",
    "tender_gpus_in_use",
    "gpu_hours",
    "reason",
)


def register(app: typer.Typer) -> None:
    @app.command("pools")
    def pools(
        state: StateOpt = None,
        pools: PoolsOpt = None,
        scenario: ScenarioOpt = None,
        database_url: DbOpt = None,
        json_path: Annotated[Path | None, json_option("the pools (an array of objects)")] = None,
    ) -> None:
        """Capacity and usage per pool, asking each engine now."""
        from rich.table import Table
        from rich.text import Text

        check_outputs([(json_path, "--json")])
        runtime = open_or_fail(state, pools, scenario, database_url)
        capacity = runtime.capacities()
        hours = runtime.store.gpu_hours_by("pool_id")
        running: dict[str, int] = {}
        for attempt in runtime.store.open_attempts():
            running[attempt["pool_id"]] = running.get(attempt["pool_id"], 0) + attempt["gpus"]
        records: list[dict[str, str | int]] = [
            {
                "pool": p.id,
                "provider": p.provider,
                "gpu": p.gpu,
                "gpus": p.gpus,
                "backend": p.backend.kind,
                "status": capacity[p.id].status.value,
                "engine_free_gpus": capacity[p.id].free_gpus,
                "tender_gpus_in_use": running.get(p.id, 0),
                "gpu_hours": str(hours.get(p.id, 0)),
                "reason": capacity[p.id].reason,
            }
            for p in runtime.config.pools
        ]
        runtime.store.close()
        if json_path is not None:
            write_atomic(json_path, json.dumps(records, indent=2) + "\n", "--json")
        table = Table(
            "pool", "provider", "gpu", "gpus", "backend", "status", "free", "in use", "gpu-h", "why", box=None
        )
        for r in records:
            table.add_row(*(Text(str(r[k])) for k in COLUMNS))  # plain text, never rich markup
        console.print(table)
