"""From a FOCUS row to provider x region x accelerator x spend category, and its GPU-hours.

1. `load_mapping(path)` reads the mapping YAML (docs/actuals.md): `provider`, `providers`
   (ProviderName -> scenario provider), `regions` (RegionId -> scenario region), `skus`
   (SKU id or instance type -> `{accelerator, count, quantity, spend_category}`), `key_columns`
   and `spend_categories` (PricingCategory -> eligible-spend category). A bad entry raises
   `ActualsError` naming the file and the field path.
2. Defaults: every instance type of the shipped catalog (`tender.catalog`) maps to its accelerator
   and count (`p5.48xlarge` -> 8 x H100); entries of the mapping file win.
3. `Mapping.resolve(row)`: the first non-null key column whose value (or the part after its last
   `:`, as in `USE1-BoxUsage:p5.48xlarge`) is mapped names the SKU; a row with a key value that
   nothing maps is an error (`unmapped SKU`); a row with no key value (a tax line, a commitment
   purchase) is spend without GPU-hours.
4. Spend category (what `eligible_spend` of a commitment names): `tax` for a Tax row; else the
   SKU's `spend_category`; else `compute_contract` for a Purchase; else `spend_categories` of the
   PricingCategory (Standard -> compute_on_demand, Committed -> compute_contract, Dynamic ->
   compute_spot); else compute_contract.
5. GPU-hours: `quantity: instance_hours` (default) = ConsumedQuantity (else PricingQuantity) in an
   hour unit x `count`; `quantity: gpu_hours` takes the quantity as GPU-hours.
"""

from __future__ import annotations

from collections.abc import Mapping as MappingT
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from tender.catalog import load_offerings
from tender.catalog.offering import FRACTIONAL_GPU, SUSPECT_COUNT
from tender.ledger.actuals.focus_read import KNOWN, ActualsError, FocusRow

NO_ACCELERATOR = ""
HOUR_UNITS = frozenset(
    {"hour", "hours", "hr", "hrs", "h", "instance-hour", "instance-hours", "instance hours"}
)
GPU_HOUR_UNITS = frozenset({"gpu-hour", "gpu-hours", "gpu hours", "gpu hour", "gpuhour", "gpuhours"})
QUANTITY_KINDS = ("instance_hours", "gpu_hours")
DEFAULT_KEY_COLUMNS = ("SkuId", "ResourceType", "x_InstanceType", "x_UsageType")
DEFAULT_SPEND_CATEGORIES: MappingProxyType[str, str] = MappingProxyType(
    {"Standard": "compute_on_demand", "Committed": "compute_contract", "Dynamic": "compute_spot"}
)
OTHER_CATEGORY = "compute_contract"  # a Purchase, or a row with no known PricingCategory
TAX_CATEGORY = "tax"


@dataclass(frozen=True)
class SkuMap:
    accelerator: str  # NO_ACCELERATOR for spend that holds no accelerator (storage, support)
    count: int = 1
    quantity: str = "instance_hours"
    spend_category: str | None = None
    source: str = "mapping"  # mapping | catalog


@dataclass(frozen=True)
class Resolved:
    provider: str
    region: str
    sku: str
    accelerator: str
    gpu_hours: Decimal
    spend_category: str


@dataclass(frozen=True)
class Mapping:
    source: str = "(defaults)"
    provider: str | None = None
    providers: MappingT[str, str] = field(default_factory=dict)
    regions: MappingT[str, str] = field(default_factory=dict)
    skus: MappingT[str, SkuMap] = field(default_factory=dict)
    key_columns: tuple[str, ...] = DEFAULT_KEY_COLUMNS
    spend_categories: MappingT[str, str] = field(default_factory=lambda: dict(DEFAULT_SPEND_CATEGORIES))

    def sku_of(self, value: str) -> tuple[str, SkuMap] | None:
        for key in (value, value.rsplit(":", 1)[-1]):
            hit = self.skus.get(key) or catalog_skus().get(key)
            if hit is not None:
                return key, hit
        return None

    def resolve(self, row: FocusRow, file: str, provider_flag: str | None) -> Resolved:
        provider = self._provider(row, file, provider_flag)
        region_id = row.get("RegionId") or row.get("RegionName") or ""
        region = self.regions.get(region_id, region_id)
        sku, hit, column = "", SkuMap(NO_ACCELERATOR), ""
        for column in self.key_columns:
            value = row.get(column) if not column.startswith("x_") else _null(row.extra.get(column))
            if value is None:
                continue
            found = self.sku_of(value.strip())
            if found is None:
                raise ActualsError(
                    file,
                    row.line,
                    column,
                    f"unmapped SKU {value!r}: add it under `skus:` in the mapping file (--mapping)",
                )
            sku, hit = found
            break
        gpu_hours = _gpu_hours(row, hit, file) if hit.accelerator else Decimal(0)
        return Resolved(provider, region, sku, hit.accelerator, gpu_hours, self._category(row, hit))

    def _provider(self, row: FocusRow, file: str, flag: str | None) -> str:
        if flag or self.provider:
            return flag or self.provider or ""
        name = row.get("ProviderName")
        if name is None:
            raise ActualsError(file, row.line, "ProviderName", "empty; give --provider NAME or a mapping")
        return self.providers.get(name, name)

    def _category(self, row: FocusRow, hit: SkuMap) -> str:
        if row.charge_category == "Tax":
            return TAX_CATEGORY
        if hit.spend_category:
            return hit.spend_category
        if row.charge_category == "Purchase":  # a commitment or reservation bought
            return OTHER_CATEGORY
        pricing = row.get("PricingCategory")
        return self.spend_categories.get(pricing or "", OTHER_CATEGORY)


