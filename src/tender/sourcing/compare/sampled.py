"""`tender compare --samples N --seed S`: every variant planned in the same N sampled futures.

1. `futures_of(base)`: the uncertain inputs are the BASE's (`risk.sampler.inputs`), so sample i is one
   future for every variant — common random numbers: the same `SeedSequence(seed, spawn_key=(i,))`
   child, the same draw, applied to each variant's scenario (`risk.future.apply`);
2. `sample_one(variant, inputs, seed, i, options, primary)`: that future of the variant planned in full
   (each regime re-plans everything in each future; seeded by `risk.sampler.sample_seed(seed, i)`),
   and its `Accounts`;
3. `summarize(per_variant)`: per variant the sample means (lab cost and lines, every party's revenue,
   unmet, new build rounded to whole GPUs) and standard errors s / sqrt(N) of the lab cost, of each
   party's revenue, and of the paired deltas against the base (the differences are taken sample by
   sample, which is what common random numbers buy). Exact `Decimal`s; the square root in Decimal.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_EVEN, Decimal

from tender.domain import Scenario
from tender.sourcing.compare.accounts import Accounts, LabCost, Revenue, accounts
from tender.sourcing.compare.capex import Build, ProviderBuild
from tender.sourcing.planner import plan
from tender.sourcing.risk.future import apply
from tender.sourcing.risk.sampler import Inputs, draw, inputs, sample_seed
from tender.sourcing.types import PlanOptions

ZERO = Decimal(0)


@dataclass(frozen=True)
class Errors:
    """Standard errors of one variant's figures (USD)."""

    lab_cost_usd: Decimal
    parties: tuple[tuple[str, Decimal], ...]
    delta_lab_cost_usd: Decimal
    delta_parties: tuple[tuple[str, Decimal], ...]
    run_miss_probability: tuple[tuple[str, Decimal], ...]


_REVENUE_LINES = ("billed_compute_usd", "take_or_pay_usd", "shortfall_penalties_usd", "revenue_share_usd")


def futures_of(base: Scenario) -> Inputs:
    return inputs(base)


def sample_one(
    sc: Scenario, inp: Inputs, seed: int, index: int, options: PlanOptions, primary: str | None
) -> Accounts:
    future = apply(sc, draw(inp, seed, index))
    p = plan(future, replace(options, seed=sample_seed(seed, index)))
    return accounts(future, p, primary)


def se(values: Sequence[Decimal]) -> Decimal:
    """Standard error of the mean: sample standard deviation / sqrt(n) (0 for n < 2)."""
    n = len(values)
    if n < 2:
        return ZERO
    mean = sum(values, ZERO) / n
    var = sum(((v - mean) ** 2 for v in values), ZERO) / (n - 1)
    return (var / n).sqrt()


def _revenues(a: Accounts) -> dict[str, Decimal]:
    return {r.party: r.revenue_usd for r in a.providers}


def mean_accounts(samples: Sequence[Accounts]) -> Accounts:
    n = Decimal(len(samples))
    first = samples[0]

    def avg(get: Callable[[Accounts], Decimal]) -> Decimal:
        return sum((get(a) for a in samples), ZERO) / n

    providers = tuple(
        Revenue(
            r.party,
            *(sum((getattr(a.providers[k], f) for a in samples), ZERO) / n for f in _REVENUE_LINES),
        )
        for k, r in enumerate(first.providers)
    )
    lab = LabCost(
        tuple((r.party, r.billed_compute_usd + r.take_or_pay_usd) for r in providers),
        avg(lambda a: a.lab.shortfall_usd),
        avg(lambda a: a.lab.revenue_share_usd),
        avg(lambda a: a.lab.unmet_penalty_usd),
    )
    missed = sorted({r for a in samples for r in a.runs_missed})
    made = tuple(r for r in first.runs_made + first.runs_missed if r not in missed)
    return Accounts(
        lab, providers, avg(lambda a: a.unmet_h100_eq_months), made, tuple(missed), _mean_build(samples)
    )


def _mean_build(samples: Sequence[Accounts]) -> Build:
    n = len(samples)
    names = list(dict.fromkeys(b.provider for a in samples for b in a.build.providers))
    out = []
    for name in names:
        builds = [a.build.of(name) for a in samples]
        out.append(
            ProviderBuild(
                name,
                _whole(sum(b.gpu_months for b in builds), n),
                _whole(sum(b.peak_gpus for b in builds), n),
                sum((b.capex_proxy_usd for b in builds), ZERO) / n,
            )
        )
    return Build(samples[0].build.primary, tuple(out))


def _whole(total: int, n: int) -> int:
    return int((Decimal(total) / n).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def errors(base: Sequence[Accounts], variant: Sequence[Accounts]) -> Errors:
    parties = [r.party for r in variant[0].providers]
    deltas = [v.lab.total_usd - b.lab.total_usd for b, v in zip(base, variant, strict=True)]
    runs = variant[0].runs_made + variant[0].runs_missed
    n = Decimal(len(variant))
    return Errors(
        se([a.lab.total_usd for a in variant]),
        tuple((p, se([_revenues(a).get(p, ZERO) for a in variant])) for p in parties),
        se(deltas),
        tuple(
            (
                p,
                se(
                    [
                        _revenues(v).get(p, ZERO) - _revenues(b).get(p, ZERO)
                        for b, v in zip(base, variant, strict=True)
                    ]
                ),
            )
            for p in parties
        ),
        tuple((r, sum((1 for a in variant if r in a.runs_missed), 0) / n) for r in sorted(runs)),
    )
