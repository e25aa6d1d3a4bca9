"""Typed contract clauses and dated amendments.

Every clause has an id, a type and an effective range in horizon months (inclusive; `None` = open).
Clause evaluation and the ROFR protocol live in `tender.contracts`; these are plain data.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any


class ClauseType(StrEnum):
    ROFR = "rofr"
    FIRST_SHIP = "first_ship"
    WORKLOAD_EXCLUSIVITY = "workload_exclusivity"
    COMMITTED_SPEND = "committed_spend"
    TAKE_OR_PAY = "take_or_pay"
    RESERVED_CAPACITY = "reserved_capacity"
    DATA_RESIDENCY = "data_residency"
    REVENUE_SHARE = "revenue_share"


class MatchMode(StrEnum):
    MATCH_BEST_OFFER = "match_best_offer"  # holder may match the best third-party quote
    ACCEPT_OR_DECLINE = "accept_or_decline"  # a first look at the lab's own terms


class OnExpiry(StrEnum):
    DEEMED_DECLINED = "deemed_declined"
    DEEMED_EXERCISED = "deemed_exercised"


@dataclass(frozen=True)
class Scope:
    """What a clause covers. Empty tuples mean "any"."""

    workloads: tuple[str, ...] = ()
    workload_classes: tuple[str, ...] = ()
    gpus: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    providers: tuple[str, ...] = ()

    def matches(self, *, workload: str, workload_class: str, gpu: str, region: str, provider: str) -> bool:
        return (
            (not self.workloads or workload in self.workloads)
            and (not self.workload_classes or workload_class in self.workload_classes)
            and (not self.gpus or gpu in self.gpus)
            and (not self.regions or region in self.regions)
            and (not self.providers or provider in self.providers)
        )


@dataclass(frozen=True)
class CarveOut:
    """An exception to a priority right: a named kind (`existing_contracted_capacity`) or a scope."""

    kind: str | None = None
    scope: Scope = Scope()


@dataclass(frozen=True)
class Clause:
    """What every clause has: its id, the months it is in effect (inclusive; open-ended without an
    end) and the real contract it `resembles`."""

    id: str
    effective_from_month: int = 1
    effective_to_month: int | None = None
    resembles: str = ""

    @property
    def type(self) -> ClauseType:  # overridden by each clause type
        raise NotImplementedError

    def effective_in(self, month: int) -> bool:
        return self.effective_from_month <= month and (
            self.effective_to_month is None or month <= self.effective_to_month
        )

    def counterparty(self) -> str | None:
        """The provider this clause binds the lab to, if any."""
        return None


@dataclass(frozen=True)
class Rofr(Clause):
    """Right of first refusal on new capacity held by `holder`."""

    holder: str = ""
    applies_to: str = "new_capacity"
    scope: Scope = Scope()
    carve_outs: tuple[CarveOut, ...] = ()
    must_include: tuple[str, ...] = ()
    response_window_days: int = 30
    match_mode: MatchMode = MatchMode.MATCH_BEST_OFFER
    partial_exercise: bool = True
    min_exercise_block_gpus: int = 1
    on_expiry: OnExpiry = OnExpiry.DEEMED_DECLINED
    third_party_close_window_days: int = 60
    reoffer_if_terms_improve_pct: Decimal = Decimal(0)

    @property
    def type(self) -> ClauseType:
        return ClauseType.ROFR

    def counterparty(self) -> str | None:
        return self.holder


@dataclass(frozen=True)
class FirstShip(Rofr):
    """New products ship first on `holder` unless it cannot or will not host them."""

    @property
    def type(self) -> ClauseType:
        return ClauseType.FIRST_SHIP


@dataclass(frozen=True)
class Milestone:
    """A committed spend's cumulative amount due by the end of month `by_month`."""

    by_month: int
    cumulative_usd: Decimal


