"""What the lab asks for (`Need`) and the answer for one provider (`Verdict`), with reason codes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from tender.domain import Calendar


class Reason:
    """Reason codes carried by every "no" (verdicts and refused protocol commands)."""

    EXCLUSIVE_TO_OTHER = "exclusive_to_other"
    RESIDENCY = "residency"
    REGION = "region"
    CAPACITY = "capacity"
    UNKNOWN_PROVIDER = "unknown_provider"
    ROFR_PENDING = "rofr_pending"
    ROFR_EXERCISED_BY_HOLDER = "rofr_exercised_by_holder"
    FIRST_SHIP_PENDING = "first_ship_pending"
    FIRST_SHIP_EXERCISED_BY_HOLDER = "first_ship_exercised_by_holder"
    # protocol refusals
    UNKNOWN_NEED = "unknown_need"
    DUPLICATE_NEED = "duplicate_need"
    INVALID_QUANTITY = "invalid_quantity"
    NO_NOTICE = "no_notice"
    NOT_THE_HOLDER = "not_the_holder"
    NOT_A_THIRD_PARTY = "not_a_third_party"
    NOTICE_NOT_OPEN = "notice_not_open"
    AFTER_DEADLINE = "after_deadline"
    EXCEEDS_NOTICE = "exceeds_notice"
    PARTIAL_NOT_ALLOWED = "partial_not_allowed"
    BELOW_MIN_BLOCK = "below_min_block"
    NOT_BLOCK_MULTIPLE = "not_block_multiple"
    EXCEEDS_RELEASED = "exceeds_released"
    EXCEEDS_NEED = "exceeds_need"
    REOFFER_REQUIRED = "reoffer_required"
    NO_THIRD_PARTY_DEAL = "no_third_party_deal"
    UNKNOWN_CLAUSE = "unknown_clause"
    TIME_WENT_BACKWARDS = "time_went_backwards"


@dataclass(frozen=True)
class Need:
    """A capacity need: `gpus` of `gpu` in `region` for `months` from `start`, at the lab's `price`.

    `start` is a UTC instant or a horizon month (1-based). `price` is USD per accelerator-hour (the
    lab's own terms). `new_capacity=False` means capacity already contracted (outside a
    `new_capacity` right). `third_party` names the provider the lab would buy it from, when known:
    only rights that bind buying from that provider are noticed (never a right it holds itself).
    """

    id: str
    workload: str
    workload_class: str
    gpu: str
    gpus: int
    region: str
    start: datetime | int
    months: int
    price: Decimal
    new_capacity: bool = True
    third_party: str | None = None  # the provider the lab would buy from (None = not yet known)

    def start_month(self, calendar: Calendar) -> int:
        """The horizon month the need starts in."""
        return calendar.month_of(self.start) if isinstance(self.start, datetime) else self.start


@dataclass(frozen=True)
class Verdict:
    """May `need` be placed with `provider`? If not, `reason` is a `Reason` code and `clause` the cause."""

    provider: str
    allowed: bool
    reason: str | None = None
    clause: str | None = None
    message: str = ""
