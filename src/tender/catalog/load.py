"""Parse the shipped price CSV into `Offering` rows (exact Decimals, canonical names, flags).

Flag rules (decided from the data; see PROVENANCE.md for the figures):

1. ``missing_price``: both price columns empty (AWS p5e in some AZs, Azure MI25 in ``westus``).
2. ``spot_only``: spot present, on-demand empty (PrimeIntellect ``*_SPOT`` SKUs, Verda B200/B300
   and one RTX PRO 6000 SKU, AWS p5e where only spot is quoted).
3. ``placeholder_price``: on-demand and spot both exactly 1 USD per accelerator-hour and equal to
   each other. In this data that is precisely Mithril's 1.0/8.0-per-instance rows; real 1.00 USD
   prices (Hyperstack/Crusoe L40/L40S) have no spot price and are not caught.
4. ``gpu_only_price``: every GCP row (SkyPilot prices GCP accelerators apart from the host VM).
5. ``empty_region``: the region column is empty (some Seeweb rows).
6. ``suspect_accelerator_count`` / ``fractional_gpu``: the errata table below, SKUs whose
   accelerator count in the source makes the per-accelerator-hour price wrong.
"""

from __future__ import annotations

import csv
import functools
import io
from decimal import ROUND_HALF_EVEN, Context, Decimal, InvalidOperation
from importlib import resources
from types import MappingProxyType

from tender.catalog.names import RAW_TO_CANONICAL
from tender.catalog.offering import (
    EMPTY_REGION,
    FRACTIONAL_GPU,
    GPU_ONLY_PRICE,
    MISSING_PRICE,
    PLACEHOLDER_PRICE,
    SPOT_ONLY,
    SUSPECT_COUNT,
    Offering,
)

DATA_FILE = "gpu_offerings.csv"
HEADER = (
    "provider",
    "region",
    "zone",
    "instance_type",
    "accelerator",
    "accelerator_count",
    "vcpus",
    "memory_gb",
    "price_per_hour",
    "spot_price_per_hour",
)

# (provider, instance_type) -> flag, for SKUs whose accelerator count in the source is misleading.
ERRATA: MappingProxyType[tuple[str, str], str] = MappingProxyType(
    {
        # Azure documents 8 H100 per ND96isr_H100_v5; the source says 12 (price / 12 is too cheap).
        ("Azure", "Standard_ND96isr_H100_v5"): SUSPECT_COUNT,
        # NVv4 slices one MI25: NV4as = 1/8, NV8as = 1/4, NV16as = 1/2 (NV32as is the whole card).
        ("Azure", "Standard_NV4as_v4"): FRACTIONAL_GPU,
        ("Azure", "Standard_NV8as_v4"): FRACTIONAL_GPU,
        ("Azure", "Standard_NV16as_v4"): FRACTIONAL_GPU,
    }
)

GPU_ONLY_PROVIDERS = frozenset({"GCP"})

# Division context: 28 significant digits, half-even; exact for every terminating quotient here.
_DIVIDE = Context(prec=28, rounding=ROUND_HALF_EVEN)
_ONE = Decimal(1)


class CatalogError(ValueError):
    """A malformed catalog row; the message names the source, line and field."""


def _decimal(text: str, source: str, line: int, field: str) -> Decimal | None:
    text = text.strip()
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise CatalogError(f"{source}:{line}: {field}: not a number: {text!r}") from None
    if not value.is_finite() or value < 0:
        raise CatalogError(f"{source}:{line}: {field}: expected a non-negative number, got {text!r}")
    return value


def _price(text: str, source: str, line: int, field: str) -> Decimal | None:
    value = _decimal(text, source, line, field)
    if value is not None and value == 0:
        raise CatalogError(f"{source}:{line}: {field}: a price of zero is not a price; leave it empty")
    return value


def _count(text: str, source: str, line: int) -> int:
    try:
        count = int(text.strip())
    except ValueError:
        raise CatalogError(f"{source}:{line}: accelerator_count: not an integer: {text!r}") from None
    if count <= 0:
        raise CatalogError(f"{source}:{line}: accelerator_count: expected a positive integer, got {count}")
    return count


