"""The plan's value types: awards, notices, unmet demand, ledger rows and the plan itself."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class PlanOptions:
    """How to solve: `seed` drives HiGHS and the seeded holder model; `now` is the plan instant (ISO)."""

    seed: int = 0
    time_limit_s: float = 60.0
    mip_gap: float = 1e-3
    integral_gpus: bool = False  # integer GPU columns (slow); default: continuous, rounded in extract
    threads: int = 1
    # Asked while HiGHS runs; True stops the plan with `solve.Interrupted` (the CLI's Ctrl-C).
    stop: Callable[[], bool] | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Award:
    demand: str
    provider: str
    region: str
    gpu: str
    month: int
    gpus: int
    rate_usd_per_gpu_hour: Decimal
    pricing: str  # contract | on_demand | spot | reserved | take_or_pay
    clause: str | None
    notice: str | None


@dataclass(frozen=True)
class Notice:
    id: str
    need: str
    demand: str
    holder: str
    clause: str
    gpu: str
    gpus: int
    region: str
    start_month: int
    duration_months: int
    price_usd_per_gpu_hour: Decimal
    best_third_party: str | None
    best_third_party_quote: Decimal | None
    issued_at: str
    deadline: str
    status: str  # exercised | partially_exercised | declined | expired | withdrawn | open
    exercised_gpus: int
    released_gpus: int
    responded_at: str | None = None
    third_party: str | None = None  # the provider the need would go to (whom the holder is offered first)


@dataclass(frozen=True)
class Unmet:
    demand: str
    month: int
    h100_eq: Decimal | None
    gpus: int | None
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class LedgerRow:
    month: int
    provider: str
    contract_id: str | None
    gpu_hours: Decimal
    billed_cost_usd: Decimal
    effective_cost_usd: Decimal
    commitment_status: str  # used | unused | none
    commitment_drawdown_usd: Decimal
    shortfall_accrual_usd: Decimal
    revenue_share_usd: Decimal


@dataclass(frozen=True)
class Charge:
    """One line of what a provider bills in a month, by what it is for (the ledger's detail).

    `kind`: `usage` (an award billed by use: GPUs x rate x hours), `reservation` (a reserved-capacity
    clause, paid used or not; `upfront` when prepaid), `holder_block` (a ROFR holder's exercised
    block at the notice price), `take_or_pay` (max(used, minimum) at the committed rate).
    `unused_usd` is the part of `effective_usd` paid for capacity nobody used; `gpu_hours` what was
    used under it. Usage lines name their award (`demand`, `gpu`, `region`, `pricing`, `rate`)."""

    month: int
    provider: str
    kind: str
    clause: str | None
    notice: str | None
    billed_usd: Decimal
    effective_usd: Decimal
    unused_usd: Decimal
    gpu_hours: Decimal
    upfront: bool = False
    demand: str | None = None
    gpu: str | None = None
    region: str | None = None
    pricing: str | None = None
    rate: Decimal | None = None


@dataclass(frozen=True)
class Infeasibility:
    """A hard rule that leaves a demand without any possible supply."""

    rule: str  # the clause id, or a structural rule name
    demand: str
    months: tuple[int, ...]
    message: str


@dataclass(frozen=True)
class SolveStats:
    status: str  # optimal | time_limit | ...
    objective_usd: Decimal
    lower_bound_usd: Decimal
    gap: Decimal
    solve_seconds: float
    variables: int
    constraints: int
    binaries: int


@dataclass(frozen=True)
class Plan:
    scenario: str
    seed: int
    horizon: int
    awards: tuple[Award, ...]
    notices: tuple[Notice, ...]
    unmet: tuple[Unmet, ...]
    ledger: tuple[LedgerRow, ...]
    cost_total_usd: Decimal
    cost_breakdown_usd: dict[str, Decimal]
    lower_bound_usd: Decimal
    gap: Decimal
    baseline_cost_usd: Decimal
    solve_seconds: float
    status: str
    infeasibilities: tuple[Infeasibility, ...] = ()
    milestones: tuple[MilestoneStatus, ...] = ()
    explanations: tuple[str, ...] = field(default=())
    baseline_awards: tuple[Award, ...] = ()
    baseline_unmet: tuple[Unmet, ...] = ()
    baseline_breakdown_usd: dict[str, Decimal] = field(default_factory=dict)
    check_violations: tuple[str, ...] = ()  # what the independent checker found (empty = clean)
    charges: tuple[Charge, ...] = ()  # the ledger's billing detail, one line per charge


@dataclass(frozen=True)
class MilestoneStatus:
    contract: str
    provider: str
    by_month: int
    cumulative_usd: Decimal
    drawdown_usd: Decimal
    shortfall_usd: Decimal
