"""Samples with the same future share one recourse (an exact shortcut; docs/risk.md, "Fast recourse").

A sample's recourse is a function of its draw (`future.apply`, `FirstStage.shifted`) and of its re-plan
seed, and the seed enters in two places only: HiGHS's `random_seed` (which path the solver takes to an
optimum within `mip_gap`: solver tolerance, not a modelled uncertainty) and the holder model's coin for
a notice no first-stage answer scripts (`rofr_answers.answer`, step 2: a modelled uncertainty).

1. `key(draw)`: the draw without its index: every sampled input, in the sampler's order;
2. `representatives(inputs, seed, samples)`: per sample the smallest index with the same key (itself
   when it is the first of its future) — independent of `samples` and of where a sample runs;
3. `expand(reps, evaluate)`: evaluate every representative; a sample whose representative's re-plan
   asked the holder model (`Outcome.holder_drawn`) is evaluated itself (its own coin), every other one
   takes its representative's outcome under its own index. Same result for any number of workers.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import replace

from tender.sourcing.risk.evaluate import Outcome
from tender.sourcing.risk.sampler import Draw, Inputs, draw

Evaluate = Callable[[Sequence[int]], Sequence[Outcome]]  # outcomes of these indices, in their order


def _none(_k: int) -> None:
    return None


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


def representatives(inp: Inputs, seed: int, samples: int) -> list[int]:
    """Step 2: `reps[i]` is the first sample whose draw has the key of sample i."""
    first: dict[Hashable, int] = {}
    return [first.setdefault(key(draw(inp, seed, i)), i) for i in range(samples)]


def expand(reps: Sequence[int], evaluate: Evaluate, shared: Callable[[int], None] = _none) -> list[Outcome]:
    """Step 3: outcomes in sample order; `evaluate` is called at most twice (representatives, then the
    samples that need their own holder coin); `shared(k)`: k samples took their representative's."""
    heads = [i for i, r in enumerate(reps) if r == i]
    done = dict(zip(heads, evaluate(heads), strict=True))
    own = [i for i, r in enumerate(reps) if r != i and done[r].holder_drawn]
    done.update(zip(own, evaluate(own) if own else (), strict=True))
    if len(reps) > len(done):
        shared(len(reps) - len(done))
    return [done[i] if i in done else replace(done[reps[i]], sample=i) for i in range(len(reps))]
