"""ROFR in the loop: notice every in-scope need, apply the holders' answers, re-plan, sign.

Flow (step 1 is `needs.py`, which the first pass runs without this module):
1. `find_needs`: the first pass (gated third-party capacity usable in a month once an answer could
   be in before it starts) shows, per (demand, accelerator, third party, region, binding rights),
   the best third-party alternative: GPUs at peak, months, price. A need goes to the holder of
   every right that binds buying it (each right's third parties are the others), noticed at the
   plan instant, or when its rights come into force if that is later;
2. `run_protocol`: each need runs through the contract engine on its own (`NewNeed`, the quote,
   each holder's answer from `rofr_answers`, a tick when a holder stays silent), so one need's
   timers never act on another's;
3. `blocks_and_bounds`: what a holder took becomes a block of its new capacity at the notice price
   (paid whether used); what every holder released bounds the gated capacity per month from the
   last answer on;
4. `sign_third_parties`: after the re-plan, each need's run is replayed with the lab signing the
   third party (`ThirdPartySigned`) for what the plan uses, right after the answers. The state is
   not advanced past the signatures, so released capacity the re-plan did not need does not revive
   notices for a need that is gone. Amendments act through the clause timeline: from the month a
   right ends, capacity is no longer gated and no notice is due.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from tender.contracts import (
    Command,
    HolderResponse,
    NewNeed,
    Notice,
    NoticeStatus,
    QuoteReceived,
    RofrState,
    ThirdPartySigned,
    Tick,
    initial_state,
    step,
)
from tender.domain import OnExpiry, Rofr
from tender.sourcing.data import PlanData
from tender.sourcing.extract import Usage
from tender.sourcing.needs import GateKey, NeedPlan, gate_key
from tender.sourcing.rofr_answers import Answer, Granted, OnCoin, answer, book
from tender.sourcing.types import HOLDER_NEW, Offer

NoticeKey = tuple[str, str, str, str, int]  # a gate key and a month: which notice released it
Timed = tuple[datetime, int, Command]


def answers_for(
    data: PlanData, np_: NeedPlan, seed: int, granted: Granted, on_coin: OnCoin | None = None
) -> list[Answer]:
    """Each binding right's holder answers in clause order; later holders answer for what is left."""
    month = data.scenario.calendar.month_of(np_.at)
    first = {c.id: c for c in data.view.rofrs()}
    left = np_.need.gpus
    out: list[Answer] = []
    for clause, _holder in np_.rights:
        right: Rofr = data.view.right_at(clause, month) or first[clause]  # the version noticed
        reply = answer(
            data.scenario,
            replace(np_.need, gpus=left),
            right,
            np_.at,
            seed,
            granted,
            np_.indivisible,
            on_coin,
        )
        if not reply.silent and (left == 0 or (reply.exercise is None and left < np_.need.gpus)):
            reply = replace(reply, exercise=_most_of(right, left))  # "exercise all" takes what is left
        taken = left if reply.exercise is None else reply.exercise
        if taken > 0 and not reply.silent:
            book(granted, reply, np_.need, np_.need.start_month(data.scenario.calendar), taken)
            left = max(left - taken, 0)
        elif reply.silent and right.on_expiry is OnExpiry.DEEMED_EXERCISED:
            left = 0  # silence deemed an exercise of all that is left: later holders have nothing to take
        out.append(reply)
    return out


