"""Samples with the same future share one re-plan (`sourcing.risk.classes`), checked independently:

- a sample shares only with an earlier sample whose future *scenario* is equal (built by
  `future.apply`, compared as whole scenarios, not through the key), and the first sample of every
  future is its own representative, for any number of samples;
- `expand` evaluates each future once, re-evaluates the samples whose representative drew the holder
  model's coin, and hands every other sample its representative's outcome under its own index;
- `rofr_answers.coin_decides` is False only where the holder's answer is the same for every seed;
- on the reduced risk scenarios, the study `tender risk` runs (shared re-plans) gives every sample
  exactly the figures of its own re-plan (cost to the cent, unmet, misses, shortfalls, gap).
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tender.cli.risk_pool import run_local
from tender.config import load_scenario
from tender.contracts import Need
from tender.domain import ScriptedResponse
from tender.sourcing import PlanOptions, plan
from tender.sourcing.clauses import ClauseView
from tender.sourcing.risk.classes import expand, representatives
from tender.sourcing.risk.evaluate import Outcome, evaluate
from tender.sourcing.risk.first_stage import of_plan
from tender.sourcing.risk.future import apply
from tender.sourcing.risk.sampler import draw, inputs
from tender.sourcing.rofr_answers import answer, coin_decides

ROOT = Path(__file__).resolve().parents[3]
RISK = ROOT / "tests" / "scenarios" / "risk"
EXAMPLE = ROOT / "examples" / "frontier-lab.yaml"


@pytest.mark.parametrize(("path", "samples"), [(RISK / "one_campus.yaml", 120), (EXAMPLE, 40)])
def test_a_sample_shares_only_with_an_earlier_sample_of_the_same_future(path: Path, samples: int) -> None:
    sc = load_scenario(str(path))
    inp = inputs(sc)
    draws = [draw(inp, 3, i) for i in range(samples)]
    futures = [(apply(sc, d), dict(d.run_slips)) for d in draws]
    reps = representatives(inp, 3, samples)
    assert representatives(inp, 3, samples // 2) == reps[: samples // 2]  # independent of N
    for i, rep in enumerate(reps):
        earlier = [j for j in range(i) if futures[j] == futures[i]]
        assert rep == (earlier[0] if earlier else i), (i, rep, earlier)
    assert len(set(reps)) < samples  # the shortcut has something to share on these scenarios


def _outcome(sample: int, cost: int, holder_drawn: bool) -> Outcome:
    return Outcome(sample, Decimal(cost), {}, (), {}, (), holder_drawn)


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_expand_evaluates_each_future_once_and_redraws_holder_coins(data: st.DataObject) -> None:
    n = data.draw(st.integers(1, 30))
    reps: list[int] = []
    for i in range(n):
        heads = sorted(set(reps))
        reps.append(data.draw(st.sampled_from([*heads, i])))
    coins = data.draw(st.lists(st.booleans(), min_size=n, max_size=n))
    calls: list[list[int]] = []

    def evaluate_batch(indices: list[int]) -> list[Outcome]:
        calls.append(list(indices))
        return [_outcome(i, 1000 + i, coins[i]) for i in indices]

    shared: list[int] = []
    out = expand(reps, evaluate_batch, shared.append)
    evaluated = [i for batch in calls for i in batch]
    assert sorted(evaluated) == sorted(set(evaluated))  # nothing evaluated twice
    assert set(evaluated) == {i for i in range(n) if reps[i] == i or coins[reps[i]]}
    assert sum(shared) == n - len(evaluated)
    for i, o in enumerate(out):
        assert o.sample == i
        own = reps[i] == i or coins[reps[i]]
        assert o.cost_usd == 1000 + (i if own else reps[i])


def _rofr_case() -> tuple[object, ...]:
    sc = load_scenario(str(EXAMPLE))
    rofr = ClauseView.of(sc).rofrs()[0]
    need = Need("chat/GB200", "consumer-chat", "inference", "GB200", 9000, "us-south", 12, 6, Decimal("5"))
    return sc, rofr, need


def _answers(sc: object, rofr: object, need: Need) -> set[object]:
    """What the protocol does with each seed's answer: when, how many GPUs, silence, and where the
    block is only when GPUs are taken (an exercise of 0 is sent as a decline, `rofr_loop._commands`)."""
    at = sc.calendar.month_start(1)  # type: ignore[attr-defined]
    out = set()
    for seed in range(40):
        a = answer(sc, need, rofr, at, seed, {}, False)  # type: ignore[arg-type]
        took = a.exercise != 0
        out.add((a.at, a.exercise, a.silent, a.region if took else None, a.block_from if took else None))
    return out


def _decides(sc: object, rofr: object, need: Need) -> bool:
    at = sc.calendar.month_start(1)  # type: ignore[attr-defined]
    return coin_decides(sc, need, rofr, at, False)  # type: ignore[arg-type]


def test_the_coin_decides_only_where_seeds_give_different_answers() -> None:
    sc, rofr, need = _rofr_case()
    holder = rofr.holder  # type: ignore[attr-defined]
    assert _decides(sc, rofr, need)
    assert len(_answers(sc, rofr, need)) > 1  # the coin really decides (accept probability 0.5)
    cases = [replace(sc, rofr_responses=(ScriptedResponse(need.id, holder, decline=True),))]  # type: ignore[type-var]
    provider = sc.providers[holder]  # type: ignore[attr-defined]
    for p in (Decimal(0), Decimal(1)):
        sure = replace(provider, rofr_behavior=replace(provider.rofr_behavior, accept_probability=p))
        cases.append(replace(sc, providers={**sc.providers, holder: sure}))  # type: ignore[attr-defined,type-var]
    late = replace(need, start=2)  # the holder's capacity cannot come before month 2: declined anyway
    tiny = replace(need, gpus=1)  # a 60 % share of 1 GPU is no whole block
    for case, n in [*((c, need) for c in cases), (sc, late), (sc, tiny)]:
        assert not _decides(case, rofr, n)
        assert len(_answers(case, rofr, n)) == 1


@pytest.mark.parametrize(
    ("name", "seed", "samples"), [("one_campus.yaml", 5, 30), ("book_or_buy.yaml", 2, 24)]
)
def test_shared_replans_give_every_sample_the_figures_of_its_own_replan(
    name: str, seed: int, samples: int
) -> None:
    path = RISK / name
    sc = load_scenario(str(path))
    options = PlanOptions(seed=seed, time_limit_s=60.0)
    first = of_plan(plan(sc, options), tuple(r.id for r in sc.training_runs))
    fast = run_local(path, sc, first, seed, samples, 1, options, lambda _k: None, share=True)
    assert len(set(representatives(inputs(sc), seed, samples))) < samples
    for i, got in enumerate(fast):
        own = evaluate(sc, first, seed, i, options)  # the one-re-plan-per-sample path
        assert (got.sample, got.cost_usd, got.unmet, got.runs_missed) == (
            own.sample,
            own.cost_usd,
            own.unmet,
            own.runs_missed,
        ), i
        assert (got.shortfalls, got.gap) == (own.shortfalls, own.gap), i


@pytest.mark.timeout(300)  # a spawn pool of two workers
def test_shared_replans_are_the_same_on_one_and_two_workers() -> None:
    path = RISK / "one_campus.yaml"
    sc = load_scenario(str(path))
    options = PlanOptions(seed=4, time_limit_s=60.0)
    first = of_plan(plan(sc, options), tuple(r.id for r in sc.training_runs))
    ticks: list[int] = []
    one = run_local(path, sc, first, 4, 20, 1, options, lambda _k: None, share=True)
    two = run_local(path, sc, first, 4, 20, 2, options, ticks.append, share=True)
    assert one == two
    assert sum(ticks) == 20  # the progress bar counts every sample, shared or re-planned
