"""Samples with the same future share a re-plan, exactly (docs/risk.md, "Sharing futures").

A sample's re-plan is a function of its draw without the index (`future.apply`, `FirstStage.shifted`),
of the study's seed (HiGHS's `random_seed`, the same in every sample: `evaluate.sample_options`) and of
the holder model's coin, seeded per sample (`rofr_answers.accepts`). The re-plan records, in order,
every toss whose verdict decided an answer (`Outcome.coins`). A sample of the same future whose own
coin gives the same verdict on every recorded toss takes the same path: the same answers up to the
first toss, hence the same next toss, and so on; its figures are the recorded re-plan's, to the cent.

1. `key(draw)`: the draw without its index: every sampled input, in the sampler's order;
2. `groups(inputs, seed, indices)`: the indices by future, each group in index order, groups in order
   of their first index — independent of how many samples there are and of where they run;
3. `resolve(group, coin, replan)`: a future's samples in index order; each takes the first of the
   future's *traces* (its re-plans so far) whose every recorded toss its own coin repeats
   (`repeats`), else it is re-planned and its outcome becomes another trace. Two traces of a future
   part at a toss they both asked with different verdicts, so a sample repeats at most one of them:
   which sample was re-planned first does not change any sample's figures;
4. `Traces`: step 3's list for one future, for any traced result (the robust study's three re-plans);
5. `evaluate_group`: step 3 for `tender risk` (`evaluate.evaluate` as the re-plan, the future's
   re-plans finished from one first pass, `passes.FirstPasses`); `batches`: the
   groups a pool runs (one task each, largest first), or one sample each without sharing.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Generic, Protocol, TypeVar

from tender.domain import Scenario
from tender.sourcing.risk.evaluate import Outcome, evaluate
from tender.sourcing.risk.first_stage import FirstStage
from tender.sourcing.risk.passes import FirstPasses
from tender.sourcing.risk.sampler import Draw, Inputs, draw, sample_seed
from tender.sourcing.rofr_answers import Asked, accepts
from tender.sourcing.types import PlanOptions


class Traced(Protocol):
    @property
    def coins(self) -> tuple[Asked, ...]: ...


T = TypeVar("T", bound=Traced)


def key(d: Draw) -> Hashable:
    """Step 1: everything of the draw but its index (mappings as sorted items)."""
    return (
        tuple(sorted(d.phase_delays.items())),
        tuple(sorted(d.slips.items())),
        tuple(sorted(d.demand.items())),
        tuple(sorted(d.run_slips.items())),
        tuple(sorted(d.holders.items())),
        d.on_demand,
        d.spot,
    )


def groups(inp: Inputs, seed: int, indices: Iterable[int]) -> list[list[int]]:
    """Step 2: sample indices with the same future together, in index order."""
    by_key: dict[Hashable, list[int]] = {}
    for i in sorted(indices):
        by_key.setdefault(key(draw(inp, seed, i)), []).append(i)
    return sorted(by_key.values(), key=lambda g: g[0])


def repeats(coins: Sequence[Asked], coin: int) -> bool:
    """Does coin seed `coin` give every recorded toss the same verdict?"""
    return all(accepts(coin, a.need, a.accept_probability) == a.accepted for a in coins)


@dataclass
class Traces(Generic[T]):
    """Step 4: one future's re-plans so far; `get` reuses one the coin repeats, else re-plans."""

    found: list[T] = field(default_factory=list)

    def get(self, coin: int, replan: Callable[[], T]) -> T:
        hit = next((t for t in self.found if repeats(t.coins, coin)), None)
        if hit is None:
            hit = replan()
            self.found.append(hit)
        return hit


def resolve(
    group: Sequence[int], coin: Callable[[int], int], replan: Callable[[int], Outcome]
) -> list[Outcome]:
    """Step 3: the outcomes of one future's samples, in the group's order, each under its own index."""
    traces: Traces[Outcome] = Traces()
    out = []
    for i in group:
        trace = traces.get(coin(i), partial(_traced, replan, i))
        out.append(replace(trace, sample=i))
    return out


def _traced(replan: Callable[[int], Outcome], i: int) -> Outcome:
    return replace(replan(i), replanned_as=i)


def replans(outcomes: Sequence[Outcome]) -> int:
    """How many of `outcomes` are a re-plan of their own sample (the rest took another's)."""
    return sum(1 for o in outcomes if o.replanned_as in (None, o.sample))


def evaluate_group(
    sc: Scenario, first: FirstStage, seed: int, group: Sequence[int], options: PlanOptions
) -> list[Outcome]:
    """Step 5: one future's samples of `tender risk`, each re-planned only when no trace fits (the
    re-plans of the future share its first pass, `passes.FirstPasses`)."""
    passes = FirstPasses()
    return resolve(group, partial(sample_seed, seed), lambda i: evaluate(sc, first, seed, i, options, passes))


def batches(inp: Inputs, seed: int, samples: int, share: bool) -> list[list[int]]:
    """Step 5: with `share`, the futures' groups, largest first (then by first index); without it
    every sample on its own (`--no-share-futures`: one re-plan per sample, the reference path)."""
    if not share:
        return [[i] for i in range(samples)]
    return sorted(groups(inp, seed, range(samples)), key=lambda g: (-len(g), g[0]))
