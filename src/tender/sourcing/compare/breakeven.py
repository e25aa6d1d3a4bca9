"""Break-even terms: the value of one numeric field of variant B at which the lab pays what it pays in A.

`bisect(cost_a, cost_b_at, lo, hi, ...)`, with `gap(x) = cost_b_at(x) - cost_a` (each call one plan):
1. evaluate both ends; the same sign at both (and neither within the tolerance) is `NoSignChange`,
   carrying the two end gaps;
2. halve the bracket that keeps the sign change: midpoints in whole units for an integer field, in
   cents otherwise;
3. stop at the first point whose |gap| is within `tolerance_usd`, when the bracket cannot be halved
   any more, or after `max_plans` plans; the result is the point with the smallest |gap| seen, and
   the tolerance *reached* (that |gap|), which may exceed the one asked for if the cost jumps.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

CENT = Decimal("0.01")


class NoSignChange(ValueError):
    def __init__(self, lo: Decimal, hi: Decimal, gap_lo: Decimal, gap_hi: Decimal) -> None:
        super().__init__(f"no sign change between {lo} and {hi}")
        self.lo, self.hi, self.gap_lo, self.gap_hi = lo, hi, gap_lo, gap_hi


@dataclass(frozen=True)
class Point:
    value: Decimal
    cost_b_usd: Decimal
    gap_usd: Decimal  # cost_b - cost_a


@dataclass(frozen=True)
class BreakEven:
    value: Decimal
    cost_a_usd: Decimal
    cost_b_usd: Decimal
    tolerance_usd: Decimal  # |cost_b - cost_a| at `value`: the tolerance reached
    bracket: tuple[Decimal, Decimal]
    plans_evaluated: int  # including A's plan
    converged: bool  # reached the tolerance asked for


def bisect(
    cost_a: Decimal,
    cost_b_at: Callable[[Decimal], Decimal],
    lo: Decimal,
    hi: Decimal,
    *,
    tolerance_usd: Decimal,
    integral: bool,
    max_plans: int = 40,
) -> BreakEven:
    plans = 1  # A's
    seen: list[Point] = []

    def at(x: Decimal) -> Point:
        nonlocal plans
        plans += 1
        cost = cost_b_at(x)
        seen.append(Point(x, cost, cost - cost_a))
        return seen[-1]

    a, b = at(lo), at(hi)  # step 1
    if not _within(a, tolerance_usd) and not _within(b, tolerance_usd) and (a.gap_usd > 0) == (b.gap_usd > 0):
        raise NoSignChange(lo, hi, a.gap_usd, b.gap_usd)
    while not any(_within(p, tolerance_usd) for p in seen) and plans < max_plans:  # steps 2-3
        mid = _mid(a.value, b.value, integral)
        if mid in (a.value, b.value):
            break
        m = at(mid)
        if (m.gap_usd > 0) == (a.gap_usd > 0):
            a = m
        else:
            b = m
    best = min(seen, key=lambda p: (abs(p.gap_usd), p.value))
    return BreakEven(
        best.value,
        cost_a,
        best.cost_b_usd,
        abs(best.gap_usd),
        (min(a.value, b.value), max(a.value, b.value)),
        plans,
        abs(best.gap_usd) <= tolerance_usd,
    )


def _within(p: Point, tolerance: Decimal) -> bool:
    return abs(p.gap_usd) <= tolerance


def _mid(x: Decimal, y: Decimal, integral: bool) -> Decimal:
    unit = Decimal(1) if integral else CENT
    return ((x + y) / 2).quantize(unit, rounding=ROUND_HALF_EVEN)
