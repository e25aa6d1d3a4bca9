"""Where pools come from: a pools YAML file, a `tender plan` JSON, a scenario month, or Philly.

Every problem is a `tender.config.errors.InputError` naming the file (line and column where the input has
them) and the field.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from tender.config.errors import InputError, Problem
from tender.config.pools import load_pools_file
from tender.domain import Scenario
from tender.placement import ContractRules, Pool
from tender.sim.faults import Fault
from tender.sim.traces import philly_vcs


@dataclass(frozen=True)
class PoolSet:
    pools: tuple[Pool, ...]
    rules: ContractRules = field(default_factory=ContractRules)
    faults: tuple[Fault, ...] = ()


def load_pools_yaml(path: Path) -> PoolSet:
    """A pools file (`tender.config.pools`, the one format and loader) as the simulator's pools, rules, faults."""
    spec = load_pools_file(str(path))
    pools = tuple(
        Pool(
            p.id,
            p.provider,
            p.region,
            p.gpu,
            p.size,
            p.price_per_gpu_hour,
            p.node_size,
            p.preemptible,
            p.backend.kind if p.backend is not None else None,
            p.speed,
        )
        for p in spec.pools
    )
    rules = spec.contract_rules()
    contract = ContractRules(
        exclusivity=dict(rules.exclusivity),
        residency={k: frozenset(v) for k, v in rules.residency.items()},
    )
    faults = tuple(Fault(f.pool, f.start_s, f.end_s, f.kind) for f in spec.faults)
    return PoolSet(pools, contract, faults)


def _bad(path: Path, field_path: str, message: str, line: int = 0, column: int = 0) -> InputError:
    return InputError([Problem(str(path), line, column, field_path, message)])


def pools_from_plan(path: Path, month: int | None = None) -> tuple[Pool, ...]:
    """Pools from a `tender plan` JSON: awards (provider, region, gpu, month, gpus, rate) of one month
    (the first month with awards if `month` is None), one pool per (provider, region, gpu, rate)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise _bad(path, "", f"cannot read ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise _bad(path, "", "not valid UTF-8 text (give a `tender plan --json` file)") from None
    except json.JSONDecodeError as exc:
        raise _bad(path, "", f"not valid JSON ({exc.msg})", exc.lineno, exc.colno) from None
    awards = data.get("awards") if isinstance(data, dict) else None
    if not isinstance(awards, list):
        raise _bad(path, "awards", "expected a list of awards")
    keys = ("provider", "region", "gpu", "month", "gpus", "rate_usd_per_gpu_hour")
    for i, award in enumerate(awards):
        for key in keys:
            if not isinstance(award, dict) or key not in award:
                raise _bad(path, f"awards[{i}].{key}", "missing")
    months = sorted({int(a["month"]) for a in awards})
    if not months:
        raise _bad(path, "awards", "empty")
    chosen = months[0] if month is None else month
    totals: dict[tuple[str, str, str, str], int] = {}
    for a in awards:
        if int(a["month"]) == chosen:
            group = (str(a["provider"]), str(a["region"]), str(a["gpu"]), str(a["rate_usd_per_gpu_hour"]))
            totals[group] = totals.get(group, 0) + int(a["gpus"])
    if not totals:
        raise _bad(path, "awards", f"none in month {chosen} (months with awards: {months})")
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
