"""`tender validate FILE [--json PATH]`: check a scenario and print a short summary (exit 2 listing every
problem). `--json` writes {"valid": true, counts...} or {"valid": false, "problems": [...]}."""

from __future__ import annotations

import json
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from tender.cli.output import check_outputs, console, fail_bad_input, json_option, write_atomic

if TYPE_CHECKING:
    from rich.table import Table

    from tender.config import InputError
    from tender.domain import Scenario


def load_or_exit(path: Path, json_path: Path | None = None) -> Scenario:
    """Load a scenario for any command; on bad input print every problem and exit 2 (with
    `json_path`, first write the problems there as JSON)."""
    from tender.config import InputError, load_scenario

    try:
        return load_scenario(str(path))
    except InputError as exc:
        if json_path is not None:
            write_atomic(json_path, _dumps({"valid": False, "problems": _problems(exc)}), "--json")
        count = len(exc.problems)
        if count == 1 and exc.problems[0].line == 0:  # the file could not be read at all: one line
            fail_bad_input(str(exc.problems[0]))
        fail_bad_input(
            [str(p) for p in exc.problems] + [f"{path}: {count} problem{'s' * (count != 1)} found"]
        )


def _problems(exc: InputError) -> list[dict[str, Any]]:
    return [
        {"file": p.file, "line": p.line, "column": p.column, "field": p.path, "message": p.message}
        for p in exc.problems
    ]


def _dumps(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"


def summary_doc(sc: Scenario) -> dict[str, Any]:
    """What `--json` writes for a valid scenario: its id, horizon and how many of each part."""
    return {
        "valid": True,
        "id": sc.id,
        "horizon": sc.horizon,
        "first_month": sc.calendar.label(1),
        "last_month": sc.calendar.label(sc.horizon),
        "providers": sorted(sc.providers),
        "contracts": len(sc.contracts),
        "amendments": len(sc.amendments),
        "fleets": len(sc.fleets),
        "training_runs": len(sc.training_runs),
    }


def _ranges(horizon: int, size: int = 6) -> list[tuple[int, int]]:
    return [(start, min(start + size - 1, horizon)) for start in range(1, horizon + 1, size)]


def summary_tables(sc: Scenario) -> list[Table]:
    from rich.table import Table

    kinds = Counter(p.kind.value for p in sc.providers.values())
    providers = Table(title="Providers", title_justify="left")
    for col in ("provider", "kind", "regions", "accelerators", "peak existing GPUs"):
        providers.add_column(col)
    for p in sc.providers.values():
        pairs = p.gpu_region_pairs()
        peak = max((sum(p.existing_gpus(g, r, m) for g, r in pairs) for m in sc.calendar.months()), default=0)
        providers.add_row(
            p.id, p.kind.value, ", ".join(p.regions), ", ".join(sorted({g for g, _ in pairs})), f"{peak:,}"
        )
    providers.caption = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))

    contracts = Table(title="Contracts", title_justify="left")
    for col in ("id", "type", "counterparty", "months"):
        contracts.add_column(col)
    for c in sc.contracts:
        contracts.add_row(
            c.id,
            c.type.value,
            c.counterparty() or "-",
            f"{c.effective_from_month}..{c.effective_to_month or sc.horizon}",
        )
    for a in sc.amendments:
        for ch in a.changes:
            contracts.add_row(
                ch.contract_id, f"amendment {a.id}: {ch.action.value}", "", f"from {a.effective_month}"
            )

    demand = Table(title="Demand (average per month)", title_justify="left")
    demand.add_column("months")
    demand.add_column("fleets h100_eq", justify="right")
    demand.add_column("training runs (GPUs active)", justify="right")
    for lo, hi in _ranges(sc.horizon):
        months = range(lo, hi + 1)
        fleet = sum((f.need(m) for f in sc.fleets for m in months), Decimal(0)) / len(months)
        runs = ", ".join(
            f"{r.id} {r.gpus:,}"
            for r in sc.training_runs
            if r.earliest_start_month <= hi and r.latest_end_month >= lo
        )
        demand.add_row(
            f"{sc.calendar.label(lo)}..{sc.calendar.label(hi)} ({lo}-{hi})", f"{fleet:,.0f}", runs or "-"
        )
    return [providers, contracts, demand]


def register(app: typer.Typer) -> None:
    @app.command()
    def validate(
        file: Path = typer.Argument(..., help="Scenario YAML file."),
        quiet: bool = typer.Option(False, "--quiet", "-q", help="Print only problems."),
        json_path: Annotated[Path | None, json_option("the verdict (counts, or every problem)")] = None,
    ) -> None:
        """Check a scenario file; print a summary, or every problem as FILE:LINE:COL: field: message."""
        check_outputs([(json_path, "--json")])
        sc = load_or_exit(file, json_path)
        if json_path is not None:
            write_atomic(json_path, _dumps(summary_doc(sc)), "--json")
        if quiet:
            return
        console.print(f"[bold]{sc.id}[/bold]: {file} is valid")
        console.print(
            f"horizon {sc.horizon} months ({sc.calendar.label(1)}..{sc.calendar.label(sc.horizon)}), "
            f"{len(sc.providers)} providers, {len(sc.contracts)} contracts, {len(sc.amendments)} amendments, "
            f"{len(sc.fleets)} fleets, {len(sc.training_runs)} training runs"
        )
        for table in summary_tables(sc):
            console.print(table)
