"""The plan's value types: offers, awards, notices, unmet demand, ledger rows and the plan itself."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Literal

from tender.domain import ProviderKind
from tender.sourcing.clauses import ClauseView

if TYPE_CHECKING:
    from tender.sourcing.rofr_answers import Asked

Profile = Literal["plan", "recourse", "extensive"]  # HiGHS option sets, `solve.profile_options`

HOLDER_NEW = "new"  # offer kind for capacity a ROFR holder added by exercising


@dataclass(frozen=True)
class Offer:
    """One provider x accelerator x region supply line (or a block the ROFR holder exercised)."""

    idx: int
    provider: str
    gpu: str
    region: str
    h100_eq: float
    cap: tuple[int, ...]  # GPUs per month (index m-1)
    rate: tuple[Decimal | None, ...]  # base USD/GPU-h per month (None = not sold at a base price)
    pricing: tuple[str, ...]  # base pricing per month: contract | on_demand | take_or_pay | reserved
    clause: tuple[str | None, ...]  # clause behind the base pricing per month
    spot_rate: Decimal | None
    pool: tuple[int | None, ...] = ()  # the reservation pool governing each month (`PlanData.pools`)
    top_min: tuple[int, ...] = ()  # take-or-pay minimum paid GPUs per month
    rack: int | None = None
    kind: str = "existing"  # existing | new (holder block)
    notice: str | None = None
    block_gpus: tuple[int, ...] = ()  # holder block: GPUs the lab committed to pay for per month

    def base_usable(self, month: int) -> bool:
        """Can GPUs be bought here in `month` at a non-spot price (or from a paid block)?"""
        return self.kind == HOLDER_NEW or self.under_reservation(month) or self.rate[month - 1] is not None

    def is_new(self, view: ClauseView, month: int) -> bool:
        """Is buying here new capacity (what a `new_capacity` right covers)? Not the lab's own
        cluster, and not GPUs taken through a running reservation (this offer-month's share of it)."""
        if view.scenario.providers[self.provider].kind is ProviderKind.OWNED:
            return False
        return not (self.kind == "existing" and self.under_reservation(month))

    def under_reservation(self, month: int) -> bool:
        """Does a running reservation govern this offer-month (its reserved GPUs or its burst)?"""
        return bool(self.pool) and self.pool[month - 1] is not None

    def spot_usable(self, month: int) -> bool:
        """Can GPUs be bought here at spot in `month`? Listed capacity only, and not inside a
        reservation (the reservation governs that capacity)."""
        return self.spot_rate is not None and self.kind == "existing" and not self.under_reservation(month)

    def unit_cost(self, month: int, hours: int) -> float:
        """Marginal USD per GPU-month at base pricing (0 inside a paid reservation or holder block:
        a reservation's burst is priced on its pool's burst column)."""
        if self.kind == HOLDER_NEW or self.under_reservation(month):
            return 0.0
        rate = self.rate[month - 1]
        return float(rate) * hours if rate is not None else 0.0

    @property
    def site(self) -> tuple[str, str, str]:
        return (self.provider, self.gpu, self.region)


@dataclass(frozen=True)
class PlanOptions:
    """How to solve: `seed` drives HiGHS, and the seeded holder model unless `coin_seed` is given."""

    seed: int = 0
    time_limit_s: float = 60.0
    mip_gap: float = 1e-3
    integral_gpus: bool = False  # integer GPU columns (slow); default: continuous, rounded in extract
    threads: int = 1
    # HiGHS option set (`solve.profile_options`): "plan" for `tender plan`, "recourse" for the re-plans of a
    # risk study (`tender risk`, `plan --robust`'s samples and study, the tornado): lighter heuristics.
    profile: Profile = "plan"
    # Asked while HiGHS runs; True stops the plan with `solve.Interrupted` (the CLI's Ctrl-C).
    stop: Callable[[], bool] | None = field(default=None, compare=False, repr=False)
    # The holder model's coin seed (`rofr_answers.accepts`); None: `seed`. A risk study gives each sample
    # its own (a modelled uncertainty) and every re-plan the study's `seed` for HiGHS (solver tolerance).
    coin_seed: int | None = None
    # Told every coin toss that decided a holder's answer, in order (`sourcing.risk.classes`).
    on_coin: Callable[[Asked], None] | None = field(default=None, compare=False, repr=False)

    @property
    def coin(self) -> int:
        """The seed of the holder model's coin."""
        return self.seed if self.coin_seed is None else self.coin_seed


@dataclass(frozen=True)
class Award:
    """One award: GPUs of one accelerator for one demand at one provider's region in one month, at
    a rate and under a pricing (the clause or the notice it draws on, if any)."""

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
    """A ROFR / first-ship notice as the plan reports it: its need and demand, the holder and its
    clause, the terms offered, the best third-party quote, the dates (ISO text) and the outcome."""

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
    """Demand the plan leaves short: a fleet's H100-equivalents in a month, or a whole training run's
    GPUs (`h100_eq` / `gpus`: the one that applies), with the reasons (`explain`)."""

    demand: str
    month: int
    h100_eq: Decimal | None
    gpus: int | None
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class LedgerRow:
    """One ledger row: a provider's month (under a contract, or none): GPU-hours, billed and
    effective cost, the commitment's drawdown and shortfall accrual, and the revenue share."""

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
    """What one HiGHS pass reports: status, objective and bound, gap, time and the model's size."""

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
    """What `planner.plan` returns: awards, notices, unmet demand, the ledger and its totals, the
    solver's bound and status, and the contract-blind baseline's awards, unmet demand and costs."""

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
    """A commitment's milestone: the spend due by a month, what was drawn by then, and the shortfall."""

    contract: str
    provider: str
    by_month: int
    cumulative_usd: Decimal
    drawdown_usd: Decimal
    shortfall_usd: Decimal
