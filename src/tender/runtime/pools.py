"""Where jobs can run: pools (provider x region x GPU type, a GPU count and a backend) plus contract rules.

1. `from_scenario(text, name)`: one pool per (accelerator, region) of every provider that names a `backend`
   (none at all is an `InputError`: the scenario would configure no pool);
   GPUs from the backend's `gpus` option, else the provider's capacity in month 1. The scenario's text is
   kept with the pools, and every round asks the contract engine (`ScenarioEligibility`) about each
   (job, pool) in the month that round falls in: exclusivity, residency and amendments, with clause ids.
   A pool's price per GPU-hour is the provider's contract rate for that accelerator, else on-demand, else 0.
2. `load_pools_file(path)`: the same from a pools file, read by `tender.config.pools` (the one pools format
   and loader, shared with `tender simulate --pools`): every pool names a `backend:`; an optional exact
   `price_per_gpu_hour`; `rules: {exclusivity, residency}` (or the old top-level `exclusivity:`).
3. `to_json` / `from_json`: the runtime keeps the configuration it was started with in its database.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from decimal import Decimal

from tender.config import load_scenario_text
from tender.config import pools as config_pools
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


def load_pools_text(text: str, file: str) -> RuntimeConfig:
    """A pools file's text (`tender.config.pools`, the one format and loader), every pool with a backend."""
    return _config(config_pools.load_pools_text(text, file, need_backend=True))


def load_pools_file(path: str) -> RuntimeConfig:
    """A pools file (`tender.config.pools`); raises `InputError` naming file, line, column and field."""
    return _config(config_pools.load_pools_file(path, need_backend=True))


def _config(parsed: config_pools.PoolsFileIn) -> RuntimeConfig:
    """The runtime's part of a pools file: pools with their engines, and the plain contract rules
    (simulation-only fields — `node_size`, `preemptible`, `speed`, `faults:` — are not used here)."""
    pools = []
    for p in parsed.pools:
        assert p.backend is not None  # need_backend=True refused a pool without one
        backend = BackendSpec(p.backend.kind, p.backend.options())
        pools.append(PoolConfig(p.id, p.provider, p.region, p.gpu, p.size, backend, p.price_per_gpu_hour))
    rules = parsed.contract_rules()
    residency = {k: frozenset(v) for k, v in rules.residency.items()}
    return RuntimeConfig(tuple(pools), dict(rules.exclusivity), residency)


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
