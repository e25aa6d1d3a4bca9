"""Samples with the same future share a re-plan, exactly (`sourcing.risk.classes`), checked against the
reference path (`--no-share-futures`: every sample re-planned on its own) and by hand-built cases:

- `groups` puts together exactly the samples whose future *scenario* is equal (built by
  `future.apply`, compared as whole scenarios, not through the key), independently of N;
- `resolve` on a generated decision tree (each toss's question depends on the verdicts before it):
  every sample gets its own path's result, whatever the order of its future's samples, with one
  re-plan per distinct path;
- the holder model tells `on_coin` a toss exactly where seeds give different answers;
- on generated scenarios whose holder coin matters, a future's samples whose coins disagree on a
  recorded toss are re-planned separately (and can cost differently), and the shared run equals
  every sample's own re-plan;
- `tender risk`'s per-sample JSON is byte-identical with and without `--no-share-futures` on
  one_campus.yaml, book_or_buy.yaml and the example (24 samples), and on 1 and 2 workers.
"""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "sourcing"))

from uncertain_gen import uncertain

from tender.cli.app import app
from tender.cli.risk_pool import run_local
from tender.config import load_scenario
from tender.contracts import Need
from tender.domain import Scenario, ScriptedResponse
from tender.sourcing import PlanOptions, plan
from tender.sourcing.clauses import ClauseView
from tender.sourcing.risk.classes import batches, groups, resolve
from tender.sourcing.risk.evaluate import Outcome, evaluate
from tender.sourcing.risk.first_stage import FirstStage, of_plan
from tender.sourcing.risk.future import apply
from tender.sourcing.risk.sampler import draw, inputs, sample_seed
from tender.sourcing.rofr_answers import Asked, accepts, answer

ROOT = Path(__file__).resolve().parents[3]
RISK = ROOT / "tests" / "scenarios" / "risk"
EXAMPLE = ROOT / "examples" / "frontier-lab.yaml"
runner = CliRunner()


