"""Where jobs can run: pools (provider x region x GPU type, a GPU count and a backend) plus contract rules.

1. `from_scenario(scenario)`: one pool per (accelerator, region) of every provider that names a `backend`;
   GPUs from the backend's `gpus` option, else the provider's capacity in month 1. Workload exclusivity
   clauses become `ContractRules.exclusivity` (workload or class -> the only provider allowed).
   A pool's price per GPU-hour is the provider's contract rate for that accelerator, else on-demand, else 0.
2. `load_pools_file(path)`: the same from a small YAML (`pools:` list with an optional exact
   `price_per_gpu_hour`, optional `exclusivity:` map).
3. `to_json` / `from_json`: the runtime keeps the configuration it was started with in its database.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from tender.config.yamlpos import InputError, Problem, load_yaml
from tender.domain.contract import WorkloadExclusivity
from tender.domain.provider import BackendSpec
from tender.domain.scenario import Scenario
from tender.placement import ContractRules, Pool

_ZERO = Decimal(0)


@dataclass(frozen=True)
class PoolConfig:
    id: str
    provider: str
    region: str
    gpu: str
    gpus: int
    backend: BackendSpec
    price_per_gpu_hour: Decimal = _ZERO  # USD, what metered GPU-hours cost in the ledger

    def placement_pool(self, count: int | None = None) -> Pool:
        return Pool(
            id=self.id,
            provider=self.provider,
            region=self.region,
            gpu=self.gpu.lower(),
            count=self.gpus if count is None else count,
            price_per_gpu_hour=self.price_per_gpu_hour,
            backend=self.backend.kind,
        )


@dataclass(frozen=True)
class RuntimeConfig:
    pools: tuple[PoolConfig, ...]
    exclusivity: dict[str, str] = field(default_factory=dict)
    residency: dict[str, frozenset[str]] = field(default_factory=dict)

    def rules(self) -> ContractRules:
        return ContractRules(exclusivity=dict(self.exclusivity), residency=dict(self.residency))

    def pool(self, pool_id: str) -> PoolConfig | None:
        return next((p for p in self.pools if p.id == pool_id), None)

    def gpu_types(self) -> frozenset[str]:
        return frozenset(p.gpu for p in self.pools)


def from_scenario(scenario: Scenario) -> RuntimeConfig:
    pools: list[PoolConfig] = []
    for provider in sorted(scenario.providers.values(), key=lambda p: p.id):
        if provider.backend is None:
            continue
        for gpu, region in provider.gpu_region_pairs():
            explicit = provider.backend.options.get("gpus")
            count = int(explicit) if explicit else provider.existing_gpus(gpu, region, 1)
            rates = provider.rates.get(gpu)
            price = (rates.contract or rates.on_demand or _ZERO) if rates else _ZERO
            pools.append(
                PoolConfig(
                    f"{provider.id}/{gpu}/{region}", provider.id, region, gpu, count, provider.backend, price
                )
            )
    exclusivity: dict[str, str] = {}
    for contract in scenario.contracts:
        if isinstance(contract, WorkloadExclusivity) and contract.effective_to_month is None:
            for key in (*contract.workloads, *contract.workload_classes):
                exclusivity[key] = contract.provider
    return RuntimeConfig(tuple(pools), exclusivity)


class _BackendIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    kind: Literal["local", "slurm", "ray", "fake"]
    partition: str | None = None
    address: str | None = None
    gpus: int | None = Field(default=None, gt=0)
    log_dir: str | None = None


class _PoolIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    id: str = Field(min_length=1)
    provider: str = Field(min_length=1)
    region: str = "local"
    gpu: str = Field(min_length=1)
    gpus: int = Field(gt=0)
    backend: _BackendIn
    price_per_gpu_hour: Decimal = Field(default=_ZERO, ge=0)

    @field_validator("price_per_gpu_hour", mode="before")
    @classmethod
    def _exact_price(cls, value: object) -> object:
        """YAML `2.49` is a float: take its shortest text, never its binary value; then exact Decimal."""
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            return value
        try:
            return Decimal(repr(value) if isinstance(value, float) else str(value))
        except InvalidOperation:
            raise ValueError(f"not a number: {value!r}") from None


class _PoolsFileIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    pools: list[_PoolIn] = Field(min_length=1)
    exclusivity: dict[str, str] = {}


def load_pools_text(text: str, file: str) -> RuntimeConfig:
    data, positions = load_yaml(text, file)
    try:
        parsed = _PoolsFileIn.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            line, col = positions.locate(loc)
            problems.append(Problem(file, line, col, ".".join(str(p) for p in loc), err["msg"]))
        raise InputError(problems) from None
    pools = tuple(
        PoolConfig(
            p.id,
            p.provider,
            p.region,
            p.gpu,
            p.gpus,
            BackendSpec(
                p.backend.kind,
                {k: str(v) for k, v in p.backend.model_dump(exclude={"kind"}).items() if v is not None},
            ),
            p.price_per_gpu_hour,
        )
        for p in parsed.pools
    )
    return RuntimeConfig(pools, dict(parsed.exclusivity))


def load_pools_file(path: str) -> RuntimeConfig:
    try:
        text = Path(path).read_text()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(
            [Problem(path, 1, 1, "", f"cannot read: {getattr(exc, 'strerror', None) or exc}")]
        ) from None
    return load_pools_text(text, path)


def to_json(config: RuntimeConfig) -> str:
    return json.dumps(
        {
            "pools": [
                {
                    "id": p.id,
                    "provider": p.provider,
                    "region": p.region,
                    "gpu": p.gpu,
                    "gpus": p.gpus,
                    "backend": {"kind": p.backend.kind, "options": dict(p.backend.options)},
                    "price_per_gpu_hour": str(p.price_per_gpu_hour),
                }
                for p in config.pools
            ],
            "exclusivity": config.exclusivity,
            "residency": {k: sorted(v) for k, v in config.residency.items()},
        },
        sort_keys=True,
    )


def from_json(text: str) -> RuntimeConfig:
    raw = json.loads(text)
    pools = tuple(
        PoolConfig(
            p["id"],
            p["provider"],
            p["region"],
            p["gpu"],
            int(p["gpus"]),
            BackendSpec(p["backend"]["kind"], dict(p["backend"]["options"])),
            Decimal(p.get("price_per_gpu_hour", "0")),
        )
        for p in raw["pools"]
    )
    residency = {k: frozenset(v) for k, v in raw.get("residency", {}).items()}
    return RuntimeConfig(pools, dict(raw.get("exclusivity", {})), residency)
