"""The tornado: which uncertain input moves cost most, one at a time at its p10 and at its p90.

1. the *median future*: every input at its median (a table's smallest value with CDF >= 1/2; a range
   at its midpoint; a campus's phases all at the median delay);
2. for each input in the sampler's order, two futures: that input at its p10, then at its p90 (the
   smallest value with CDF >= 1/10, >= 9/10; a range at low + 0.1 / 0.9 of its width; a campus: every
   phase at that quantile), every other input at its median;
3. each future is re-planned with the first stage fixed (`evaluate.evaluate_draw`, seeded by the
   study's seed); a bar is (input, key, value at p10, value at p90, cost at each); bars are sorted by
   |cost at p90 - cost at p10|, largest first (then input and key).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from fractions import Fraction

from tender.domain import Scenario
from tender.domain.uncertainty import Range
from tender.sourcing.risk.distributions import Table
from tender.sourcing.risk.evaluate import evaluate_draw
from tender.sourcing.risk.first_stage import FirstStage
from tender.sourcing.risk.sampler import Draw, Inputs, inputs
from tender.sourcing.types import PlanOptions

P10, P50, P90 = Fraction(1, 10), Fraction(1, 2), Fraction(9, 10)


@dataclass(frozen=True)
class Bar:
    input: str
    key: str | None
    low: Decimal
    high: Decimal
    cost_low_usd: Decimal
    cost_high_usd: Decimal

    @property
    def swing_usd(self) -> Decimal:
        return abs(self.cost_high_usd - self.cost_low_usd)


def at(t: Table, q: Fraction) -> Decimal:
    return next(v for v in t.values if t.cdf(v) >= q)


def _range_at(r: Range | None, q: Fraction) -> Decimal | None:
    return (
        None
        if r is None
        else (r.low + (r.high - r.low) * Decimal(q.numerator) / q.denominator).quantize(Decimal("0.0001"))
    )


def median_draw(inp: Inputs) -> Draw:
    return Draw(
        -1,
        {c.provider: (int(at(c.table, P50)),) * c.phases for c in inp.campuses},
        {k: int(at(t, P50)) for k, t in inp.slips},
        {k: at(t, P50) for k, t in inp.bands},
        {k: int(at(t, P50)) for k, t in inp.run_slips},
        {
            k: (_range_at(h.accept_probability, P50), _range_at(h.max_share_of_request, P50))
            for k, h in inp.holders
        },
        at(inp.on_demand, P50) if inp.on_demand else Decimal(1),
        at(inp.spot, P50) if inp.spot else Decimal(1),
    )


def _with(m: Draw, inp: Inputs, name: str, key: str | None, v: Decimal) -> Draw:
    """The median draw `m` with one input set to `v`."""
    k = key or ""
    if name == "campus_delay_months":
        n = next(c.phases for c in inp.campuses if c.provider == k)
        return replace(m, phase_delays={**m.phase_delays, k: (int(v),) * n})
    if name == "delivery_slip_months":
        return replace(m, slips={**m.slips, k: int(v)})
    if name == "demand_multiplier":
        return replace(m, demand={**m.demand, k: v})
    if name == "run_start_slip_months":
        return replace(m, run_slips={**m.run_slips, k: int(v)})
    accept, share = m.holders.get(k, (None, None))
    if name == "rofr_accept_probability":
        return replace(m, holders={**m.holders, k: (v, share)})
    if name == "rofr_max_share_of_request":
        return replace(m, holders={**m.holders, k: (accept, v)})
    if name == "on_demand_multiplier":
        return replace(m, on_demand=v)
    return replace(m, spot=v)


def _pairs(inp: Inputs) -> list[tuple[str, str | None, Decimal, Decimal]]:
    """(input, key, value at p10, value at p90), in the sampler's order."""
    out: list[tuple[str, str | None, Decimal, Decimal]] = []
    out += [("campus_delay_months", c.provider, at(c.table, P10), at(c.table, P90)) for c in inp.campuses]
    for name, rows in (
        ("delivery_slip_months", inp.slips),
        ("demand_multiplier", inp.bands),
        ("run_start_slip_months", inp.run_slips),
    ):
        out += [(name, k, at(t, P10), at(t, P90)) for k, t in rows]
    for k, h in inp.holders:
        for name, r in (
            ("rofr_accept_probability", h.accept_probability),
            ("rofr_max_share_of_request", h.max_share_of_request),
        ):
            lo, hi = _range_at(r, P10), _range_at(r, P90)
            if lo is not None and hi is not None:
                out.append((name, k, lo, hi))
    for name, table in (("on_demand_multiplier", inp.on_demand), ("spot_multiplier", inp.spot)):
        if table is not None:
            out.append((name, None, at(table, P10), at(table, P90)))
    return out


def tornado(sc: Scenario, first: FirstStage, options: PlanOptions) -> tuple[Bar, ...]:
    inp = inputs(sc)
    m = median_draw(inp)
    bars = []
    for name, key, lo, hi in _pairs(inp):
        cost_lo = evaluate_draw(sc, first, _with(m, inp, name, key, lo), options).cost_usd
        cost_hi = evaluate_draw(sc, first, _with(m, inp, name, key, hi), options).cost_usd
        bars.append(Bar(name, key, lo, hi, cost_lo, cost_hi))
    return tuple(sorted(bars, key=lambda b: (-b.swing_usd, b.input, b.key or "")))