def _most_of(right: Rofr, left: int) -> int:
    """The most a holder can exercise of the `left` GPUs another holder did not take (0 = decline)."""
    block = max(right.min_exercise_block_gpus, 1)
    return (left // block) * block if right.partial_exercise else 0


def _commands(np_: NeedPlan, answers: list[Answer]) -> list[Timed]:
    """Step 2 for one need: the need, the quote, then each holder's answer (or a tick past silence)."""
    need = np_.need
    out: list[Timed] = [
        (np_.at, 0, NewNeed(need)),
        (np_.at, 1, QuoteReceived(need.id, np_.provider, need.price, need.gpus)),
    ]
    for seq, reply in enumerate(answers, start=2):
        if reply.silent:
            out.append((reply.at + timedelta(seconds=1), seq, Tick()))
        elif reply.exercise == 0:
            out.append(
                (reply.at, seq, HolderResponse(need.id, reply.holder, decline=True, clause=reply.clause))
            )
        else:
            out.append(
                (reply.at, seq, HolderResponse(need.id, reply.holder, reply.exercise, clause=reply.clause))
            )
    return out


def _run(data: PlanData, commands: list[Timed]) -> RofrState:
    """One need's commands in time order; a notice still open at the end (its answer was refused)
    runs out: one tick just past its deadline, so `on_expiry` decides as if the holder were silent."""
    state = _replay(data, commands)
    late = [notice.deadline for notice in state.notices if notice.status is NoticeStatus.OPEN]
    if late:
        state = _replay(data, [*commands, (max(late) + timedelta(seconds=1), len(commands), Tick())])
    return state


def _replay(data: PlanData, commands: list[Timed]) -> RofrState:
    state = initial_state(data.scenario)
    for at, _state, cmd in sorted(commands, key=lambda timed: (timed[0], timed[1])):
        state, _events = step(state, cmd, at)
    return state


def _releasable(np_: NeedPlan, notices: list[Notice]) -> int:
    """What a third party may have: what every holder released, and never more than the need lacks
    after all the holders' exercises (one holder may hold several binding rights)."""
    exercised = sum(notice.exercised_gpus for notice in notices)
    return max(min(*(notice.released_gpus for notice in notices), np_.need.gpus - exercised), 0)


def sign_at(notices: list[Notice], settled: datetime | None) -> datetime | None:
    """The one instant the lab can sign the third party under every binding right: once the need's
    protocol has settled (`settled`: its last answer, or the tick past a silent deadline), and within
    every release window, inclusive (None: no such instant, so nothing can be signed)."""
    if settled is None:
        return None
    late = any(
        notice.close_by is not None and notice.released_gpus > 0 and settled > notice.close_by
        for notice in notices
    )
    return None if late else settled


@dataclass(frozen=True)
class Protocol:
    """Every need's own run through the contract engine, merged for reporting."""

    runs: tuple[tuple[NeedPlan, list[Answer], RofrState], ...]

    def merged(self, data: PlanData) -> RofrState:
        base = initial_state(data.scenario)
        notices = tuple(notice for _np, _answers, state in self.runs for notice in state.notices)
        rejected = tuple(rejection for _np, _answers, state in self.runs for rejection in state.rejected)
        awards = tuple(award for _np, _answers, state in self.runs for award in state.awards)
        return replace(base, notices=notices, rejected=rejected, awards=awards)


def run_protocol(data: PlanData, needs: list[NeedPlan], seed: int, on_coin: OnCoin | None = None) -> Protocol:
    """Steps 2-3: notices, quotes and answers, one engine run per need (`seed`: the holder model's
    coin seed; `on_coin` is told every toss that decided an answer, in order)."""
    granted: Granted = {}
    runs = []
    for np_ in needs:
        answers = answers_for(data, np_, seed, granted, on_coin)
        runs.append((np_, answers, _run(data, _commands(np_, answers))))
    return Protocol(tuple(runs))


def _latest(state: RofrState, need: str, clause: str) -> Notice | None:
    return state.latest_notice(need, clause)


def blocks_and_bounds(
    data: PlanData, protocol: Protocol, start_idx: int
) -> tuple[list[Offer], dict[GateKey, tuple[int | None, ...]], dict[NoticeKey, str]]:
    """Step 4: holder blocks as offers; released GPUs as per-month bounds on gated capacity."""
    cal = data.scenario.calendar
    blocks: list[Offer] = []
    bounds: dict[GateKey, list[int]] = {}
    notice_of: dict[NoticeKey, str] = {}
    for np_, answers, state in protocol.runs:
        notices = [_latest(state, np_.need.id, clause) for clause, _holder in np_.rights]
        row = bounds.setdefault(np_.key, [0] * data.scenario.horizon)
        window = range(np_.need.start_month(cal), np_.need.start_month(cal) + np_.need.months)
        if any(notice is None for notice in notices):
            continue
        decided = [n for n in notices if n is not None]
        notice_of.update({(*np_.key, m): decided[0].id for m in window})
        released = _releasable(np_, decided)
        resolved = sign_at(decided, state.now)
        if resolved is not None:
            for month in window:
                if cal.month_start(month) >= resolved:  # needs of one site in one month add up
                    row[month - 1] += released
        for (clause, _holder), reply in zip(np_.rights, answers, strict=True):
            for notice in state.notices_for(np_.need.id, clause):  # a revived notice may be exercised too
                if notice.exercised_gpus > 0:
                    blocks.append(_block(data, np_, notice, reply, start_idx + len(blocks), window))
    return blocks, {key: tuple(bound) for key, bound in bounds.items()}, notice_of


def _block(data: PlanData, np_: NeedPlan, notice: Notice, reply: Answer, idx: int, window: range) -> Offer:
    """The holder's exercised GPUs as an offer of its new capacity, from acceptance + lead time."""
    scenario = data.scenario
    months = tuple(scenario.calendar.months())
    holder = scenario.providers[notice.holder]
    region = reply.region or holder.regions[0]
    answered = scenario.calendar.month_of(notice.resolved_at or notice.deadline)
    first = max(window.start, answered + holder.lead_time_months)
    cap = tuple(notice.exercised_gpus if (month in window and month >= first) else 0 for month in months)
    n = len(months)
    rack = scenario.accelerators[np_.need.gpu].rack_size if holder.full_rack_only else None
    return Offer(
        idx=idx,
        provider=notice.holder,
        gpu=np_.need.gpu,
        region=region,
        h100_eq=float(scenario.accelerators[np_.need.gpu].h100_eq),
        cap=cap,
        rate=(notice.price,) * n,
        pricing=("contract",) * n,
        clause=(notice.clause,) * n,
        spot_rate=None,
        top_min=(0,) * n,
        kind=HOLDER_NEW,
        notice=notice.id,
        block_gpus=cap,
        rack=rack,
    )


def sign_third_parties(data: PlanData, protocol: Protocol, uses: tuple[Usage, ...]) -> Protocol:
    """Step 5: replay each need with the lab signing what the re-plan buys from its third party."""
    peak: dict[GateKey, dict[int, int]] = {}
    for use in uses:
        if (use.demand, use.offer, use.month) in data.gates:
            months = peak.setdefault(gate_key(use.demand, data.offers[use.offer]), {})
            months[use.month] = months.get(use.month, 0) + use.gpus
    runs = []
    for np_, answers, state in protocol.runs:
        decided = [_latest(state, np_.need.id, clause) for clause, _holder in np_.rights]
        window = range(
            np_.need.start_month(data.scenario.calendar),
            np_.need.start_month(data.scenario.calendar) + np_.need.months,
        )
        used = max((gpus for month, gpus in peak.get(np_.key, {}).items() if month in window), default=0)
        if used <= 0 or any(notice is None for notice in decided):
            runs.append((np_, answers, state))
            continue
        notices = [notice for notice in decided if notice is not None]
        gpus = min(used, _releasable(np_, notices))
        at = sign_at(notices, state.now)
        commands = _commands(np_, answers)
        if gpus > 0 and at is not None:
            deal = ThirdPartySigned(np_.need.id, np_.provider, gpus, np_.need.price)
            commands.append((at, len(commands) + 1, deal))
        runs.append((np_, answers, _run(data, commands)))
    return Protocol(tuple(runs))
