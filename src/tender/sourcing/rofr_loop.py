"""ROFR in the loop: notice every in-scope need, apply the holders' answers, re-plan, sign.

Flow:
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
from decimal import Decimal

from tender.contracts import (
    Command,
    HolderResponse,
    Need,
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
from tender.sourcing.rofr_answers import Answer, Granted, OnCoin, answer, book
from tender.sourcing.types import HOLDER_NEW, Offer

GateKey = tuple[str, str, str, str]  # (demand, provider, gpu, region)
NoticeKey = tuple[str, str, str, str, int]  # a gate key and a month: which notice released it
Timed = tuple[datetime, int, Command]


@dataclass(frozen=True)
class NeedPlan:
    need: Need  # `third_party` is the best third-party alternative
    demand: str
    provider: str
    rights: tuple[tuple[str, str], ...]  # (clause, holder) of every right that binds it
    indivisible: bool
    at: datetime  # when it is noticed

    @property
    def key(self) -> GateKey:
        return (self.demand, self.provider, self.need.gpu, self.need.region)


def gate_key(demand: str, offer: Offer) -> GateKey:
    return (demand, offer.provider, offer.gpu, offer.region)


Rights = tuple[tuple[str, str], ...]  # (clause, holder) of every right that binds a purchase
Group = tuple[GateKey, Rights, bool, int]  # gate key, binding rights, new capacity, first month


def find_needs(data: PlanData, uses: tuple[Usage, ...]) -> list[NeedPlan]:
    """Step 1: group first-pass usage of gated capacity into needs: one per gate key, binding
    rights, new-or-contracted capacity and unbroken run of months (so the rights the contract
    engine finds for a need are exactly those that gate its months)."""
    by_key: dict[tuple[GateKey, Rights, bool], dict[int, int]] = {}
    for use in uses:
        gate = data.gates.get((use.demand, use.offer, use.month))
        if gate is None:
            continue
        offer = data.offers[use.offer]
        months = by_key.setdefault(
            (gate_key(use.demand, offer), gate.rights, offer.is_new(data.view, use.month)), {}
        )
        months[use.month] = months.get(use.month, 0) + use.gpus
    groups: dict[Group, dict[int, int]] = {}
    for (key, rights, new), months in by_key.items():
        for run in _runs(sorted(months)):
            groups[(key, rights, new, run[0])] = {month: months[month] for month in run}
    return _named(data, groups)


def _runs(months: list[int]) -> list[list[int]]:
    """Split sorted months into unbroken runs."""
    out: list[list[int]] = []
    for month in months:
        if out and out[-1][-1] == month - 1:
            out[-1].append(month)
        else:
            out.append([month])
    return out


def _named(data: PlanData, groups: dict[Group, dict[int, int]]) -> list[NeedPlan]:
    """Need ids: `DEMAND/GPU/THIRD_PARTY`, with `/REGION` and `#k` added only where one would repeat."""
    bases = [f"{k[0]}/{k[2]}/{k[1]}" for k, *_rest in groups]
    seen: dict[str, int] = {}
    out: list[NeedPlan] = []
    for (key, rights, new, start), months in sorted(groups.items(), key=lambda item: (item[0][3], item[0])):
        base = f"{key[0]}/{key[2]}/{key[1]}"
        seen[base] = seen.get(base, 0) + 1
        nid = (
            base
            if bases.count(base) == 1
            else f"{base}/{key[3]}" + (f"#{seen[base]}" if seen[base] > 1 else "")
        )
        price = site_price(data, key, range(start, max(months) + 1))
        out.append(_need_plan(data, nid, key, rights, months, price, new))
    return out


def site_price(data: PlanData, key: GateKey, window: range) -> Decimal:
    """The need's terms: the highest rate the lab could pay the third party at that site in the
    need's months (base, burst, reserved or spot), so no deal it signs beats them."""
    rates: list[Decimal] = []
    for offer in data.offers:
        if (key[0], *offer.site) != key or offer.kind == HOLDER_NEW:
            continue
        for month in window:
            pool = (
                data.pools[pool_idx]
                if offer.pool and (pool_idx := offer.pool[month - 1]) is not None
                else None
            )
            extra = (pool.rate, pool.burst_rate) if pool is not None else ()
            rates.extend(
                price for price in (offer.rate[month - 1], offer.spot_rate, *extra) if price is not None
            )
    return max(rates, default=Decimal(0))


def _need_plan(
    data: PlanData,
    nid: str,
    key: GateKey,
    rights: Rights,
    months: dict[int, int],
    price: Decimal,
    new: bool,
) -> NeedPlan:
    demand, provider, gpu, region = key
    start, end = min(months), max(months)
    classes = {d.id: d.workload_class for d in data.scenario.demands}
    need = Need(
        id=nid,
        workload=demand,
        workload_class=classes[demand],
        gpu=gpu,
        gpus=max(months.values()),
        region=region,
        start=start,
        months=end - start + 1,
        price=price,
        new_capacity=new,
        third_party=provider,
    )
    by_id = {clause.id: clause for clause in data.view.rofrs()}
    now = data.now or data.scenario.calendar.month_start(1)
    at = max(data.view.notice_instant(by_id[clause], start, now) for clause, _holder in rights)
    indivisible = demand in {run.id for run in data.runs}
    return NeedPlan(need, demand, provider, rights, indivisible, at)


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
