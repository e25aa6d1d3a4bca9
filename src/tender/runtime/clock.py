"""The real clock (the simulator has a virtual one; both satisfy `tender.ports.Clock`)."""

from __future__ import annotations

from datetime import UTC, datetime


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


def epoch(moment: datetime) -> float:
    return moment.timestamp()
