"""The out-of-sample study of `tender plan --robust`: both plans and perfect information, per future.

1. evaluation sample i is the sampler's sample `FRESH + i` of the seed (never one of the K samples the
   robust plan was solved on, for K < FRESH);
2. in each, with common random numbers (the same draw, the same re-plan seed): the deterministic plan's
   first stage (its runs, answers and bookings) and the robust plan's are re-planned with
   `evaluate.evaluate_draw` (cost EEV_i and RP_i), and the future itself is planned with perfect
   information, `plan(future)` (cost WS_i, the wait-and-see cost); all three with the `recourse`
   solver profile (`PlanOptions.profile`);
3. `measures`: VSS = mean(EEV_i - RP_i), EVPI = mean(RP_i - WS_i), each with the standard error of the
   paired differences, s / sqrt(N) (minimisation: VSS > 0 when the robust plan is cheaper on average);
4. `hedge`: the two first stages in the future as written (every input unchanged): what the robust
   plan costs more there, the premium paid when nothing goes wrong. Two re-plans, with `tender plan`'s
   solver profile, so that the deterministic plan's first stage costs there what `tender plan` said
   (within 0.1 % on the example, seeds 0-3); with the recourse profile the first pass can stop at
   another optimum and ask the holders about other needs (docs/risk.md, "The recourse solver profile").
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from tender.domain import Scenario
from tender.sourcing.planner import plan
from tender.sourcing.risk.evaluate import Outcome, evaluate_draw
from tender.sourcing.risk.first_stage import FirstStage
from tender.sourcing.risk.future import apply
from tender.sourcing.risk.sampler import Draw, draw, inputs, sample_seed
from tender.sourcing.risk.stats import mean, std_error
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


def study_sample(
    sc: Scenario, det: FirstStage, rob: FirstStage, seed: int, i: int, options: PlanOptions
) -> Triple:
    """Step 2 for evaluation sample i (a pure function of its inputs)."""
    index = FRESH + i
    d = draw(inputs(sc), seed, index)
    opts = replace(options, seed=sample_seed(seed, index))
    a = replace(evaluate_draw(sc, det, d, opts), sample=i)
    b = replace(evaluate_draw(sc, rob, d, opts), sample=i)
    ws = plan(apply(sc, d), replace(opts, profile="recourse")).cost_total_usd
    return Triple(a, b, ws)


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
