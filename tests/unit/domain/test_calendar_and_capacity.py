from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tender.domain import Calendar, CapacityLine, CapacityStep
from tender.domain.money import cents, to_cents_int, usd


@pytest.mark.parametrize(
    ("anchor", "month", "expected"),
    [
        ("2026-07", 1, datetime(2026, 7, 1, tzinfo=UTC)),
        ("2026-07", 7, datetime(2027, 1, 1, tzinfo=UTC)),
        ("2026-12", 2, datetime(2027, 1, 1, tzinfo=UTC)),
        ("2026-07", 25, datetime(2028, 7, 1, tzinfo=UTC)),
    ],
)
def test_month_start(anchor: str, month: int, expected: datetime) -> None:
    cal = Calendar.parse(anchor, 24)
    assert cal.month_start(month) == expected
    assert cal.month_of(expected) == month


def test_capacity_steps_hold_until_the_next() -> None:
    line = CapacityLine("GB200", "us-east", (CapacityStep(1, 10), CapacityStep(6, 30), CapacityStep(12, 60)))
    assert [line.gpus_at(m) for m in (1, 5, 6, 11, 12, 24)] == [10, 10, 30, 30, 60, 60]


def test_money_is_exact() -> None:
    assert usd("0.1") + usd("0.2") == usd("0.3")
    assert cents(usd("2.345")) == usd("2.34") and cents(usd("2.355")) == usd("2.36")
    assert to_cents_int(usd("1234.565")) == 123456
    with pytest.raises(TypeError):
        usd(0.1)  # type: ignore[arg-type]
