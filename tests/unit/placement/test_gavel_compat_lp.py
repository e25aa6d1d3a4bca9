"""Compat max-min LP (Gavel 1f6f02e's max_min_fairness_perf): the objective is weighted by gang size."""

from __future__ import annotations

import pytest

from tender.placement import FairnessInput, solve_max_min


def data(gavel: bool) -> FairnessInput:
    return FairnessInput(
        job_ids=["a", "b"],
        gpus={"a": 1, "b": 2},
        weights={"a": 1.0, "b": 1.0},
        rates={"a": {"v100": 3.0}, "b": {"v100": 3.0}},
        capacity={"v100": 2},
        gavel=gavel,
    )


def test_gang_weighted_objective_hand_solved() -> None:
    """One type, 2 V100s; a needs 1 GPU, b 2, same rate r. Equal share: r x 2/2 = r, so Gavel's
    coefficient is scale_factor x r / r: maximize min(1 x_a, 2 x_b) s.t. x_a + 2 x_b <= 2, x <= 1.
    z <= x_a <= 1, and z = 1 needs x_b >= 1/2 and x_a = 1, which uses exactly 2 GPUs: the unique
    optimum is x_a = 1, x_b = 1/2. Without the weight (Tender's own las_het) it is min(x_a, x_b),
    x_a + 2 x_b <= 2: x_a = x_b = 2/3."""
    gavel = solve_max_min(data(gavel=True))
    assert gavel["a"]["v100"] == pytest.approx(1.0, abs=1e-6)
    assert gavel["b"]["v100"] == pytest.approx(0.5, abs=1e-6)
    own = solve_max_min(data(gavel=False))
    assert own["a"]["v100"] == pytest.approx(2 / 3, abs=1e-6)
    assert own["b"]["v100"] == pytest.approx(2 / 3, abs=1e-6)


def test_interior_point_lands_inside_a_tie() -> None:
    """Two 1-GPU jobs, one V100 and one K80, both jobs equally fast on both: every allocation with
    x_a,v + x_b,v = 1, x_a,k + x_b,k = 1 and each job's total 1 is optimal (min = 1), a plateau.
    A vertex (simplex) answer gives each job a whole type; the interior-point method without
    crossover lands inside the face, here at its centre (1/2 of each type per job), as ECOS does."""
    tie = FairnessInput(
        job_ids=["a", "b"],
        gpus={"a": 1, "b": 1},
        weights={"a": 1.0, "b": 1.0},
        rates={"a": {"v100": 1.0, "k80": 1.0}, "b": {"v100": 1.0, "k80": 1.0}},
        capacity={"v100": 1, "k80": 1},
        gavel=True,
    )
    x = solve_max_min(tie)
    for job in ("a", "b"):
        assert sum(x[job].values()) == pytest.approx(1.0, abs=1e-6)
        for gpu in ("v100", "k80"):
            assert 0.01 < x[job].get(gpu, 0.0) < 0.99