def _null(value: str | None) -> str | None:
    return None if value is None or value.strip() in ("", "null", "NULL", "Null") else value


def _gpu_hours(row: FocusRow, hit: SkuMap, file: str) -> Decimal:
    for qty_col, unit_col in (("ConsumedQuantity", "ConsumedUnit"), ("PricingQuantity", "PricingUnit")):
        quantity = row.decimal(qty_col, file)
        unit = (row.get(unit_col) or "").strip().lower()
        if quantity is None:
            continue
        if unit in GPU_HOUR_UNITS or (hit.quantity == "gpu_hours" and unit in HOUR_UNITS | {""}):
            return quantity
        if unit in HOUR_UNITS:
            return quantity * hit.count
    return Decimal(0)


@cache
def catalog_skus() -> MappingProxyType[str, SkuMap]:
    """Instance type -> accelerator and count from the shipped catalog (ambiguous or flagged left out)."""
    seen: dict[str, set[tuple[str, int]]] = {}
    for o in load_offerings():
        if {SUSPECT_COUNT, FRACTIONAL_GPU}.intersection(o.flags) or not o.instance_type:
            continue
        seen.setdefault(o.instance_type, set()).add((o.accelerator, o.accelerator_count))
    return MappingProxyType(
        {
            name: SkuMap(gpu, count, source="catalog")
            for name, ((gpu, count),) in ((n, tuple(v)) for n, v in sorted(seen.items()) if len(v) == 1)
        }
    )


def _fail(path: str, field_path: str, problem: str) -> ActualsError:
    return ActualsError(path, 0, field_path, problem)


def _str_map(doc: dict[str, Any], key: str, path: str) -> dict[str, str]:
    value = doc.get(key) or {}
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise _fail(path, key, "expected a mapping of names to names")
    return {str(k): v for k, v in value.items()}


def _sku(name: str, body: Any, path: str) -> SkuMap:
    where = f"skus.{name}"
    if not isinstance(body, dict):
        raise _fail(path, where, "expected {accelerator: NAME, count: N}")
    unknown = sorted(set(body) - {"accelerator", "count", "quantity", "spend_category"})
    if unknown:
        raise _fail(path, f"{where}.{unknown[0]}", "unknown field")
    gpu = body.get("accelerator")
    gpu = NO_ACCELERATOR if gpu in (None, "none") else gpu
    count = body.get("count", 1)
    quantity = body.get("quantity", "instance_hours")
    category = body.get("spend_category")
    if not isinstance(gpu, str):
        raise _fail(path, f"{where}.accelerator", "expected an accelerator name or none")
    if not isinstance(count, int) or isinstance(count, bool) or count < 1:
        raise _fail(path, f"{where}.count", f"expected a positive integer, got {count!r}")
    if quantity not in QUANTITY_KINDS:
        raise _fail(path, f"{where}.quantity", f"expected one of {', '.join(QUANTITY_KINDS)}")
    if category is not None and not isinstance(category, str):
        raise _fail(path, f"{where}.spend_category", "expected a category name")
    return SkuMap(gpu, count, quantity, category)


def load_mapping(path: Path | None) -> Mapping:
    if path is None:
        return Mapping()
    where = str(path)
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise _fail(where, "-", f"cannot read ({exc.strerror or exc})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 0
        raise ActualsError(where, line, "-", f"invalid YAML: {getattr(exc, 'problem', exc)}") from None
    if not isinstance(doc, dict):
        raise _fail(where, "-", "expected a mapping at the top level")
    unknown = sorted(
        set(doc) - {"provider", "providers", "regions", "skus", "key_columns", "spend_categories"}
    )
    if unknown:
        raise _fail(where, unknown[0], "unknown field")
    skus = doc.get("skus") or {}
    if not isinstance(skus, dict):
        raise _fail(where, "skus", "expected a mapping of SKU ids to {accelerator, count}")
    keys = doc.get("key_columns", list(DEFAULT_KEY_COLUMNS))
    if not isinstance(keys, list) or not keys or not all(isinstance(k, str) for k in keys):
        raise _fail(where, "key_columns", "expected a list of column names")
    for i, key in enumerate(keys):
        if key not in KNOWN and not key.startswith("x_"):
            raise _fail(
                where, f"key_columns[{i}]", f"{key!r} is neither a FOCUS column Tender reads nor an x_ column"
            )
    provider = doc.get("provider")
    if provider is not None and not isinstance(provider, str):
        raise _fail(where, "provider", "expected a provider id")
    categories = dict(DEFAULT_SPEND_CATEGORIES) | _str_map(doc, "spend_categories", where)
    return Mapping(
        source=where,
        provider=provider,
        providers=_str_map(doc, "providers", where),
        regions=_str_map(doc, "regions", where),
        skus={str(k): _sku(str(k), v, where) for k, v in skus.items()},
        key_columns=tuple(keys),
        spend_categories=categories,
    )
