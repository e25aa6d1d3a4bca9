"""Risk measures over the outcomes of N samples, exact in `Decimal` (money to cents, half-even).

- quantile q of N values: the lower empirical quantile, the k-th smallest with k = ceil(q N);
- CVaR95: the mean of the ceil(0.05 N) largest costs (the worst 5 %);
- expected values are means over all N samples; a probability is (samples where it happens) / N;
- the standard error of the expected cost is s / sqrt(N), s the sample standard deviation (n - 1).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

from tender.sourcing.risk.evaluate import Outcome

ZERO = Decimal(0)
PROB = Decimal("0.000001")


def quantile(values: list[Decimal], q: Decimal) -> Decimal:
    ordered = sorted(values)
    k = max(1, math.ceil(q * len(ordered)))
    return ordered[k - 1]


def cvar(values: list[Decimal], level: Decimal) -> Decimal:
    ordered = sorted(values, reverse=True)
    k = max(1, math.ceil((1 - level) * len(ordered)))
    return sum(ordered[:k], ZERO) / k


def mean(values: list[Decimal]) -> Decimal:
    return sum(values, ZERO) / len(values)


def std_error(values: list[Decimal]) -> Decimal:
    n = len(values)
    if n < 2:
        return ZERO
    mu = mean(values)
    var = sum(((v - mu) ** 2 for v in values), ZERO) / (n - 1)
    return var.sqrt() / Decimal(n).sqrt()


def probability(hits: int, n: int) -> Decimal:
    return (Decimal(hits) / n).quantize(PROB)


@dataclass(frozen=True)
class Summary:
    """What `tender risk` reports for one plan (docs/risk-json.md)."""

    name: str
    samples: int
    expected_cost_usd: Decimal
    cost_p50_usd: Decimal
    cost_p90_usd: Decimal
    cost_p99_usd: Decimal
    cvar95_usd: Decimal
    expected_cost_se_usd: Decimal
    unmet: tuple[tuple[str, Decimal, Decimal], ...]  # fleet, probability, expected h100_eq-months
    runs: tuple[tuple[str, Decimal], ...]  # run, miss probability
    commitments: tuple[tuple[str, Decimal, Decimal], ...]  # contract, probability, expected USD
    capacity_at_risk: tuple[tuple[int, Decimal, Decimal, Decimal], ...]  # month, p10, p50, p90


def summarize(
    name: str, outcomes: list[Outcome], fleets: tuple[str, ...], runs: tuple[str, ...], horizon: int
) -> Summary:
    n = len(outcomes)
    costs = [o.cost_usd for o in outcomes]
    unmet = tuple(
        (
            f,
            probability(sum(1 for o in outcomes if o.unmet.get(f, ZERO) > 0), n),
            mean([o.unmet.get(f, ZERO) for o in outcomes]),
        )
        for f in fleets
    )
    missed = tuple((r, probability(sum(1 for o in outcomes if r in o.runs_missed), n)) for r in runs)
    contracts = sorted({c for o in outcomes for c in o.shortfalls})
    commitments = tuple(
        (
            c,
            probability(sum(1 for o in outcomes if o.shortfalls.get(c, ZERO) > 0), n),
            mean([o.shortfalls.get(c, ZERO) for o in outcomes]),
        )
        for c in contracts
    )
    fan = tuple(
        (
            m,
            quantile([o.gap[m - 1] for o in outcomes], Decimal("0.1")),
            quantile([o.gap[m - 1] for o in outcomes], Decimal("0.5")),
            quantile([o.gap[m - 1] for o in outcomes], Decimal("0.9")),
        )
        for m in range(1, horizon + 1)
    )
    return Summary(
        name,
        n,
        mean(costs),
        quantile(costs, Decimal("0.5")),
        quantile(costs, Decimal("0.9")),
        quantile(costs, Decimal("0.99")),
        cvar(costs, Decimal("0.95")),
        std_error(costs),
        unmet,
        missed,
        commitments,
        fan,
    )
