"""The out-of-sample study of `tender plan --robust`: both plans and perfect information, per future.

1. evaluation sample i is the sampler's sample `FRESH + i` of the seed (never one of the K samples the
   robust plan was solved on, for K < FRESH);
2. in each, with common random numbers (the same draw, the same seeds: HiGHS the study's, the holder
   coin the sample's, `evaluate.sample_options`): the deterministic plan's first stage (its runs,
   answers and bookings) and the robust plan's are re-planned with `evaluate.evaluate_draw` (cost
   EEV_i and RP_i), and the future itself is planned with perfect information, `plan(future)` (cost
   WS_i, the wait-and-see cost); all three with the `recourse` solver profile
   (`PlanOptions.profile`). `study_group` does this for one future's samples at once, in two
   parts (`stages_part`: both first stages; `wait_and_see_part`), each re-plan shared as `tender
   risk`'s are (`classes.Traces`: reused where the sample's own coin repeats every toss that decided
   an answer, else re-planned, from a first pass of that future already solved where one fits,
   `passes.FirstPasses`): the same figures as `study_sample` (plain `plan` calls) for each sample,
   to the cent;
3. `measures`: VSS = mean(EEV_i - RP_i), EVPI = mean(RP_i - WS_i), each with the standard error of the
   paired differences, s / sqrt(N) (minimisation: VSS > 0 when the robust plan is cheaper on average);
4. `hedge`: the two first stages in the future as written (every input unchanged): what the robust
   plan costs more there, the premium paid when nothing goes wrong. Two re-plans, with `tender plan`'s
   solver profile, so that the deterministic plan's first stage costs there what `tender plan` said
   (within 0.1 % on the example, seeds 0-3); with the recourse profile the first pass can stop at
   another optimum and ask the holders about other needs (docs/risk.md, "The recourse solver profile").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import partial

from tender.domain import Scenario
from tender.sourcing.planner import plan
from tender.sourcing.risk.classes import Traces, groups
from tender.sourcing.risk.evaluate import Outcome, evaluate_draw, sample_options
from tender.sourcing.risk.first_stage import FirstStage
from tender.sourcing.risk.future import apply
from tender.sourcing.risk.passes import FirstPasses
from tender.sourcing.risk.sampler import Draw, draw, inputs
from tender.sourcing.risk.stats import mean, std_error
from tender.sourcing.rofr_answers import Asked
from tender.sourcing.types import PlanOptions

FRESH = 1_000_000


@dataclass(frozen=True)
class Triple:
    deterministic: Outcome
    robust: Outcome
    wait_and_see_usd: Decimal


@dataclass(frozen=True)
class Measures:
    vss_usd: Decimal
    vss_se_usd: Decimal
    evpi_usd: Decimal
    evpi_se_usd: Decimal
    wait_and_see_usd: Decimal
    wait_and_see_se_usd: Decimal


@dataclass(frozen=True)
class WaitAndSee:
    cost_usd: Decimal
    coins: tuple[Asked, ...]  # the coin tosses that decided a holder's answer, in order


def wait_and_see(
    sc: Scenario, d: Draw, options: PlanOptions, passes: FirstPasses | None = None
) -> WaitAndSee:
    asked: list[Asked] = []
    opts = replace(options, profile="recourse", on_coin=asked.append)
    future = apply(sc, d)
    p = plan(future, opts) if passes is None else passes.plan(d, future, opts, None)
    return WaitAndSee(p.cost_total_usd, tuple(asked))


def study_sample(
    sc: Scenario, det: FirstStage, rob: FirstStage, seed: int, i: int, options: PlanOptions
) -> Triple:
    """Step 2 for evaluation sample i alone, each of its three re-plans a plain `plan` (nothing
    shared or kept: the reference path of `study_group`; a pure function of its inputs)."""
    d = draw(inputs(sc), seed, FRESH + i)
    opts = sample_options(options, seed, FRESH + i)
    eev, rp = evaluate_draw(sc, det, d, opts), evaluate_draw(sc, rob, d, opts)
    return Triple(replace(eev, sample=i), replace(rp, sample=i), wait_and_see(sc, d, opts).cost_usd)


def stages_part(
    sc: Scenario, stages: tuple[FirstStage, FirstStage], seed: int, group: list[int], options: PlanOptions
) -> tuple[list[Outcome], list[Outcome]]:
    """Step 2, both first stages (EEV_i, RP_i) for evaluation samples of one future, in order: per
    stage a re-plan reused where the sample's coin repeats its tosses (`classes.Traces`), and all
    re-plans of the future finished from a first pass already solved where one fits
    (`passes.FirstPasses`: another coin, or the other stage with the same first pass)."""
    inp, passes = inputs(sc), FirstPasses()
    traces = (Traces[Outcome](), Traces[Outcome]())
    out: tuple[list[Outcome], list[Outcome]] = ([], [])
    for i in group:
        d = draw(inp, seed, FRESH + i)
        opts = sample_options(options, seed, FRESH + i)
        for stage, trace, found in zip(stages, traces, out, strict=True):
            o = trace.get(opts.coin, partial(evaluate_draw, sc, stage, d, opts, passes=passes))
            found.append(replace(o, sample=i))
    return out


def wait_and_see_part(sc: Scenario, seed: int, group: list[int], options: PlanOptions) -> list[Decimal]:
    """Step 2, the wait-and-see costs WS_i of evaluation samples of one future, in order, shared as
    `stages_part`'s re-plans are."""
    inp, traces, passes = inputs(sc), Traces[WaitAndSee](), FirstPasses()
    out = []
    for i in group:
        d = draw(inp, seed, FRESH + i)
        opts = sample_options(options, seed, FRESH + i)
        out.append(traces.get(opts.coin, partial(wait_and_see, sc, d, opts, passes)).cost_usd)
    return out


