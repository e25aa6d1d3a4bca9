"""One sampled future, re-planned with the first stage fixed (the recourse), and what it cost.

1. draw sample `index` of `seed` (`sampler.draw`) and build that future's scenario (`future.apply`);
2. shift the first stage's runs by their start slips (`FirstStage.shifted`);
3. re-plan with the planner itself (`sourcing.plan(..., first_stage=...)`): HiGHS seeded by the
   study's `seed` (`PlanOptions.seed`: solver tolerance, the same in every sample), the holder
   model's coin by the sample's own `sampler.sample_seed(seed, index)` (`PlanOptions.coin_seed`: a
   modelled uncertainty); every clause enforced, the first stage fixed; HiGHS with the `recourse`
   solver profile (`PlanOptions.profile`, `solve.profile_options`: lighter heuristics, no presolve on
   small models), which is what every sampled re-plan of a study (risk, robust study, tornado) goes
   through;
4. read off the outcome: total cost (the plan's `cost_total_usd`: compute, shortfall penalties,
   revenue share, unmet penalty; with bookings also the booked GPU-hours left idle, `booking.idle_usd`),
   unmet h100_eq-months per fleet, runs missed, shortfall per
   commitment, and the capacity gap per month (fleets' unmet h100_eq plus a missed run's
   GPUs x h100_eq in the months of its slot); and the coin tosses that decided a holder's answer, in
   order (`Outcome.coins`, `rofr_answers.Asked`): the re-plan is a function of the future and of
   those verdicts only, which is what `classes.py` shares re-plans on; the re-plans of one future
   under different coins share their first pass (`passes.FirstPasses`), which reads no coin.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal

from tender.domain import Scenario
from tender.sourcing.finish import Figures
from tender.sourcing.planner import plan
from tender.sourcing.risk.booking import idle_usd
from tender.sourcing.risk.first_stage import FirstStage
from tender.sourcing.risk.future import apply
from tender.sourcing.risk.passes import FirstPasses
from tender.sourcing.risk.sampler import Draw, draw, inputs, sample_seed
from tender.sourcing.rofr_answers import Asked
from tender.sourcing.types import Plan, PlanOptions, Profile

ZERO = Decimal(0)


@dataclass(frozen=True)
class Outcome:
    sample: int
    cost_usd: Decimal
    unmet: Mapping[str, Decimal]  # fleet -> unmet h100_eq-months (fleets with none absent)
    runs_missed: tuple[str, ...]
    shortfalls: Mapping[str, Decimal]  # commitment -> shortfall charged, USD (every commitment)
    gap: tuple[Decimal, ...]  # per month 1..horizon, h100_eq
    coins: tuple[Asked, ...] = ()  # the coin tosses that decided a holder's answer, in order
    # the sample whose re-plan this is (`classes.resolve`; not a figure: never compared or written)
    replanned_as: int | None = field(default=None, compare=False)

    @property
    def unmet_total(self) -> Decimal:
        return sum(self.unmet.values(), ZERO)


def sample_options(options: PlanOptions, seed: int, index: int) -> PlanOptions:
    """Step 3's seeds: HiGHS the study's `seed`, the holder model's coin the sample's own."""
    return replace(options, seed=seed, coin_seed=sample_seed(seed, index))


def evaluate(
    sc: Scenario,
    first: FirstStage,
    seed: int,
    index: int,
    options: PlanOptions,
    passes: FirstPasses | None = None,
) -> Outcome:
    d = draw(inputs(sc), seed, index)
    return evaluate_draw(sc, first, d, sample_options(options, seed, index), passes=passes)


def evaluate_draw(
    sc: Scenario,
    first: FirstStage,
    d: Draw,
    options: PlanOptions,
    profile: Profile = "recourse",
    passes: FirstPasses | None = None,
) -> Outcome:
    """Steps 1-4 for a given draw (`options` seeds the re-plan; `profile` the solver profile); with
    `passes`, the re-plan's first pass is the one kept for this future and first stage, if any
    (`passes.FirstPasses`: the same figures)."""
    future = apply(sc, d)
    stage = first.shifted(d.run_slips)
    asked: list[Asked] = []
    opts = replace(options, profile=profile, on_coin=asked.append)
    result = plan(future, opts, first_stage=stage) if passes is None else passes.plan(d, future, opts, stage)
    return outcome(stage.with_answers(future), stage, result, d.index, tuple(asked))


def outcome(
    sc: Scenario, stage: FirstStage, p: Plan | Figures, index: int, coins: tuple[Asked, ...] = ()
) -> Outcome:
    fleets = {f.id for f in sc.fleets}
    unmet: dict[str, Decimal] = {}
    gap = [ZERO] * sc.horizon
    missed: set[str] = set()
    for u in p.unmet:
        if u.demand in fleets and u.h100_eq is not None:
            unmet[u.demand] = unmet.get(u.demand, ZERO) + u.h100_eq
            gap[u.month - 1] += u.h100_eq
        elif u.gpus is not None:
            missed.add(u.demand)
    for r in sc.training_runs:
        slot = stage.runs.get(r.id)
        if r.id not in missed or slot is None:
            continue
        eq = r.gpus * sc.accelerators[slot.gpu].h100_eq
        for m in range(slot.start, min(slot.start + r.duration_months, sc.horizon + 1)):
            gap[m - 1] += eq
    shortfalls: dict[str, Decimal] = {}
    for ms in p.milestones:
        shortfalls[ms.contract] = shortfalls.get(ms.contract, ZERO) + ms.shortfall_usd
    idle = ZERO if stage.booked is None else idle_usd(stage.booked, sc, p)
    return Outcome(
        index,
        p.cost_total_usd + idle,
        dict(sorted(unmet.items())),
        tuple(sorted(missed)),
        dict(sorted(shortfalls.items())),
        tuple(gap),
        coins,
    )
