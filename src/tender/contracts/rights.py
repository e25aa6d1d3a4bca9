"""What a priority right is (`Right`: a ROFR or a first-ship right) and the states of its notices
(`NoticeStatus`): read by the eligibility rules (`eligibility`) and by the protocol (`protocol_types`,
`protocol`, `protocol_rules`, `protocol_time`). Kept apart so that clause evaluation loads without the
protocol's commands and records."""

from __future__ import annotations

from enum import StrEnum

from tender.domain import FirstShip, Rofr

Right = Rofr | FirstShip


class NoticeStatus(StrEnum):
    OPEN = "open"
    EXERCISED = "exercised"
    PARTIALLY_EXERCISED = "partially_exercised"
    DECLINED = "declined"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"
