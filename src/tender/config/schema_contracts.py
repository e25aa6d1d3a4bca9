"""Schema of the `contracts:` and `amendments:` sections, one model per clause type."""

from decimal import Decimal
from typing import Any, Literal, Self

from pydantic import Field, model_validator

from tender.config.schema_base import (
    Fraction,
    Month,
    Name,
    NonNegDecimal,
    NonNegInt,
    Percent,
    PosDecimal,
    PosInt,
    Strict,
)


class ClauseIn(Strict):
    id: Name
    resembles: str = ""
    note: str = ""
    effective_from_month: Month = 1
    effective_to_month: Month | None = None


class ScopedIn(Strict):
    workloads: list[Name] = []
    workload_classes: list[str] = []
    gpus: list[Name] = []
    regions: list[Name] = []
    providers: list[Name] = []


class CarveOutIn(ScopedIn):
    workload_class: str | None = None  # shorthand for workload_classes: [x]


class NoticeIn(Strict):
    must_include: list[str] = []


class PriorityRightIn(ClauseIn):
    holder: Name
    applies_to: Literal["new_capacity", "all_capacity"] = "new_capacity"
    workloads: list[Name] = []
    workload_classes: list[str] = []
    gpus: list[Name] = []
    regions: list[Name] = []
    carve_outs: list[Literal["existing_contracted_capacity"] | CarveOutIn] = []
    notice: NoticeIn = NoticeIn()
    response_window_days: NonNegInt = 30
    match_mode: Literal["match_best_offer", "accept_or_decline"] = "match_best_offer"
    partial_exercise: bool = True
    min_exercise_block_gpus: PosInt = 1
    on_expiry: Literal["deemed_declined", "deemed_exercised"] = "deemed_declined"
    third_party_close_window_days: NonNegInt = 60
    reoffer_if_terms_improve_pct: Percent = Decimal(0)


class RofrIn(PriorityRightIn):
    type: Literal["rofr"]


class FirstShipIn(PriorityRightIn):
    type: Literal["first_ship"]
    products: list[Name] = []  # accepted alias of `workloads` for new products
    match_mode: Literal["match_best_offer", "accept_or_decline"] = "accept_or_decline"
    partial_exercise: bool = False


class MilestoneIn(Strict):
    by_month: Month
    cumulative_usd: NonNegDecimal


class ShortfallIn(Strict):
    penalty_pct_of_shortfall: NonNegDecimal = Decimal(100)
    convertible_to_prepayment_if_renewed: bool = False


class CommittedSpendIn(ClauseIn):
    type: Literal["committed_spend"]
    provider: Name
    total_usd: PosDecimal
    milestones: list[MilestoneIn] = Field(min_length=1)
    eligible_spend: list[
        Literal["compute_contract", "compute_on_demand", "compute_spot", "capacity_blocks"]
    ] = [
        "compute_contract",
        "compute_on_demand",
    ]
    shortfall: ShortfallIn = ShortfallIn()
    overage: Literal["billed_at_contract_rates", "billed_at_on_demand_rates"] = "billed_at_contract_rates"
    drawdown_order: str | None = Field(default=None, pattern=r"^after [A-Za-z0-9][A-Za-z0-9._\-]*$")


class TakeOrPayIn(ClauseIn):
    type: Literal["take_or_pay"]
    provider: Name
    term_months: PosInt
    minimum_pct_of_delivered_capacity: Percent = Decimal(100)
    price_source: Literal["provider_rates"] = "provider_rates"
    delivery_slip_relief: bool = True
    gpu: Name | None = None


class BurstIn(Strict):
    max_gpus: NonNegInt = 0
    rate: Literal["on_demand", "contract"] = "on_demand"


class ReservedCapacityIn(ClauseIn):
    type: Literal["reserved_capacity"]
    provider: Name
    gpu: Name
    gpus: PosInt
    region: Name | None = None
    start_month: Month = 1
    term_months: PosInt
    billing: Literal["full_reservation_regardless_of_use", "prepaid_upfront"] = (
        "full_reservation_regardless_of_use"
    )
    burst: BurstIn = BurstIn()


class WorkloadExclusivityIn(ClauseIn):
    type: Literal["workload_exclusivity"]
    provider: Name
    workloads: list[Name] = []
    workload_classes: list[str] = []

    @model_validator(mode="after")
    def _has_scope(self) -> Self:
        if not self.workloads and not self.workload_classes:
            raise ValueError(
                "an exclusivity must name `workloads` or `workload_classes` (it would cover nothing)"
            )
        return self


class DataResidencyIn(ClauseIn):
    type: Literal["data_residency"]
    workloads: list[Name] = Field(min_length=1)
    allowed_regions: list[Name] = Field(min_length=1)


class RevenueShareIn(ClauseIn):
    type: Literal["revenue_share"]
    counterparty: Name
    outbound_rate: Fraction
    outbound_cap_usd: NonNegDecimal | None = None
    inbound_rate: Fraction = Decimal(0)
    settlement: Literal["monthly_in_arrears", "quarterly_in_arrears", "annually"] = "monthly_in_arrears"


CONTRACT_MODELS: dict[str, type[ClauseIn]] = {
    "rofr": RofrIn,
    "first_ship": FirstShipIn,
    "committed_spend": CommittedSpendIn,
    "take_or_pay": TakeOrPayIn,
    "reserved_capacity": ReservedCapacityIn,
    "workload_exclusivity": WorkloadExclusivityIn,
    "data_residency": DataResidencyIn,
    "revenue_share": RevenueShareIn,
}


class ChangeIn(Strict):
    action: Literal["terminate", "add_contract", "set_field"]
    contract: Any  # an id (terminate, set_field) or a whole clause mapping (add_contract)
    field: str | None = None
    value: Any = None

    @model_validator(mode="after")
    def _shape(self) -> Self:
        if self.action == "add_contract" and not isinstance(self.contract, dict):
            raise ValueError("add_contract needs `contract:` to be a whole clause mapping (with id and type)")
        if self.action != "add_contract" and not isinstance(self.contract, str):
            raise ValueError(f"{self.action} needs `contract:` to be the id of an existing contract")
        if self.action == "set_field" and not self.field:
            raise ValueError("set_field needs `field:` (the clause field to change) and `value:`")
        return self


class AmendmentIn(Strict):
    id: Name
    effective_month: Month
    resembles: str = ""
    note: str = ""
    changes: list[ChangeIn] = Field(min_length=1)


# -- applying amendments (shared by the checks in `amended.py` and the conversion in `convert.py`) ---
UNSETTABLE = frozenset({"id", "type", "resembles", "note"})


def settable_fields(clause: ClauseIn) -> list[str]:
    """The fields a `set_field` may change: all but the clause's id, type and free text."""
    return sorted(set(type(clause).model_fields) - UNSETTABLE)


def with_field(clause: ClauseIn, name: str, value: Any) -> ClauseIn:
    """The new version of `clause` after `set_field name = value` (raises pydantic's ValidationError)."""
    return type(clause).model_validate({**clause.model_dump(exclude_unset=True), name: value})


def amendment_order(amendments: list[AmendmentIn]) -> list[tuple[int, AmendmentIn]]:
    """`(list index, amendment)` in the order they apply: by effective_month, then id — the order of
    `tender.contracts.clause_timeline` (ties of both keep list order)."""
    return sorted(enumerate(amendments), key=lambda pair: (pair[1].effective_month, pair[1].id))
