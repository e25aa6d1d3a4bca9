"""A re-plan finished from a kept first pass is the plan itself (`first_pass.first_pass` / `finish.finish`,
`risk.passes.FirstPasses`), checked against plain `plan` calls (the reference path):

- on generated scenarios whose holder coin decides answers (every notice answered by the coin), the
  first pass solved under one coin and finished under another (hypothesis-drawn seeds) gives the
  plan `plan` gives under that other coin, field for field (HiGHS's timer aside), and its `Figures`
  (what a study reads) are that plan's fields; with no first stage, with its runs fixed and with its
  bookings too; and the coins really give different plans (the check is not vacuous);
- `finish` refuses options that would solve the second pass differently from the first;
- `FirstPasses` reuses only for the same future, first stage and solver options;
- a robust study's parts (`stages_part`, `wait_and_see_part`) reuse first passes where a future's
  samples need several re-plans, and give each sample `study_sample`'s figures (plain `plan` calls);
- on the example, two first stages that place one run apart share the first pass exactly where it
  fits (some samples, not all), and each sample's EEV and RP are still its own plain re-plans'.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "sourcing"))

from uncertain_gen import uncertain

from tender.config import load_scenario
from tender.domain import Scenario, ScriptedResponse
from tender.sourcing import PlanOptions, plan
from tender.sourcing.finish import Figures, finish, finish_figures
from tender.sourcing.first_pass import first_pass
from tender.sourcing.risk import passes as passes_mod
from tender.sourcing.risk.booking import bookings_of
from tender.sourcing.risk.first_stage import FirstStage, of_plan
from tender.sourcing.risk.future import apply
from tender.sourcing.risk.passes import FirstPasses
from tender.sourcing.risk.sampler import draw, inputs
from tender.sourcing.risk.study import stages_part, study_batches, study_sample, wait_and_see_part
from tender.sourcing.types import Plan

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "frontier-lab.yaml"
_CACHE: dict[int, tuple[Scenario, FirstStage]] = {}


def _case(gen: int) -> tuple[Scenario, FirstStage]:
    """A generated scenario with uncertainty; the plan's runs fixed, none of its answers scripted
    (every notice goes to the holder model's coin, accept probability 0.5)."""
    if gen not in _CACHE:
        sc = uncertain(gen)
        first = of_plan(plan(sc, PlanOptions(seed=gen)), tuple(r.id for r in sc.training_runs))
        _CACHE[gen] = (sc, replace(first, answers=()))
    return _CACHE[gen]


def _figures(p: Plan) -> Plan:
    return replace(p, solve_seconds=0.0)


def _booked(gen: int) -> FirstStage:
    """`_case`'s first stage with the plan's contract capacity booked (as `plan --robust` fixes it)."""
    sc, first = _case(gen)
    return replace(first, booked=bookings_of(plan(sc, PlanOptions(seed=gen))))


def _as_figures(p: Plan) -> Figures:
    unmet = tuple(replace(u, reasons=()) for u in p.unmet)
    return Figures(p.cost_total_usd, unmet, p.awards, p.notices, p.milestones)


@settings(max_examples=16, deadline=None)
@given(
    st.sampled_from([5, 6, 7]),
    st.integers(0, 2**31 - 1),
    st.integers(0, 2**31 - 1),
    st.sampled_from(["none", "runs", "booked"]),
)
def test_a_first_pass_finished_under_another_coin_is_that_coins_plan(
    gen: int, coin_a: int, coin_b: int, fixed: str
) -> None:
    sc, first = _case(gen)
    stage = {"none": None, "runs": first, "booked": _booked(gen)}[fixed]
    a, b = PlanOptions(seed=gen, coin_seed=coin_a), PlanOptions(seed=gen, coin_seed=coin_b)
    kept = first_pass(sc, a, first_stage=stage)
    own_b = plan(sc, b, first_stage=stage)
    assert _figures(finish(kept, b, first_stage=stage)) == _figures(own_b)
    assert _figures(finish(kept, a, first_stage=stage)) == _figures(plan(sc, a, first_stage=stage))
    assert finish_figures(kept, b, first_stage=stage) == _as_figures(own_b)


def test_the_coin_changes_some_plans_after_the_same_first_pass() -> None:
    """The check above is not vacuous: on these scenarios the coin changes what is answered."""
    changed = set()
    for gen in (5, 6, 7):
        sc, first = _case(gen)
        for stage in (None, first):
            kept = first_pass(sc, PlanOptions(seed=gen, coin_seed=0), first_stage=stage)
            plans = {
                finish(kept, PlanOptions(seed=gen, coin_seed=c), first_stage=stage).cost_total_usd
                for c in range(6)
            }
            if len(plans) > 1:
                changed.add(stage is None)
    assert changed == {True, False}  # with and without a first stage fixed


def test_finish_refuses_options_or_a_stage_that_solve_differently() -> None:
    sc, first = _case(0)
    kept = first_pass(sc, PlanOptions(seed=0))
    for other in (
        PlanOptions(seed=1),
        PlanOptions(seed=0, mip_gap=1e-2),
        PlanOptions(seed=0, profile="recourse"),
    ):
        with pytest.raises(ValueError, match="first pass"):
            finish(kept, other)
    scripted = replace(first, answers=(ScriptedResponse("n", "h", decline=True),))
    for stage in (first, scripted):  # the first pass ran without a first stage: neither fits
        with pytest.raises(ValueError, match="first pass"):
            finish(kept, PlanOptions(seed=0), first_stage=stage)


def test_first_passes_reuse_only_the_same_future_stage_and_solver(monkeypatch: pytest.MonkeyPatch) -> None:
    sc, first = _case(1)
    solved: list[object] = []
    real = passes_mod.first_pass

    def counting(*args: object, **kw: object) -> object:
        solved.append(args)
        return real(*args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(passes_mod, "first_pass", counting)
    inp = inputs(sc)
    d0, d1 = draw(inp, 1, 0), draw(inp, 1, 1)
    same = replace(d1, index=7)  # another sample of d1's future
    kept = FirstPasses()
    o = PlanOptions(seed=1, profile="recourse")
    for d, stage, opts in [
        (d1, first, o),
        (same, first, replace(o, coin_seed=5)),  # reused: only the coin differs
        (d1, None, o),  # another first stage
        (d1, first, replace(o, seed=2)),  # another solver seed
        (d0 if d0 != replace(d1, index=0) else replace(d0, on_demand=Decimal(7)), first, o),  # another future
    ]:
        kept.plan(d, apply(sc, d), opts, stage)
    assert len(solved) == 4 and kept.solved == 4


@pytest.mark.parametrize("gen", [5, 6, 7])
def test_study_parts_reuse_first_passes_and_keep_each_samples_figures(
    gen: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    sc, first = _case(gen)
    seed, n = gen, 16
    counts = _count_passes(monkeypatch)
    got: dict[int, tuple[object, object, Decimal]] = {}
    for b in study_batches(sc, seed, n):
        eev, rp = stages_part(sc, (first, first), seed, b, PlanOptions())
        ws = wait_and_see_part(sc, seed, b, PlanOptions())
        got.update((i, t) for i, t in zip(b, zip(eev, rp, ws, strict=True), strict=True))
    monkeypatch.undo()
    assert counts["first"] < counts["finish"]  # some future was re-planned under several coins
    for i in range(n):
        own = study_sample(sc, first, first, seed, i, PlanOptions())
        assert got[i] == (own.deterministic, own.robust, own.wait_and_see_usd), i


def _count_passes(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    counts = {"first": 0, "finish": 0}
    for name, real in (("first", passes_mod.first_pass), ("finish", passes_mod.finish_figures)):

        def call(*args: object, _real: object = real, _name: str = name, **kw: object) -> object:
            counts[_name] += 1
            return _real(*args, **kw)  # type: ignore[operator]

        monkeypatch.setattr(passes_mod, "first_pass" if name == "first" else "finish_figures", call)
    return counts


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_two_stages_share_a_first_pass_only_where_it_fits_on_the_example(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The example's deterministic first stage and the same with `pretrain-v7` two months later (the
    robust plan's choice, docs/risk.md) and no bookings: where the first pass keeps every option of
    that run the two share it; every sample's EEV and RP are still its own plain re-plans'."""
    sc = load_scenario(str(EXAMPLE))
    det = of_plan(plan(sc, PlanOptions()), tuple(r.id for r in sc.training_runs), book=True)
    slot = det.runs["pretrain-v7"]
    assert slot is not None
    later = replace(det, runs={**det.runs, "pretrain-v7": replace(slot, start=slot.start + 2)}, booked={})
    counts = _count_passes(monkeypatch)
    n, got = 12, {}
    for b in study_batches(sc, 0, n, share=False):  # one sample each: no coin sharing at all
        eev, rp = stages_part(sc, (det, later), 0, b, PlanOptions())
        got[b[0]] = (eev[0], rp[0])
    monkeypatch.undo()
    assert n < counts["first"] < 2 * n == counts["finish"]  # shared in some samples, not in all
    for i in range(n):
        own = study_sample(sc, det, later, 0, i, PlanOptions())
        assert got[i] == (own.deterministic, own.robust), i
