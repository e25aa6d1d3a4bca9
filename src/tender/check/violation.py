"""One broken rule, as a plain value: a reason code, where it was seen, and the numbers behind it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class Code(StrEnum):
    """Every reason code the checker reports (baseline findings get a `baseline_` prefix)."""

    STRUCTURE = "structure"
    GPU_TYPE = "gpu_type"
    REGIONS_ALLOWED = "regions_allowed"
    RESIDENCY = "residency"
    EXCLUSIVITY = "exclusivity"
    SPOT = "spot"
    CAPACITY = "capacity"
    FULL_RACKS = "full_racks"
    ROFR_NO_NOTICE = "rofr_no_notice"
    ROFR_NOT_RELEASED = "rofr_not_released"
    ROFR_BEFORE_ANSWER = "rofr_before_answer"
    ROFR_EXCEEDS_RELEASED = "rofr_exceeds_released"
    ROFR_OUTSIDE_NEED = "rofr_outside_need"
    ROFR_NOTICE_HOLDER = "rofr_notice_holder"
    ROFR_NOTICE_TERMS = "rofr_notice_terms"
    REOFFER_REQUIRED = "reoffer_required"
    BLOCK_EXCEEDS_EXERCISED = "block_exceeds_exercised"
    BLOCK_OUTSIDE_MONTHS = "block_outside_months"
    BLOCK_PRICE = "block_price"
    BLOCK_REGIONS = "block_regions"
    RATE = "rate"
    PRICING_LABEL = "pricing_label"
    FREE_CAPACITY = "free_capacity"
    RESERVED_OVER = "reserved_over"
    BURST_OVER = "burst_over"
    BURST_BEFORE_FULL = "burst_before_full"
    RUN_PARTIAL = "run_partial"
    RUN_SITES = "run_sites"
    RUN_TYPES = "run_types"
    RUN_MONTHS = "run_months"
    RUN_WINDOW = "run_window"
    RUN_GPUS = "run_gpus"
    RUN_UNMET_WITH_AWARDS = "run_unmet_with_awards"
    COVER = "cover"
    UNMET_OVERSTATED = "unmet_overstated"
    UNMET_REASON = "unmet_reason"
    LEDGER_BILLED = "ledger_billed"
    COMPUTE_TOTAL = "compute_total"
    COST_TOTAL = "cost_total"
    UNMET_PENALTY = "unmet_penalty"
    REVENUE_SHARE = "revenue_share"
    MILESTONE = "milestone"
    LEDGER_DRAWDOWN = "ledger_drawdown"
    SHORTFALL_TOTAL = "shortfall_total"
    BOUND = "bound"
    COST_ABOVE_BASELINE = "cost_above_baseline"
    PROTOCOL_REJECTION = "protocol_rejection"
    RUN_PINNED = "run_pinned"  # a re-plan moved, restarted or shrank a run in progress
    HELD_NOT_BILLED = "held_not_billed"  # a re-plan dropped capacity still held
    NOTICE_ANSWER = "notice_answer"  # a re-plan changed or re-asked a notice already answered


# The codes that say a demand was served wrongly (run shape, fleet cover, unmet entries).
DEMAND_CODES = frozenset(
    {
        Code.RUN_PARTIAL,
        Code.RUN_SITES,
        Code.RUN_TYPES,
        Code.RUN_MONTHS,
        Code.RUN_WINDOW,
        Code.RUN_GPUS,
        Code.RUN_UNMET_WITH_AWARDS,
        Code.COVER,
        Code.UNMET_OVERSTATED,
        Code.UNMET_REASON,
    }
)

BASELINE_PREFIX = "baseline_"


@dataclass(frozen=True)
class Violation:
    code: str
    clause: str | None
    demand: str | None
    month: int | None
    message: str
    numbers: Mapping[str, str] = field(default_factory=dict)

    def sort_key(self) -> tuple[str, str, str, int, str, tuple[tuple[str, str], ...]]:
        month = -1 if self.month is None else self.month
        return (self.code, self.clause or "", self.demand or "", month, self.message, self._pairs())

    def _pairs(self) -> tuple[tuple[str, str], ...]:
        return tuple(sorted(self.numbers.items()))

    def as_json(self) -> dict[str, object]:
        return {
            "code": self.code,
            "clause": self.clause,
            "demand": self.demand,
            "month": self.month,
            "message": self.message,
            "numbers": dict(sorted(self.numbers.items())),
        }


def violation(
    code: str,
    message: str,
    *,
    clause: str | None = None,
    demand: str | None = None,
    month: int | None = None,
    values: Mapping[str, object] | None = None,
    **numbers: object,
) -> Violation:
    """Build a violation; `values` and `numbers` are shown as strings (Decimals keep their digits)."""
    merged = {**(values or {}), **numbers}
    return Violation(code, clause, demand, month, message, {k: str(v) for k, v in merged.items()})


def sorted_violations(found: Iterable[Violation]) -> list[Violation]:
    """A deterministic order: code, clause, demand, month, message, numbers; duplicates dropped."""
    unique = {(v.sort_key()): v for v in found}
    return [unique[key] for key in sorted(unique)]


def prefixed(found: Iterable[Violation], prefix: str = BASELINE_PREFIX) -> list[Violation]:
    return [Violation(prefix + v.code, v.clause, v.demand, v.month, v.message, v.numbers) for v in found]
