"""A scenario re-based at month `as_of`: what the months before it already settled is taken out.

`tender plan --actuals --as-of M` plans the rest of the horizon after the months before M were fixed to
the actuals. The planner and the independent checker both plan/check `rebase(scenario, fixed)`:

1. demand: fleets need nothing before `as_of` (the capacity held then served them); a training run
   that had to end before `as_of` is gone; one whose window is still open may start from `as_of` on
   (dropped when it no longer fits);
2. committed spend (every version: the scenario's, added by an amendment, or a `set_field` value):
   the total less what actuals already drew against it; milestones before `as_of` are settled (their
   shortfall was charged); later ones less what was drawn and what was already charged (a charged
   shortfall counts toward later milestones), never below 0;
3. reservations and take-or-pay begin no earlier than `as_of` (their earlier months were billed as
   actuals); a prepaid reservation that began before `as_of` keeps its capacity for the rest of its
   term but is `prepaid_settled` (its prepayment is in the actuals: nothing more is billed); revenue
   share accrues from `as_of` on (the forecast before it is 0);
4. pinned facts (`domain.pinned`): a run in progress keeps its accelerator and region and needs its
   GPUs from `as_of` to its own last month (the planner keeps it at its provider: `sourcing.pinned`);
   capacity still held becomes a reservation (`held:PROVIDER/GPU/REGION`, billed whether used,
   `as_of`..`until`); an answered notice becomes the holder's scripted answer for that demand,
   given at once (`response_days: 0`), ahead of every other script.
Months keep their numbers (1..horizon) so the plan's months are the scenario's.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from tender.domain.contract import (
    Amendment,
    Change,
    ChangeAction,
    CommittedSpend,
    Contract,
    Milestone,
    ReservedCapacity,
    TakeOrPay,
)
from tender.domain.demand import Fleet, TrainingRun
from tender.domain.pinned import AnsweredNotice, HeldCapacity, PinnedRun
from tender.domain.scenario import Scenario, ScriptedResponse

ZERO = Decimal(0)


@dataclass(frozen=True)
class Drawn:
    """What actuals before `as_of` drew against one commitment, and the shortfall charged by then."""

    contract: str
    drawn_usd: Decimal
    charged_usd: Decimal = ZERO


@dataclass(frozen=True)
class FixedMonths:
    """The months before `as_of` are fixed to the actuals (1 < as_of <= horizon + 1)."""

    as_of: int
    drawn: tuple[Drawn, ...] = ()
    runs: tuple[PinnedRun, ...] = ()
    held: tuple[HeldCapacity, ...] = ()
    notices: tuple[AnsweredNotice, ...] = ()

    @property
    def months(self) -> range:
        return range(1, self.as_of)

    def of(self, contract: str) -> Drawn:
        return next((d for d in self.drawn if d.contract == contract), Drawn(contract, ZERO))

    def pinned(self, run: str) -> PinnedRun | None:
        return next((p for p in self.runs if p.run == run), None)


def _fleet(f: Fleet, as_of: int) -> Fleet:
    return replace(f, h100_eq=tuple(ZERO if m < as_of else q for m, q in enumerate(f.h100_eq, start=1)))


def _run(r: TrainingRun, fixed: FixedMonths) -> TrainingRun | None:
    as_of = fixed.as_of
    pin = fixed.pinned(r.id)
    if pin is not None:
        if pin.end < as_of:
            return None
        return replace(
            r,
            gpu_types=(pin.gpu,),
            regions_allowed=(pin.region,),
            mixed_types_ok=False,
            earliest_start_month=as_of,
            duration_months=pin.end - as_of + 1,
            latest_end_month=pin.end,
        )
    start = max(r.earliest_start_month, as_of)
    if start + r.duration_months - 1 > r.latest_end_month:
        return None
    return replace(r, earliest_start_month=start)


def _milestones(ms: tuple[Milestone, ...], d: Drawn, as_of: int) -> tuple[Milestone, ...]:
    less = d.drawn_usd + d.charged_usd
    return tuple(Milestone(m.by_month, max(ZERO, m.cumulative_usd - less)) for m in ms if m.by_month >= as_of)


def _clause(c: Contract, fixed: FixedMonths) -> Contract:
    as_of = fixed.as_of
    if isinstance(c, CommittedSpend):
        d = fixed.of(c.id)
        total = max(ZERO, c.total_usd - d.drawn_usd)
        return replace(c, total_usd=total, milestones=_milestones(c.milestones, d, as_of))
    if isinstance(c, ReservedCapacity) and c.start_month < as_of:
        settled = c.prepaid_settled or c.billing == "prepaid_upfront"
        term = max(0, c.end_month - as_of + 1)
        return replace(c, start_month=as_of, term_months=term, prepaid_settled=settled)
    if isinstance(c, TakeOrPay) and c.effective_from_month < as_of:
        end = c.effective_from_month + c.term_months - 1
        return replace(c, effective_from_month=as_of, term_months=max(0, end - as_of + 1))
    return c


def _change(ch: Change, fixed: FixedMonths, commitments: set[str]) -> Change:
    if ch.contract is not None:
        return replace(ch, contract=_clause(ch.contract, fixed))
    if ch.action is ChangeAction.SET_FIELD and ch.contract_id in commitments:
        d = fixed.of(ch.contract_id)
        if ch.field == "total_usd":
            return replace(ch, value=max(ZERO, Decimal(str(ch.value)) - d.drawn_usd))
        if ch.field == "milestones" and isinstance(ch.value, tuple):
            return replace(ch, value=_milestones(ch.value, d, fixed.as_of))
    return ch


def _held(fixed: FixedMonths) -> tuple[ReservedCapacity, ...]:
    return tuple(
        ReservedCapacity(
            id=h.clause_id,
            provider=h.provider,
            gpu=h.gpu,
            gpus=h.gpus,
            region=h.region,
            start_month=fixed.as_of,
            term_months=h.until - fixed.as_of + 1,
        )
        for h in fixed.held
        if h.until >= fixed.as_of and h.gpus > 0
    )


def _answers(fixed: FixedMonths) -> tuple[ScriptedResponse, ...]:
    return tuple(
        ScriptedResponse(
            n.demand,
            n.holder,
            exercise_gpus=None if n.declined else n.exercised_gpus,
            decline=n.declined,
            response_days=0,
        )
        for n in fixed.notices
    )


def rebase(sc: Scenario, fixed: FixedMonths) -> Scenario:
    as_of = fixed.as_of
    if as_of <= 1:
        return sc
    commitments = {c.id for c in sc.contracts if isinstance(c, CommittedSpend)}
    commitments |= {
        ch.contract.id
        for a in sc.amendments
        for ch in a.changes
        if ch.contract is not None and isinstance(ch.contract, CommittedSpend)
    }
    runs = tuple(r for r in (_run(r, fixed) for r in sc.training_runs) if r is not None)
    amendments = tuple(
        Amendment(
            a.id, a.effective_month, tuple(_change(ch, fixed, commitments) for ch in a.changes), a.resembles
        )
        for a in sc.amendments
    )
    return replace(
        sc,
        fleets=tuple(_fleet(f, as_of) for f in sc.fleets),
        training_runs=runs,
        contracts=(*(_clause(c, fixed) for c in sc.contracts), *_held(fixed)),
        amendments=amendments,
        rofr_responses=(*_answers(fixed), *sc.rofr_responses),
        revenue_forecast_usd=tuple(
            ZERO if m < as_of else v for m, v in enumerate(sc.revenue_forecast_usd, start=1)
        ),
    )
