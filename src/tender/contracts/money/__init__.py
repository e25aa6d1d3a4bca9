"""Money under contracts: committed-spend drawdown, take-or-pay, reserved capacity, revenue share.

Every function is pure, takes amounts by horizon month and returns one row per month, all `Decimal`.
"""

from tender.contracts.money.commitments import CommitmentMonth, Spend, drawdown
from tender.contracts.money.reserved import ReservedMonth, reserved_cost
from tender.contracts.money.revenue_share import RevenueShareMonth, revenue_share, revenue_share_versions
from tender.contracts.money.take_or_pay import DeliveryMonth, TakeOrPayMonth, take_or_pay

__all__ = [
    "CommitmentMonth",
    "DeliveryMonth",
    "ReservedMonth",
    "RevenueShareMonth",
    "Spend",
    "TakeOrPayMonth",
    "drawdown",
    "reserved_cost",
    "revenue_share",
    "revenue_share_versions",
    "take_or_pay",
]
