"""What `tender validate` prints and writes for a valid scenario: the counts (`--json`), two lines and
three Rich tables. Imports neither Typer nor the scenario loader (`validate_quick` runs it without them)."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tender.cli.output import console

if TYPE_CHECKING:
    from rich.table import Table

    from tender.domain import Scenario


def print_summary(sc: Scenario, file: Path) -> None:
    """`FILE is valid`, the horizon and counts, then the providers, contracts and demand tables."""
    console.print(f"[bold]{sc.id}[/bold]: {file} is valid")
    console.print(
        f"horizon {sc.horizon} months ({sc.calendar.label(1)}..{sc.calendar.label(sc.horizon)}), "
        f"{len(sc.providers)} providers, {len(sc.contracts)} contracts, {len(sc.amendments)} amendments, "
        f"{len(sc.fleets)} fleets, {len(sc.training_runs)} training runs"
    )
    for table in summary_tables(sc):
        console.print(table)


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
