"""The documented distributions honour their quantiles, and the sampler is keyed by (seed, index)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from tender.domain.uncertainty import Band, MonthsQuantiles
from tender.sourcing.risk.distributions import band_table, months_table
from tender.sourcing.risk.sampler import Campus, Inputs, correlated_uniforms, draw, generator


@given(st.integers(0, 24), st.integers(0, 24))
def test_months_table_honours_p50_and_p90(a: int, extra: int) -> None:
    b = a + extra
    t = months_table(MonthsQuantiles(a, b))
    assert sum(t.probabilities) == 1
    assert all(v >= 0 and v == int(v) for v in t.values)
    assert list(t.values) == sorted(t.values)
    assert t.cdf(Decimal(a)) >= Fraction(1, 2)
    assert t.cdf(Decimal(b)) >= Fraction(9, 10)
    if a < b or b > 0:
        # the documented tail: exactly 1/10 above p90, over max(1, p90 - p50) months
        assert t.cdf(Decimal(b)) == Fraction(9, 10)
        assert max(t.values) == b + max(1, b - a)
        if a > 0:  # the median is p50 itself, not lower
            assert t.cdf(Decimal(a - 1)) < Fraction(1, 2)


def test_months_table_by_hand_for_the_example_campus() -> None:
    t = months_table(MonthsQuantiles(0, 3))  # jv-datacenter: {p50: 0, p90: 3}
    by_hand = {0: Fraction(1, 2), 1: Fraction(2, 15), 2: Fraction(2, 15), 3: Fraction(2, 15)}
    by_hand |= {4: Fraction(1, 30), 5: Fraction(1, 30), 6: Fraction(1, 30)}
    assert dict(zip((int(v) for v in t.values), t.probabilities, strict=True)) == by_hand


def test_no_risk_is_a_point_at_zero() -> None:
    t = months_table(MonthsQuantiles(0, 0))
    assert t.values == (Decimal(0),) and t.probabilities == (Fraction(1),)


def test_band_is_swanson_30_40_30() -> None:
    t = band_table(Band(Decimal("0.8"), Decimal("1.0"), Decimal("1.3")))
    assert t.probabilities == (Fraction(3, 10), Fraction(2, 5), Fraction(3, 10))
    merged = band_table(Band(Decimal(1), Decimal(1), Decimal(2)))
    assert merged.values == (Decimal(1), Decimal(2)) and merged.probabilities == (
        Fraction(7, 10),
        Fraction(3, 10),
    )


def _inputs(rho: str, phases: int = 3) -> Inputs:
    table = months_table(MonthsQuantiles(0, 3))
    return Inputs((Campus("c", phases, table, Decimal(rho)),), (), (), (), (), None, None)


def test_sample_i_of_seed_s_does_not_depend_on_what_was_drawn_before() -> None:
    inp = _inputs("0.3")
    forward = [draw(inp, 11, i) for i in range(20)]
    backward = [draw(inp, 11, i) for i in reversed(range(20))][::-1]
    assert forward == backward
    assert [d.phase_delays for d in forward] != [draw(inp, 12, i).phase_delays for i in range(20)]


def test_generator_is_the_spawned_child_of_the_seed() -> None:
    import numpy as np

    child = np.random.SeedSequence(5).spawn(4)[3]
    assert generator(5, 3).random() == np.random.Generator(np.random.PCG64(child)).random()


def test_empirical_frequencies_match_the_table() -> None:
    inp = _inputs("0")
    n = 6000
    counts: dict[int, int] = {}
    for i in range(n):
        for d in draw(inp, 3, i).phase_delays["c"]:
            counts[d] = counts.get(d, 0) + 1
    table = inp.campuses[0].table
    for v, p in zip(table.values, table.probabilities, strict=True):
        expected = float(p) * 3 * n
        se = (expected * (1 - float(p))) ** 0.5
        assert abs(counts.get(int(v), 0) - expected) < 5 * se, (v, counts, expected)


def test_correlation_one_ties_every_phase_and_minus_one_opposes_two() -> None:
    inp = _inputs("1")
    assert all(len(set(draw(inp, 1, i).phase_delays["c"])) == 1 for i in range(200))
    rng = generator(9, 0)
    for _ in range(100):
        z = [float(v) for v in rng.standard_normal(3)]
        u1, u2 = correlated_uniforms(z, -1.0)
        assert abs(u1 + u2 - 1.0) < 1e-12


def test_copula_correlation_of_the_normals_is_rho() -> None:
    import math

    rng = generator(4, 0)
    xs, ys = [], []
    for _ in range(20000):
        z = [float(v) for v in rng.standard_normal(4)]
        u = correlated_uniforms(z, 0.5)
        # back to normals through the inverse of Phi (bisection; independent of the copula formula)
        xs.append(_probit(u[0]))
        ys.append(_probit(u[2]))
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    cov = sum((a - mx) * (b - my) for a, b in zip(xs, ys, strict=True)) / len(xs)
    sx = math.sqrt(sum((a - mx) ** 2 for a in xs) / len(xs))
    sy = math.sqrt(sum((b - my) ** 2 for b in ys) / len(ys))
    assert abs(cov / (sx * sy) - 0.5) < 0.03


def _probit(u: float) -> float:
    import math

    lo, hi = -10.0, 10.0
    for _ in range(80):
        mid = (lo + hi) / 2
        if 0.5 * math.erfc(-mid / math.sqrt(2)) < u:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2