def study_group(
    sc: Scenario, det: FirstStage, rob: FirstStage, seed: int, group: list[int], options: PlanOptions
) -> list[Triple]:
    """Step 2 for evaluation samples of one future (`classes.groups` of `FRESH + i`), in order: its
    two parts, each computed on its own (a pool can run them apart: `cli.study_pool`)."""
    eev, rp = stages_part(sc, (det, rob), seed, group, options)
    ws = wait_and_see_part(sc, seed, group, options)
    return [Triple(*t) for t in zip(eev, rp, ws, strict=True)]


def study_batches(sc: Scenario, seed: int, samples: int, share: bool = True) -> list[list[int]]:
    """The evaluation samples by future (`classes.groups` of `FRESH + i`), largest group first; without
    `share` one sample per batch (every sample's three re-plans its own)."""
    if not share:
        return [[i] for i in range(samples)]
    found = groups(inputs(sc), seed, (FRESH + i for i in range(samples)))
    return sorted(([j - FRESH for j in g] for g in found), key=lambda g: (-len(g), g[0]))


def study_all(
    sc: Scenario,
    stages: tuple[FirstStage, FirstStage],
    seed: int,
    samples: int,
    options: PlanOptions,
    share: bool = True,
    done: Callable[[int], None] | None = None,
) -> list[Triple]:
    """Step 2 for evaluation samples 0..samples-1 here, one future's batch after the other
    (`study_batches`), in sample order: what one worker runs (`tender plan --robust --workers 1`, the
    service's studies); `done` is told each batch's samples."""
    found: dict[int, Triple] = {}
    for batch in study_batches(sc, seed, samples, share):
        found.update(zip(batch, study_group(sc, *stages, seed, batch, options), strict=True))
        if done is not None:
            done(len(batch))
    return [found[i] for i in range(samples)]


def measures(triples: list[Triple]) -> Measures:
    vss = [t.deterministic.cost_usd - t.robust.cost_usd for t in triples]
    evpi = [t.robust.cost_usd - t.wait_and_see_usd for t in triples]
    ws = [t.wait_and_see_usd for t in triples]
    return Measures(mean(vss), std_error(vss), mean(evpi), std_error(evpi), mean(ws), std_error(ws))


def hedge(sc: Scenario, det: FirstStage, rob: FirstStage, options: PlanOptions) -> tuple[Decimal, Decimal]:
    """Step 4: (deterministic, robust) cost in the future as written."""
    nothing = Draw(-1, {}, {}, {}, {}, {})
    a = evaluate_draw(sc, det, nothing, options, profile="plan")
    b = evaluate_draw(sc, rob, nothing, options, profile="plan")
    return a.cost_usd, b.cost_usd
