"""Where pools come from: a pools YAML file, a `tender plan` JSON, a scenario month, or Philly.

Errors raise `PoolsError` naming the file, line and field.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from tender.config.yamlpos import InputError, Positions, load_yaml
from tender.domain import Scenario
from tender.placement import ContractRules, Pool
from tender.sim.faults import Fault
from tender.sim.traces import philly_vcs


class PoolsError(ValueError):
    pass


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PoolSpec(_Strict):
    id: str = Field(min_length=1)
    provider: str = Field(min_length=1)
    region: str = Field(min_length=1)
    gpu: str = Field(min_length=1)
    count: int = Field(ge=1)
    price_per_gpu_hour: Decimal = Field(ge=0)
    node_size: int = Field(default=8, ge=1)
    preemptible: bool = False
    backend: str | None = None
    speed: float = Field(default=1.0, gt=0)

    @field_validator("price_per_gpu_hour", mode="before")
    @classmethod
    def _no_float(cls, value: object) -> object:
        return str(value) if isinstance(value, float) else value


class FaultSpec(_Strict):
    pool: str
    start_s: float = Field(ge=0)
    end_s: float = Field(gt=0)
    kind: str = Field(default="outage", pattern="^(outage|spot)$")


class RulesSpec(_Strict):
    exclusivity: dict[str, str] = {}
    residency: dict[str, list[str]] = {}


class PoolsFile(_Strict):
    pools: list[PoolSpec] = Field(min_length=1)
    rules: RulesSpec = RulesSpec()
    faults: list[FaultSpec] = []


@dataclass(frozen=True)
class PoolSet:
    pools: tuple[Pool, ...]
    rules: ContractRules = field(default_factory=ContractRules)
    faults: tuple[Fault, ...] = ()


def load_pools_yaml(path: Path) -> PoolSet:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PoolsError(f"{path}: cannot read: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise PoolsError(f"{path}: not valid UTF-8 text (save the file as UTF-8)") from None
    try:  # the one bounded YAML loader (`tender.config.yamllimits`): aliases, depth and size limited
        data, positions = load_yaml(text, str(path))
    except InputError as exc:
        raise PoolsError("\n".join(str(p) for p in exc.problems)) from None
    lines = _line_map(positions)
    try:
        spec = PoolsFile.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            where = _nearest_line(lines, loc)
            dotted = ".".join(str(p) for p in loc) or "(top level)"
            problems.append(f"{path}:{where}: {dotted}: {err['msg']}")
        raise PoolsError("\n".join(problems)) from None
    return _build(spec, path, lines)


def _build(spec: PoolsFile, path: Path, lines: Mapping[tuple[Any, ...], int]) -> PoolSet:
    seen: set[str] = set()
    for i, p in enumerate(spec.pools):
        if p.id in seen:
            raise PoolsError(
                f"{path}:{_nearest_line(lines, ('pools', i, 'id'))}: pools.{i}.id: repeated id {p.id!r}"
            )
        seen.add(p.id)
    for i, f in enumerate(spec.faults):
        where = f"{path}:{_nearest_line(lines, ('faults', i, 'pool'))}: faults.{i}"
        if f.pool not in seen:
            raise PoolsError(f"{where}.pool: unknown pool {f.pool!r}")
        if f.end_s <= f.start_s:
            raise PoolsError(f"{where}.end_s: must be after start_s")
    pools = tuple(
        Pool(
            p.id,
            p.provider,
            p.region,
            p.gpu,
            p.count,
            p.price_per_gpu_hour,
            p.node_size,
            p.preemptible,
            p.backend,
            p.speed,
        )
        for p in spec.pools
    )
    rules = ContractRules(
        exclusivity=dict(spec.rules.exclusivity),
        residency={k: frozenset(v) for k, v in spec.rules.residency.items()},
    )
    faults = tuple(Fault(f.pool, f.start_s, f.end_s, f.kind) for f in spec.faults)
    return PoolSet(pools, rules, faults)


def _line_map(positions: Positions) -> dict[tuple[Any, ...], int]:
    lines = {path: line for path, (line, _col) in positions.marks.items()}
    lines |= {path: line for path, (line, _col) in positions.key_marks.items()}
    return lines


def _nearest_line(lines: Mapping[tuple[Any, ...], int], loc: tuple[Any, ...]) -> int:
    for cut in range(len(loc), -1, -1):
        if loc[:cut] in lines:
            return lines[loc[:cut]]
    return 1


def pools_from_plan(path: Path, month: int | None = None) -> tuple[Pool, ...]:
    """Pools from a `tender plan` JSON: awards (provider, region, gpu, month, gpus, rate) of one month
    (the first month with awards if `month` is None), one pool per (provider, region, gpu, rate)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PoolsError(f"{path}: cannot read: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise PoolsError(f"{path}:{exc.lineno}: not valid JSON ({exc.msg})") from None
    awards = data.get("awards") if isinstance(data, dict) else None
    if not isinstance(awards, list):
        raise PoolsError(f"{path}: awards: expected a list of awards")
    keys = ("provider", "region", "gpu", "month", "gpus", "rate_usd_per_gpu_hour")
    for i, award in enumerate(awards):
        for key in keys:
            if not isinstance(award, dict) or key not in award:
                raise PoolsError(f"{path}: awards.{i}.{key}: missing")
    months = sorted({int(a["month"]) for a in awards})
    if not months:
        raise PoolsError(f"{path}: awards: empty")
    chosen = months[0] if month is None else month
    totals: dict[tuple[str, str, str, str], int] = {}
    for a in awards:
        if int(a["month"]) == chosen:
            group = (str(a["provider"]), str(a["region"]), str(a["gpu"]), str(a["rate_usd_per_gpu_hour"]))
            totals[group] = totals.get(group, 0) + int(a["gpus"])
    if not totals:
        raise PoolsError(f"{path}: awards: none in month {chosen} (months with awards: {months})")
    return _numbered(
        (prov, region, gpu, Decimal(rate), n) for (prov, region, gpu, rate), n in sorted(totals.items())
    )


def pools_from_scenario(scenario: Scenario, month: int) -> tuple[Pool, ...]:
    """Existing capacity of every provider at `month`, priced at contract (else on-demand) rates."""
    rows = []
    for provider_id, provider in sorted(scenario.providers.items()):
        for gpu, region in provider.gpu_region_pairs():
            count = provider.existing_gpus(gpu, region, month)
            rates = provider.rates.get(gpu)
            price = (
                None if rates is None else (rates.contract if rates.contract is not None else rates.on_demand)
            )
            if count > 0:
                rows.append((provider_id, region, gpu, price if price is not None else Decimal(0), count))
    pools = _numbered(rows)
    speeds = {name: float(acc.h100_eq) for name, acc in scenario.accelerators.items()}
    return tuple(
        Pool(p.id, p.provider, p.region, p.gpu, p.count, p.price_per_gpu_hour, speed=speeds.get(p.gpu, 1.0))
        for p in pools
    )


def _numbered(rows: Any) -> tuple[Pool, ...]:
    pools: list[Pool] = []
    seen: dict[str, int] = {}
    for provider, region, gpu, price, count in rows:
        base = f"{provider}/{region}/{gpu}"
        seen[base] = seen.get(base, 0) + 1
        pool_id = base if seen[base] == 1 else f"{base}#{seen[base]}"
        pools.append(Pool(pool_id, provider, region, gpu, count, price))
    return tuple(pools)


PHILLY_PRICE = Decimal("1.00")  # nominal: the trace has no prices; cost columns are GPU-hours x $1


def philly_pools(per_vc: bool = False) -> tuple[Pool, ...]:
    """Philly as the Helios artifact sizes it: 352 8-GPU nodes (2,816 GPUs), one pool or one per VC."""
    vcs: Sequence[tuple[str, int]] = philly_vcs()
    if not per_vc:
        total = sum(nodes for _, nodes in vcs) * 8
        return (Pool("philly", "philly", "msr", "gpu", total, PHILLY_PRICE),)
    return tuple(Pool(f"philly/{vc}", "philly", vc, "gpu", nodes * 8, PHILLY_PRICE) for vc, nodes in vcs)
