"""The discrete distributions behind every uncertain input, with exact probability tables.

1. Months with a median and a 90th percentile (campus phase delays, delivery slips, run start slips),
   `months_table(p50, p90)`, whole months >= 0:
   - probability 1/2 spread evenly over 0..p50;
   - probability 2/5 spread evenly over p50+1..p90 (on p50 itself when p90 = p50);
   - the tail, probability 1/10, spread evenly over p90+1..p90+w, w = max(1, p90 - p50).
   So P(d <= p50) >= 1/2 and P(d <= p90) = 9/10 exactly; p50 = p90 = 0 is "no risk" (d = 0 always).
2. A multiplier band p10/p50/p90 (demand, prices): Swanson's rule, p10, p50 and p90 with probabilities
   3/10, 2/5, 3/10 (equal values merged). Prices give p10/p90 only; their p50 is the midpoint.
3. A range [low, high] (ROFR holder parameters): uniform; a draw is rounded to 4 decimals.
Sampling is by inverse CDF from a uniform u in [0, 1): the first value whose cumulative probability
exceeds u.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from tender.domain.uncertainty import Band, MonthsQuantiles, Range


@dataclass(frozen=True)
class Table:
    """A discrete distribution: values in increasing order, exact probabilities summing to 1."""

    values: tuple[Decimal, ...]
    probabilities: tuple[Fraction, ...]

    def cumulative(self) -> tuple[float, ...]:
        out, acc = [], Fraction(0)
        for p in self.probabilities:
            acc += p
            out.append(float(acc))
        return tuple(out)

    def pick(self, u: float) -> Decimal:
        for value, c in zip(self.values, self.cumulative(), strict=True):
            if u < c:
                return value
        return self.values[-1]

    def cdf(self, x: Decimal) -> Fraction:
        return sum((p for v, p in zip(self.values, self.probabilities, strict=True) if v <= x), Fraction(0))


def _spread(values: range, mass: Fraction, into: dict[int, Fraction]) -> None:
    for v in values:
        into[v] = into.get(v, Fraction(0)) + mass / len(values)


def months_table(q: MonthsQuantiles) -> Table:
    a, b = q.p50, q.p90
    if a == b == 0:
        return Table((Decimal(0),), (Fraction(1),))
    mass: dict[int, Fraction] = {}
    _spread(range(0, a + 1), Fraction(1, 2), mass)
    _spread(range(a + 1, b + 1) if b > a else range(a, a + 1), Fraction(2, 5), mass)
    w = max(1, b - a)
    _spread(range(b + 1, b + w + 1), Fraction(1, 10), mass)
    keys = sorted(mass)
    return Table(tuple(Decimal(k) for k in keys), tuple(mass[k] for k in keys))


def band_table(b: Band) -> Table:
    mass: dict[Decimal, Fraction] = {}
    for v, p in ((b.p10, Fraction(3, 10)), (b.p50, Fraction(2, 5)), (b.p90, Fraction(3, 10))):
        mass[v] = mass.get(v, Fraction(0)) + p
    keys = sorted(mass)
    return Table(tuple(keys), tuple(mass[k] for k in keys))


def uniform_pick(r: Range, u: float) -> Decimal:
    value = r.low + (r.high - r.low) * Decimal(repr(u))
    return value.quantize(Decimal("0.0001"))


def table_json(t: Table) -> dict[str, object]:
    """`{"kind": "discrete", "values": [...], "probabilities": ["1/2", ...]}` (exact fractions)."""
    return {
        "kind": "discrete",
        "values": [str(v) for v in t.values],
        "probabilities": [f"{p.numerator}/{p.denominator}" for p in t.probabilities],
    }


def range_json(r: Range) -> dict[str, object]:
    return {"kind": "uniform", "low": str(r.low), "high": str(r.high)}
