"""Steps 1-2 of `planner.plan`: index the scenario, solve the first pass, find its needs.

1. `index`: the scenario (re-based on a re-plan's fixed months, a first stage's answers scripted), its
   clause view and its data (`data.build`, runs in progress pinned);
2. `first_pass`: that data (restricted by a first stage), the revenue share's constant, the first
   MILP (`pipeline.run_pass`) and the needs it shows (`needs.find_needs`).
A `FirstPass` reads neither the holder model's coin nor a first stage's bookings, so a risk study
finishes several re-plans of one future from it (`finish.finish`; `fits` says which first stages may
share it). Nothing here loads the ROFR protocol or the baseline: `tender plan` loads those
(`finish`) while HiGHS solves the first pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from tender.domain import Scenario, ScriptedResponse
from tender.sourcing import data as data_mod
from tender.sourcing.clauses import ClauseView
from tender.sourcing.ledger_projection import project
from tender.sourcing.needs import NeedPlan, find_needs
from tender.sourcing.pinned import pin_runs
from tender.sourcing.pipeline import Pass, run_pass
from tender.sourcing.solve import Progress
from tender.sourcing.types import PlanOptions

if TYPE_CHECKING:  # a re-plan's fixed months and a risk study's first stage: a plain plan loads neither
    from tender.domain.rebase import FixedMonths
    from tender.sourcing.risk.first_stage import FirstStage


@dataclass(frozen=True)
class Index:
    """Step 1 before any first stage restricts it: the scenario (re-based, the first stage's answers
    scripted) and its index with runs in progress pinned."""

    scenario: Scenario
    answers: tuple[ScriptedResponse, ...]  # the first stage's scripted answers (none without one)
    now: datetime
    view: ClauseView
    fixed: FixedMonths | None
    data: data_mod.PlanData


@dataclass(frozen=True)
class FirstPass:
    """Steps 1-2: what a plan has before any holder answers. A function of the `Index`, the first
    pass's run options (`FirstStage.restrict`) and the solver's options (`solver_key`), not of the
    holder model's coin nor of the bookings: `finish` completes it under any coin and any first
    stage that `fits` it (a risk study re-plans one future under several coins and two stages)."""

    index: Index
    data: data_mod.PlanData  # the index restricted for the first pass
    constant: Decimal
    solved: Pass
    needs: tuple[NeedPlan, ...]
    solver: tuple[object, ...]  # `solver_key` of the options it was solved with


def solver_key(options: PlanOptions) -> tuple[object, ...]:
    """What of `options` the passes read (`pipeline.run_pass`); the coin is read by the protocol only."""
    o = options
    return (o.seed, o.time_limit_s, o.mip_gap, o.integral_gpus, o.threads, o.profile, o.stop)


def index(
    scenario: Scenario,
    *,
    now: datetime | None = None,
    fixed: FixedMonths | None = None,
    first_stage: FirstStage | None = None,
) -> Index:
    """Step 1 of `plan` up to the first stage's restriction."""
    if fixed is not None:
        from tender.domain.rebase import rebase  # (a re-plan only: the TYPE_CHECKING note above)

        scenario = rebase(scenario, fixed)
        now = now or scenario.calendar.month_start(fixed.as_of)
    now = now or scenario.calendar.month_start(1)
    answers: tuple[ScriptedResponse, ...] = ()
    if first_stage is not None:
        scenario, answers = first_stage.with_answers(scenario), first_stage.answers
    view = ClauseView.of(scenario)
    data = pin_runs(data_mod.build(scenario, now=now, view=view), fixed)
    return Index(scenario, answers, now, view, fixed, data)


def _restricted(ix: Index, first_stage: FirstStage | None) -> data_mod.PlanData:
    return ix.data if first_stage is None else first_stage.restrict(ix.data, first_pass=True)


def first_pass(
    scenario: Scenario,
    options: PlanOptions = PlanOptions(),
    *,
    now: datetime | None = None,
    progress: Progress | None = None,
    fixed: FixedMonths | None = None,
    first_stage: FirstStage | None = None,
) -> FirstPass:
    """Steps 1-2 of `plan`: index the scenario, solve the first pass, find its needs."""
    ix = index(scenario, now=now, fixed=fixed, first_stage=first_stage)
    first_data = _restricted(ix, first_stage)
    constant = _revenue_share_total(first_data)
    first = run_pass(first_data, options, constant, progress)
    needs = tuple(find_needs(first_data, first.usages))
    return FirstPass(ix, first_data, constant, first, needs, solver_key(options))


def fits(fp: FirstPass, first_stage: FirstStage | None) -> bool:
    """Is `fp` the first pass `first_stage` would solve on `fp`'s index: the same scripted answers and
    the same first-pass run options (two stages that differ only where the first pass keeps every
    option, or in their bookings, which only the second pass reads)?"""
    answers = first_stage.answers if first_stage is not None else ()
    return (
        answers == fp.index.answers and _restricted(fp.index, first_stage).run_options == fp.data.run_options
    )


def _revenue_share_total(data: data_mod.PlanData) -> Decimal:
    proj = project(data, [], [], [])
    return proj.revenue_share_usd
