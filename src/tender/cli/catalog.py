"""`tender catalog`: list the shipped GPU price catalog, cheapest accelerator-hour first."""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from rich.table import Table

    from tender.catalog import Offering

from tender.cli.output import check_outputs, console, err_console, fail_bad_input, json_option, write_atomic

JSON_KEYS = (
    "provider",
    "region",
    "zone",
    "instance_type",
    "accelerator",
    "accelerator_raw",
    "accelerator_count",
    "vcpus",
    "memory_gb",
    "on_demand_per_gpu_hour",
    "spot_per_gpu_hour",
    "flags",
)


def _parse_max_price(text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite() or value < 0:
        fail_bad_input(
            f"--max-price: expected a non-negative number of USD per accelerator-hour, got {text!r}"
        )
    return value


def _number(value: Decimal | None) -> str:
    """A Decimal as a JSON number with every digit it has (never through a float)."""
    return "null" if value is None else format(value, "f")


def _json_object(row: Offering) -> str:
    fields: dict[str, str] = {
        "provider": json.dumps(row.provider),
        "region": json.dumps(row.region),
        "zone": json.dumps(row.zone),
        "instance_type": json.dumps(row.instance_type),
        "accelerator": json.dumps(row.accelerator),
        "accelerator_raw": json.dumps(row.accelerator_raw),
        "accelerator_count": str(row.accelerator_count),
        "vcpus": _number(row.vcpus),
        "memory_gb": _number(row.memory_gb),
        "on_demand_per_gpu_hour": _number(row.on_demand_per_gpu_hour),
        "spot_per_gpu_hour": _number(row.spot_per_gpu_hour),
        "flags": json.dumps(list(row.flags)),
    }
    return "{" + ", ".join(f"{json.dumps(key)}: {fields[key]}" for key in JSON_KEYS) + "}"


def render_json(rows: tuple[Offering, ...]) -> str:
    """The rows as a JSON array of objects with the keys of `JSON_KEYS`, one object per line."""
    if not rows:
        return "[]"
    return "[\n" + ",\n".join(f"  {_json_object(row)}" for row in rows) + "\n]"


def _cell(value: Decimal | None) -> str:
    return "-" if value is None else format(value, "f")


def render_table(rows: tuple[Offering, ...], spot: bool, total: int) -> Table:
    from rich.table import Table

    kind = "spot" if spot else "on-demand"
    shown = f"{len(rows)} of {total}" if total != len(rows) else str(total)
    table = Table(title=f"{shown} offerings, cheapest {kind} USD per accelerator-hour first")
    for header in ("provider", "region", "zone", "instance type", "gpu"):
        table.add_column(header, overflow="fold")
    table.add_column("count", justify="right")
    table.add_column("$/gpu-h on-demand", justify="right")
    table.add_column("$/gpu-h spot", justify="right")
    table.add_column("flags", overflow="fold")
    for row in rows:
        table.add_row(
            row.provider,
            row.region or "-",
            row.zone or "-",
            row.instance_type or "-",
            row.accelerator,
            str(row.accelerator_count),
            _cell(row.on_demand_per_gpu_hour),
            _cell(row.spot_per_gpu_hour),
            ",".join(row.flags),
        )
    return table


def catalog(
    gpu: Annotated[
        str | None,
        typer.Option(metavar="NAME", help="Accelerator, any spelling (H100, a100-80gb, rtx pro 6000)."),
    ] = None,
    provider: Annotated[
        str | None, typer.Option(metavar="NAME", help="Provider name, case-insensitive (Lambda, AWS, ...).")
    ] = None,
    region: Annotated[
        str | None,
        typer.Option(metavar="REGION", help="Region exactly as the catalog spells it, case-insensitive."),
    ] = None,
    max_price: Annotated[
        str | None,
        typer.Option(metavar="USD", help="Highest USD per accelerator-hour (of the chosen price kind)."),
    ] = None,
    spot: Annotated[bool, typer.Option("--spot", help="Filter and sort by the spot price.")] = False,
    include_flagged: Annotated[
        bool,
        typer.Option(
            "--include-flagged", help="Also list rows with missing, placeholder or GPU-only prices."
        ),
    ] = False,
    json_path: Annotated[Path | None, json_option("the rows (an array of objects)")] = None,
    limit: Annotated[
        int | None, typer.Option(min=1, metavar="N", help="Print at most this many rows.")
    ] = None,
) -> None:
    """List GPU offerings from the shipped public price catalog, cheapest accelerator-hour first."""
    from tender.catalog import Query, UnknownGpuError, UnknownProviderError, search

    check_outputs([(json_path, "--json")])
    query = Query(
        gpu=gpu,
        provider=provider,
        region=region,
        max_price=_parse_max_price(max_price),
        spot=spot,
        include_flagged=include_flagged,
    )
    try:
        rows = search(query)
    except UnknownGpuError as error:
        fail_bad_input(f"--gpu: {error}")
    except UnknownProviderError as error:
        fail_bad_input(f"--provider: {error}")
    total = len(rows)
    if limit is not None:
        rows = rows[:limit]
    if json_path is not None:
        write_atomic(json_path, render_json(rows) + "\n", "--json")
    if not rows:
        err_console.print("no offerings match", markup=False)
        return
    console.print(render_table(rows, spot, total))


def register(app: typer.Typer) -> None:
    app.command(name="catalog")(catalog)