def per_accelerator(price: Decimal | None, count: int) -> Decimal | None:
    """An instance price divided by its accelerator count, as an exact Decimal (None stays None)."""
    return None if price is None else _DIVIDE.divide(price, Decimal(count))


def row_flags(
    provider: str,
    region: str,
    instance_type: str,
    on_demand: Decimal | None,
    spot: Decimal | None,
) -> tuple[str, ...]:
    """The reason codes of one row (per-accelerator-hour prices), in `ALL_FLAGS` order."""
    flags: list[str] = []
    if on_demand is None and spot is None:
        flags.append(MISSING_PRICE)
    if on_demand is None and spot is not None:
        flags.append(SPOT_ONLY)
    if on_demand is not None and on_demand == _ONE and spot == on_demand:
        flags.append(PLACEHOLDER_PRICE)
    if provider in GPU_ONLY_PROVIDERS:
        flags.append(GPU_ONLY_PRICE)
    if not region:
        flags.append(EMPTY_REGION)
    erratum = ERRATA.get((provider, instance_type))
    if erratum is not None:
        flags.append(erratum)
    return tuple(flags)


def _offering(fields: list[str], source: str, line: int) -> Offering:
    if len(fields) != len(HEADER):
        raise CatalogError(f"{source}:{line}: expected {len(HEADER)} fields, got {len(fields)}")
    provider, region, zone, instance_type, raw = (value.strip() for value in fields[:5])
    if not provider:
        raise CatalogError(f"{source}:{line}: provider: empty")
    accelerator = RAW_TO_CANONICAL.get(raw)
    if accelerator is None:
        raise CatalogError(f"{source}:{line}: accelerator: {raw!r} is not in names.RAW_TO_CANONICAL")
    count = _count(fields[5], source, line)
    on_demand = _price(fields[8], source, line, "price_per_hour")
    spot = _price(fields[9], source, line, "spot_price_per_hour")
    on_demand_per_gpu = per_accelerator(on_demand, count)
    spot_per_gpu = per_accelerator(spot, count)
    return Offering(
        provider=provider,
        region=region,
        zone=zone,
        instance_type=instance_type,
        accelerator=accelerator,
        accelerator_raw=raw,
        accelerator_count=count,
        vcpus=_decimal(fields[6], source, line, "vcpus"),
        memory_gb=_decimal(fields[7], source, line, "memory_gb"),
        on_demand_per_gpu_hour=on_demand_per_gpu,
        spot_per_gpu_hour=spot_per_gpu,
        on_demand_per_instance_hour=on_demand,
        spot_per_instance_hour=spot,
        flags=row_flags(provider, region, instance_type, on_demand_per_gpu, spot_per_gpu),
        line=line,
    )


def parse_offerings(text: str, source: str = DATA_FILE) -> tuple[Offering, ...]:
    """Parse catalog CSV text (header + rows) into offerings, in file order.

    Raises CatalogError naming ``source``, the line and the field for any malformed row.
    """
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None or tuple(name.strip() for name in header) != HEADER:
        raise CatalogError(f"{source}:1: expected header {','.join(HEADER)}")
    offerings: list[Offering] = []
    for fields in reader:
        if not fields:
            continue
        offerings.append(_offering(fields, source, reader.line_num))
    return tuple(offerings)


def _shipped_text() -> str:
    return resources.files("tender.catalog").joinpath("data").joinpath(DATA_FILE).read_text(encoding="utf-8")


@functools.lru_cache(maxsize=1)
def load_offerings() -> tuple[Offering, ...]:
    """Every offering of the shipped catalog (``tender/catalog/data/gpu_offerings.csv``), parsed once."""
    return parse_offerings(_shipped_text(), f"tender/catalog/data/{DATA_FILE}")


@functools.lru_cache(maxsize=1)
def provider_names() -> tuple[str, ...]:
    """The shipped catalog's provider names, sorted case-insensitively, read from the provider column
    alone: `query.providers()` without parsing every row's prices (a scenario's SkyPilot check)."""
    reader = csv.reader(io.StringIO(_shipped_text(), newline=""))
    next(reader, None)
    names = {fields[0].strip() for fields in reader if fields}
    return tuple(sorted(names, key=lambda name: (name.lower(), name)))
