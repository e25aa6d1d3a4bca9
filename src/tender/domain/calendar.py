"""Month indices <-> calendar time.

Scenarios count months 1..horizon from `start_month` (a `YYYY-MM` anchor). Core functions take
`datetime` values in UTC; this module converts between the two without reading any clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime


@dataclass(frozen=True)
class Calendar:
    """The plan's months: month 1 is `start_year`-`start_month`, `horizon_months` in all."""

    start_year: int
    start_month: int  # 1..12
    horizon_months: int
    hours_per_month: int = 730

    @classmethod
    def parse(cls, anchor: str, horizon_months: int, hours_per_month: int = 730) -> Calendar:
        year_s, month_s = anchor.split("-")
        return cls(int(year_s), int(month_s), horizon_months, hours_per_month)

    @property
    def anchor(self) -> str:
        return f"{self.start_year:04d}-{self.start_month:02d}"

    def months(self) -> range:
        return range(1, self.horizon_months + 1)

    def month_start(self, month: int) -> datetime:
        """UTC instant at which horizon month `month` (1-based; may exceed the horizon) begins."""
        index = self.start_month - 1 + (month - 1)
        return datetime(self.start_year + index // 12, index % 12 + 1, 1, tzinfo=UTC)

    def month_of(self, at: datetime) -> int:
        """Horizon month index (1-based) that contains instant `at` (may be <1 or >horizon)."""
        at = at.astimezone(UTC)
        return (at.year - self.start_year) * 12 + (at.month - self.start_month) + 1

    def label(self, month: int) -> str:
        start = self.month_start(month)
        return f"{start.year:04d}-{start.month:02d}"