@pytest.mark.parametrize(("path", "samples"), [(RISK / "one_campus.yaml", 120), (EXAMPLE, 40)])
def test_groups_are_the_samples_of_one_future_scenario(path: Path, samples: int) -> None:
    sc = load_scenario(str(path))
    inp = inputs(sc)
    futures = [(apply(sc, d), dict(d.run_slips)) for d in (draw(inp, 3, i) for i in range(samples))]
    found = groups(inp, 3, range(samples))
    assert sorted(i for g in found for i in g) == list(range(samples))
    for g in found:
        assert g == sorted(g) and all(futures[i] == futures[g[0]] for i in g)
    heads = [futures[g[0]] for g in found]
    assert all(heads[a] != heads[b] for a in range(len(heads)) for b in range(a))
    half = groups(inp, 3, range(samples // 2))  # independent of N: the first half's groups
    assert half == [[i for i in g if i < samples // 2] for g in found if g[0] < samples // 2]
    assert len(found) < samples  # there is something to share on these scenarios


def _tree_replan(depth: int, p: Decimal, calls: list[int]) -> object:
    """A re-plan whose next question depends on the verdicts so far: need `n{path}` at each step."""

    def replan(i: int) -> Outcome:
        calls.append(i)
        coin, path, asked = sample_seed(7, i), "", []
        for _ in range(depth):
            verdict = accepts(coin, f"n{path}", p)
            asked.append(Asked(f"n{path}", p, verdict))
            path += "1" if verdict else "0"
        return Outcome(i, Decimal(int(path or "0", 2)), {}, (path,), {}, (), tuple(asked))

    return replan


@settings(max_examples=40, deadline=None)
@given(
    st.integers(0, 3),
    st.sampled_from([Decimal("0.2"), Decimal("0.5"), Decimal("0.9")]),
    st.lists(st.integers(0, 200), min_size=1, max_size=25, unique=True),
    st.randoms(use_true_random=False),
)
def test_resolve_gives_every_sample_its_own_path_in_any_order(
    depth: int, p: Decimal, group: list[int], rnd: object
) -> None:
    own_calls: list[int] = []
    own = {i: _tree_replan(depth, p, own_calls)(i) for i in group}  # type: ignore[operator]
    order = sorted(group)
    rnd.shuffle(order)  # type: ignore[attr-defined]
    calls: list[int] = []
    got = resolve(order, lambda i: sample_seed(7, i), _tree_replan(depth, p, calls))  # type: ignore[arg-type]
    for i, o in zip(order, got, strict=True):
        assert o == own[i]  # the same figures and tosses as its own re-plan
    assert len(calls) == len({o.runs_missed for o in own.values()})  # one re-plan per distinct path


def _rofr_case() -> tuple[Scenario, object, Need]:
    sc = load_scenario(str(EXAMPLE))
    rofr = ClauseView.of(sc).rofrs()[0]
    need = Need("chat/GB200", "consumer-chat", "inference", "GB200", 9000, "us-south", 12, 6, Decimal("5"))
    return sc, rofr, need


def _answers(sc: Scenario, rofr: object, need: Need) -> tuple[set[object], int]:
    """What the protocol does with each seed's answer (where the block is only when GPUs are taken:
    an exercise of 0 is sent as a decline, `rofr_loop._commands`), and how many tosses were told."""
    at = sc.calendar.month_start(1)
    out, told = set(), []
    for seed in range(40):
        a = answer(sc, need, rofr, at, seed, {}, False, told.append)  # type: ignore[arg-type]
        took = a.exercise != 0
        out.add((a.at, a.exercise, a.silent, a.region if took else None, a.block_from if took else None))
    return out, len(told)


def test_a_toss_is_told_exactly_where_seeds_give_different_answers() -> None:
    sc, rofr, need = _rofr_case()
    holder = rofr.holder  # type: ignore[attr-defined]
    found, told = _answers(sc, rofr, need)
    assert len(found) > 1 and told == 40  # the coin really decides (accept probability 0.5)
    cases = [replace(sc, rofr_responses=(ScriptedResponse(need.id, holder, decline=True),))]
    provider = sc.providers[holder]
    assert provider.rofr_behavior is not None
    for p in (Decimal(0), Decimal(1)):
        sure = replace(provider, rofr_behavior=replace(provider.rofr_behavior, accept_probability=p))
        cases.append(replace(sc, providers={**sc.providers, holder: sure}))
    late = replace(need, start=2)  # the holder's capacity cannot come before month 2: declined anyway
    tiny = replace(need, gpus=1)  # a 60 % share of 1 GPU is no whole block
    for case, n in [*((c, need) for c in cases), (sc, late), (sc, tiny)]:
        found, told = _answers(case, rofr, n)
        assert len(found) == 1 and told == 0


def _generated(seed: int) -> tuple[Scenario, FirstStage]:
    """A generated scenario with uncertainty whose holder (accept probability 0.5) answers every notice
    itself: the first stage keeps the plan's runs but scripts none of its answers."""
    sc = uncertain(seed)
    first = of_plan(plan(sc, PlanOptions(seed=seed)), tuple(r.id for r in sc.training_runs))
    return sc, replace(first, answers=())


GENERATED = range(10)


@pytest.mark.parametrize("gen", GENERATED)
def test_shared_run_equals_every_samples_own_replan_on_generated_scenarios(gen: int) -> None:
    sc, first = _generated(gen)
    options = PlanOptions(seed=gen)
    got = run_local(Path("unused"), sc, first, gen, 16, 1, options, lambda _k: None, share=True)
    assert got == [evaluate(sc, first, gen, i, options) for i in range(16)]


def _counted(sc: Scenario, first: FirstStage, gen: int, calls: list[int]) -> object:
    def replan(i: int) -> Outcome:
        calls.append(i)
        return evaluate(sc, first, gen, i, PlanOptions(seed=gen))

    return replan


def test_samples_whose_coins_disagree_are_replanned_separately_and_can_differ() -> None:
    differ = disagreeing = 0
    for gen in GENERATED:
        sc, first = _generated(gen)
        for g in batches(inputs(sc), gen, 16, True):
            calls: list[int] = []
            out = resolve(g, lambda i, gen=gen: sample_seed(gen, i), _counted(sc, first, gen, calls))  # type: ignore[misc, arg-type]
            head = out[0]
            apart = [
                k
                for k, i in enumerate(g)
                if any(
                    accepts(sample_seed(gen, i), a.need, a.accept_probability) != a.accepted
                    for a in head.coins
                )
            ]
            if apart:
                disagreeing += 1
                assert g[apart[0]] in calls  # the first sample whose coin disagrees is re-planned itself
            for k, o in enumerate(out):
                if k in apart:
                    assert o.coins != head.coins  # its own path, not the first sample's
                    differ += o.cost_usd != head.cost_usd
                else:
                    assert o == replace(head, sample=g[k])  # the same tosses: the same figures
    assert disagreeing > 0 and differ > 0  # some futures' samples really go apart, and cost apart


def _json(tmp_path: Path, args: list[str], name: str) -> bytes:
    out = tmp_path / name
    result = runner.invoke(app, ["risk", *args, "--per-sample", "--json", str(out)])
    assert result.exit_code == 0, result.output
    return out.read_bytes()


@pytest.mark.timeout(240)
@pytest.mark.parametrize(
    ("path", "seed", "samples"),
    [
        (RISK / "one_campus.yaml", 5, 30),
        (RISK / "book_or_buy.yaml", 2, 24),
        pytest.param(EXAMPLE, 1, 24, marks=pytest.mark.slow),  # ~20 s: both runs plan the example
    ],
)
def test_shared_and_unshared_studies_write_the_same_json(
    tmp_path: Path, path: Path, seed: int, samples: int
) -> None:
    args = [str(path), "--samples", str(samples), "--seed", str(seed)]
    shared = _json(tmp_path, args, "shared.json")
    assert shared == _json(tmp_path, [*args, "--no-share-futures"], "own.json")
    doc = json.loads(shared)
    assert len(doc["per_sample"]) == samples
    assert len(groups(inputs(load_scenario(str(path))), seed, range(samples))) < samples


@pytest.mark.slow
@pytest.mark.timeout(300)  # a spawn pool of two workers
def test_shared_runs_are_the_same_on_one_and_two_workers() -> None:
    sc = load_scenario(str(EXAMPLE))  # its holder's coin decides answers in many samples
    options = PlanOptions(seed=1)
    first = of_plan(plan(sc, options), tuple(r.id for r in sc.training_runs))
    ticks: list[int] = []
    one = run_local(EXAMPLE, sc, first, 1, 16, 1, options, lambda _k: None, share=True)
    two = run_local(EXAMPLE, sc, first, 1, 16, 2, options, ticks.append, share=True)
    assert one == two
    assert any(o.coins for o in one)
    assert sum(ticks) == 16  # the progress bar counts every sample, shared or re-planned