@dataclass(frozen=True)
class CommittedSpend(Clause):
    """Spend the lab owes `provider` by each milestone; a shortfall costs `penalty_pct_of_shortfall`."""

    provider: str = ""
    total_usd: Decimal = Decimal(0)
    milestones: tuple[Milestone, ...] = ()
    eligible_spend: tuple[str, ...] = ()
    penalty_pct_of_shortfall: Decimal = Decimal(100)
    convertible_to_prepayment_if_renewed: bool = False
    overage: str = "billed_at_contract_rates"
    drawdown_after: str | None = None  # spend counts here only once that commitment's total is met

    @property
    def type(self) -> ClauseType:
        return ClauseType.COMMITTED_SPEND

    def counterparty(self) -> str | None:
        return self.provider


@dataclass(frozen=True)
class TakeOrPay(Clause):
    """The lab pays at least `minimum_pct_of_delivered_capacity` of what `provider` delivers, used or not."""

    provider: str = ""
    term_months: int = 0
    minimum_pct_of_delivered_capacity: Decimal = Decimal(100)
    price_source: str = "provider_rates"
    delivery_slip_relief: bool = True
    gpu: str | None = None

    @property
    def type(self) -> ClauseType:
        return ClauseType.TAKE_OR_PAY

    def counterparty(self) -> str | None:
        return self.provider


@dataclass(frozen=True)
class ReservedCapacity(Clause):
    """`gpus` of `gpu` held at `provider` for `term_months` from `start_month`, billed whether used
    or not (or prepaid), with up to `burst_max_gpus` more at `burst_rate`."""

    provider: str = ""
    gpu: str = ""
    gpus: int = 0
    region: str | None = None
    start_month: int = 1
    term_months: int = 0
    billing: str = "full_reservation_regardless_of_use"
    burst_max_gpus: int = 0
    burst_rate: str = "on_demand"
    # A prepaid reservation whose prepayment was billed before the plan's months (a re-based one,
    # `domain.rebase`): its capacity is held for the rest of its term and nothing more is billed.
    prepaid_settled: bool = False

    @property
    def type(self) -> ClauseType:
        return ClauseType.RESERVED_CAPACITY

    def counterparty(self) -> str | None:
        return self.provider

    @property
    def end_month(self) -> int:
        return self.start_month + self.term_months - 1


@dataclass(frozen=True)
class WorkloadExclusivity(Clause):
    """The named workloads (or workload classes) run on `provider` only."""

    provider: str = ""
    workloads: tuple[str, ...] = ()
    workload_classes: tuple[str, ...] = ()

    @property
    def type(self) -> ClauseType:
        return ClauseType.WORKLOAD_EXCLUSIVITY

    def counterparty(self) -> str | None:
        return self.provider


@dataclass(frozen=True)
class DataResidency(Clause):
    """The named workloads run in `allowed_regions` only."""

    workloads: tuple[str, ...] = ()
    allowed_regions: tuple[str, ...] = ()

    @property
    def type(self) -> ClauseType:
        return ClauseType.DATA_RESIDENCY


@dataclass(frozen=True)
class RevenueShare(Clause):
    """The lab pays `outbound_rate` of its revenue forecast to `counterparty_id` (up to
    `outbound_cap_usd` over the horizon) and receives `inbound_rate`."""

    counterparty_id: str = ""
    outbound_rate: Decimal = Decimal(0)
    outbound_cap_usd: Decimal | None = None
    inbound_rate: Decimal = Decimal(0)
    settlement: str = "monthly_in_arrears"

    @property
    def type(self) -> ClauseType:
        return ClauseType.REVENUE_SHARE

    def counterparty(self) -> str | None:
        return self.counterparty_id


Contract = (
    Rofr
    | FirstShip
    | CommittedSpend
    | TakeOrPay
    | ReservedCapacity
    | WorkloadExclusivity
    | DataResidency
    | RevenueShare
)


class ChangeAction(StrEnum):
    TERMINATE = "terminate"
    ADD_CONTRACT = "add_contract"
    SET_FIELD = "set_field"


@dataclass(frozen=True)
class Change:
    """One change of an amendment: terminate a clause, add one, or set one field of it."""

    action: ChangeAction
    contract_id: str
    contract: Contract | None = None  # for add_contract
    field: str | None = None  # for set_field
    value: Any = None  # for set_field


@dataclass(frozen=True)
class Amendment:
    """Dated changes to the clauses, in effect from `effective_month` on (never retroactive)."""

    id: str
    effective_month: int
    changes: tuple[Change, ...]
    resembles: str = ""
