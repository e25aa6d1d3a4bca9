"""Where jobs can run: pools (provider x region x GPU type, a GPU count and a backend) plus contract rules.

1. `from_scenario(text, name)`: one pool per (accelerator, region) of every provider that names a `backend`
   (none at all is an `InputError`: the scenario would configure no pool);
   GPUs from the backend's `gpus` option, else the provider's capacity in month 1. The scenario's text is
   kept with the pools, and every round asks the contract engine (`ScenarioEligibility`) about each
   (job, pool) in the month that round falls in: exclusivity, residency and amendments, with clause ids.
   A pool's price per GPU-hour is the provider's contract rate for that accelerator, else on-demand, else 0.
2. `load_pools_file(path)`: the same from a small YAML (`pools:` list with an optional exact
   `price_per_gpu_hour`, optional `exclusivity:` map).
3. `to_json` / `from_json`: the runtime keeps the configuration it was started with in its database.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from tender.config import load_scenario_text
from tender.config.yamlpos import InputError, Problem, load_yaml
from tender.domain.provider import BackendSpec
from tender.domain.scenario import Scenario
from tender.placement import ContractRules, Eligibility, JobRequest, Pool, Verdict
from tender.placement.contract_gate import ScenarioEligibility

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
    scenario_text: str | None = None  # pools from a scenario: its clauses decide eligibility

    def rules(self, now: float) -> Eligibility:
        """Contract eligibility for a round at `now` (epoch seconds): the contract engine for scenario pools, else the
        plain `exclusivity:` / `residency:` maps of a pools file."""
        if self.scenario_text is None:
            return ContractRules(exclusivity=dict(self.exclusivity), residency=dict(self.residency))
        scenario = _scenario(self.scenario_text)
        month = min(max(scenario.calendar.month_of(datetime.fromtimestamp(now, UTC)), 1), scenario.horizon)
        gate = ScenarioEligibility(scenario, month)
        by_id = {p.id: p for p in self.pools}

        def eligible(job: JobRequest, pool: Pool) -> Verdict:
            conf = by_id.get(pool.id)  # the scenario's own accelerator name (placement pools are lower-case)
            return gate(job, replace(pool, gpu=conf.gpu) if conf is not None else pool)

        return eligible

    def pool(self, pool_id: str) -> PoolConfig | None:
        return next((p for p in self.pools if p.id == pool_id), None)

    def gpu_types(self) -> frozenset[str]:
        return frozenset(p.gpu for p in self.pools)


def from_scenario(text: str, name: str) -> RuntimeConfig:
    scenario = load_scenario_text(text, name)
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
    # No provider names a `backend:`: an empty configuration; `open_state` refuses to store it (and says why)
    # unless asked to.
    return RuntimeConfig(tuple(pools), scenario_text=text)


@functools.lru_cache(maxsize=4)
def _scenario(text: str) -> Scenario:
    return load_scenario_text(text, "runtime scenario")


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
            "scenario": config.scenario_text,
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
    return RuntimeConfig(pools, dict(raw.get("exclusivity", {})), residency, raw.get("scenario"))
