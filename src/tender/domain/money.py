"""Exact money: every amount is a `Decimal`, never a float.

Rates are USD per accelerator-hour; amounts are USD. `cents()` rounds an amount half-even to whole
cents for reporting; arithmetic inside the core keeps full precision until it is reported.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

ZERO = Decimal(0)
CENT = Decimal("0.01")


def usd(value: str | int | Decimal) -> Decimal:
    """Build an exact amount from a string, an int or a Decimal (floats are refused on purpose)."""
    if isinstance(value, float):  # pragma: no cover - guarded by type checkers too
        raise TypeError("money must not be built from a float; pass a string or Decimal")
    return Decimal(value)


def cents(amount: Decimal) -> Decimal:
    """Round an amount to whole cents (banker's rounding), e.g. for ledgers and JSON output."""
    return amount.quantize(CENT, rounding=ROUND_HALF_EVEN)


def to_cents_int(amount: Decimal) -> int:
    """An amount as integer cents."""
    return int(cents(amount) * 100)
