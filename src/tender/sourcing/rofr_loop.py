"""ROFR in the loop: notice every in-scope need, apply the holder's answer, re-plan.

Flow:
1. the first pass (gated third-party capacity usable once any answer could be in) shows, per
   (demand, accelerator, third party), the best third-party alternative: GPUs at peak, months, price;
2. each such need goes to the contract engine: `NewNeed` then `QuoteReceived` (the notice carries
   the quote under `match_best_offer`) at the plan instant `now`;
3. the holder answers: a scripted `rofr_responses` entry (by need id or demand id), else the seeded
   holder model from `Provider.rofr_behavior` (accept with `accept_probability`, take at most
   `max_share_of_request`, in whole `min_exercise_block_gpus`, only what its new capacity can supply
   from acceptance + lead time; a single-site run is all or nothing), else silence (deadline passes);
4. what the holder took becomes a block of its new capacity at the notice price (paid whether used);
   what it released bounds the gated third-party capacity per month from the answer on;
5. after the re-plan the lab signs with each third party (`ThirdPartySigned`) for what it uses.
   Amendments act through the clause timeline (`clauses_at`): from the month a ROFR ends, capacity
   is no longer gated and no notice is due. The state is not advanced past the signatures, so
   released capacity the re-plan did not need does not revive notices for a need that is gone.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from tender.contracts import (
    Command,
    HolderResponse,
    Need,
    NewNeed,
    Notice,
    QuoteReceived,
    RofrState,
    ThirdPartySigned,
    Tick,
    initial_state,
    step,
)
from tender.domain import Rofr, Scenario, ScriptedResponse
from tender.sourcing.data import HOLDER_NEW, Offer, PlanData
from tender.sourcing.extract import Usage


@dataclass(frozen=True)
class NeedPlan:
    need: Need
    demand: str
    provider: str  # the best third-party alternative
    clause: str
    holder: str
    indivisible: bool


@dataclass(frozen=True)
class Answer:
    need: str
    at: datetime
    exercise: int  # 0 = decline / silence
    silent: bool
    region: str | None  # holder region supplying the block
    block_from: int  # first month the block can be used


@dataclass(frozen=True)
class RofrRound:
    needs: tuple[NeedPlan, ...]
    answers: tuple[Answer, ...]
    blocks: tuple[Offer, ...]
    gate_bounds: dict[tuple[str, str, str], tuple[int | None, ...]]
    state: RofrState
    notice_of: dict[tuple[str, str, str], str]  # (demand, gpu, provider) -> notice id


def need_id(demand: str, gpu: str, provider: str) -> str:
    return f"{demand}/{gpu}/{provider}"


def find_needs(data: PlanData, uses: tuple[Usage, ...]) -> list[NeedPlan]:
    """Group first-pass usage of gated capacity into needs (one per demand x accelerator x provider)."""
    per: dict[tuple[str, str, str], dict[int, int]] = {}
    region_of: dict[tuple[str, str, str], dict[str, int]] = {}
    gate_of: dict[tuple[str, str, str], tuple[str, str]] = {}
    rate_of: dict[tuple[str, str, str], Decimal] = {}
    for u in uses:
        gate = data.gates.get((u.demand, u.offer, u.month))
        if gate is None:
            continue
        o = data.offers[u.offer]
        key = (u.demand, o.gpu, o.provider)
        months = per.setdefault(key, {})
        months[u.month] = months.get(u.month, 0) + u.gpus
        regions = region_of.setdefault(key, {})
        regions[o.region] = regions.get(o.region, 0) + u.gpus
        gate_of[key] = (gate.clause, gate.holder)
        rate = o.spot_rate if u.spot else o.rate[u.month - 1]
        if rate is not None:
            rate_of[key] = min(rate_of.get(key, rate), rate)
    runs = {r.id for r in data.runs}
    classes = {d.id: d.workload_class for d in data.scenario.demands}
    out: list[NeedPlan] = []
    for key in sorted(per, key=lambda k: (min(per[k]), k)):
        demand, gpu, provider = key
        months = per[key]
        start, end = min(months), max(months)
        region = max(sorted(region_of[key]), key=lambda r: region_of[key][r])
        need = Need(
            id=need_id(demand, gpu, provider),
            workload=demand,
            workload_class=classes[demand],
            gpu=gpu,
            gpus=max(months.values()),
            region=region,
            start=start,
            months=end - start + 1,
            price=rate_of.get(key, Decimal(0)),
        )
        clause, holder = gate_of[key]
        out.append(NeedPlan(need, demand, provider, clause, holder, demand in runs))
    return out


def answer(
    sc: Scenario,
    np_: NeedPlan,
    rofr: Rofr,
    now: datetime,
    seed: int,
    granted: dict[tuple[str, str, int], int],
) -> Answer:
    """The holder's answer to one need: scripted, seeded, or silence."""
    cal = sc.calendar
    need = np_.need
    holder = sc.providers[np_.holder]
    script = _script(sc.rofr_responses, need.id, np_.demand)
    behavior = holder.rofr_behavior
    days = (
        script.response_days
        if script is not None and script.response_days is not None
        else behavior.typical_response_days
        if behavior is not None
        else rofr.response_window_days
    )
    at = now + timedelta(days=min(days, rofr.response_window_days))
    start = need.start_month(cal)
    window = range(start, start + need.months)
    avail = cal.month_of(at) + holder.lead_time_months  # accepted in month k: usable from k + lead time
    regions = sorted({line.region for line in holder.new_capacity_offerable if line.gpu == need.gpu})

    def spare(region: str) -> int:
        months = [m for m in window if m >= max(start, avail)]
        if not months:
            return 0
        return min(
            holder.offerable_gpus(need.gpu, region, m) - granted.get((need.gpu, region, m), 0) for m in months
        )

    region = max(regions, key=spare) if regions else None
    room = spare(region) if region is not None else 0
    if script is not None:
        if script.silent:
            return Answer(need.id, now + timedelta(days=rofr.response_window_days), 0, True, None, avail)
        if script.decline:
            return Answer(need.id, at, 0, False, None, avail)
        gpus = need.gpus if script.exercise_gpus is None else min(script.exercise_gpus, need.gpus)
        return _granted(Answer(need.id, at, gpus, False, region, max(start, avail)), need, granted)
    if behavior is None:
        return Answer(need.id, now + timedelta(days=rofr.response_window_days), 0, True, None, avail)
    rng = random.Random(f"{seed}:{need.id}")
    accepts = rng.random() < float(behavior.accept_probability)
    if not accepts or region is None or avail > start:
        return Answer(need.id, at, 0, False, None, avail)
    if np_.indivisible:
        take = need.gpus if room >= need.gpus else 0
    else:
        take = min(math.floor(need.gpus * behavior.max_share_of_request), room)
        if take < need.gpus:
            block = max(rofr.min_exercise_block_gpus, 1)
            take = (take // block) * block if rofr.partial_exercise else 0
    return _granted(Answer(need.id, at, take, False, region, start), need, granted)


def _granted(a: Answer, need: Need, granted: dict[tuple[str, str, int], int]) -> Answer:
    """Book the holder's block against its offerable new capacity."""
    if a.exercise > 0 and a.region is not None:
        start = need.start if isinstance(need.start, int) else a.block_from
        for m in range(max(a.block_from, start), start + need.months):
            key = (need.gpu, a.region, m)
            granted[key] = granted.get(key, 0) + a.exercise
    return a


def _script(responses: tuple[ScriptedResponse, ...], need: str, demand: str) -> ScriptedResponse | None:
    for r in responses:
        if r.need == need:
            return r
    for r in responses:
        if r.need == demand:
            return r
    return None


def run_protocol(
    data: PlanData, needs: list[NeedPlan], now: datetime, seed: int
) -> tuple[RofrState, list[Answer]]:
    """Steps 2-3: notices, quotes and answers through the contract engine's state machine."""
    sc = data.scenario
    rofrs = {c.id: c for c in data.view.rofrs()}
    granted: dict[tuple[str, str, int], int] = {}
    commands: list[tuple[datetime, int, Command]] = []
    answers: list[Answer] = []
    seq = 0
    for np_ in needs:
        commands.append((now, seq, NewNeed(np_.need)))
        commands.append(
            (now, seq + 1, QuoteReceived(np_.need.id, np_.provider, np_.need.price, np_.need.gpus))
        )
        seq += 2
        a = answer(sc, np_, rofrs[np_.clause], now, seed, granted)
        answers.append(a)
        if a.silent:
            commands.append((a.at + timedelta(seconds=1), seq, Tick()))
        elif a.exercise > 0:
            commands.append((a.at, seq, HolderResponse(np_.need.id, np_.holder, a.exercise)))
        else:
            commands.append((a.at, seq, HolderResponse(np_.need.id, np_.holder, decline=True)))
        seq += 1
    state = initial_state(sc)
    for at, _s, cmd in sorted(commands, key=lambda c: (c[0], c[1])):
        state, _events = step(state, cmd, at)
    return state, answers


def blocks_and_bounds(
    data: PlanData, needs: list[NeedPlan], answers: list[Answer], state: RofrState, start_idx: int
) -> tuple[list[Offer], dict[tuple[str, str, str], tuple[int | None, ...]], dict[tuple[str, str, str], str]]:
    """Step 4: holder blocks as offers; released GPUs as per-month bounds on gated capacity."""
    sc = data.scenario
    cal = sc.calendar
    horizon = sc.horizon
    blocks: list[Offer] = []
    bounds: dict[tuple[str, str, str], list[int]] = {}
    notice_of: dict[tuple[str, str, str], str] = {}
    for np_, a in zip(needs, answers, strict=True):
        notice = _latest(state, np_.need.id)
        if notice is None:
            continue
        notice_of[(np_.demand, np_.need.gpu, np_.provider)] = notice.id
        start = np_.need.start_month(cal)
        window = range(start, start + np_.need.months)
        released = notice.released_gpus
        resolved = notice.resolved_at or notice.deadline
        row = bounds.setdefault((np_.demand, np_.need.gpu, np_.provider), [0] * horizon)
        for m in window:
            if cal.month_start(m) >= resolved:
                row[m - 1] += released
        if notice.exercised_gpus > 0 and a.region is not None:
            cap = tuple(
                notice.exercised_gpus if (m in window and m >= a.block_from) else 0 for m in cal.months()
            )
            acc = sc.accelerators[np_.need.gpu]
            blocks.append(
                Offer(
                    idx=start_idx + len(blocks),
                    provider=np_.holder,
                    gpu=np_.need.gpu,
                    region=a.region,
                    h100_eq=float(acc.h100_eq),
                    cap=cap,
                    rate=tuple(notice.price for _ in cal.months()),
                    pricing=tuple("contract" for _ in cal.months()),
                    clause=tuple(notice.clause for _ in cal.months()),
                    spot_rate=None,
                    reserved=tuple(0 for _ in cal.months()),
                    reserved_rate=tuple(Decimal(0) for _ in cal.months()),
                    burst_max=tuple(0 for _ in cal.months()),
                    burst_rate=tuple(None for _ in cal.months()),
                    top_min=tuple(0 for _ in cal.months()),
                    kind=HOLDER_NEW,
                    notice=notice.id,
                    block_gpus=cap,
                )
            )
    return blocks, {k: tuple(v) for k, v in bounds.items()}, notice_of


def sign_third_parties(
    data: PlanData, state: RofrState, needs: list[NeedPlan], uses: tuple[Usage, ...], now: datetime
) -> RofrState:
    """Step 5: sign what the re-plan buys from each released third party."""
    peak: dict[str, dict[int, int]] = {}
    for u in uses:
        if (u.demand, u.offer, u.month) not in data.gates:
            continue
        o = data.offers[u.offer]
        key = need_id(u.demand, o.gpu, o.provider)
        months = peak.setdefault(key, {})
        months[u.month] = months.get(u.month, 0) + u.gpus
    commands: list[tuple[datetime, int, Command]] = []
    for seq, np_ in enumerate(needs):
        notice = _latest(state, np_.need.id)
        gpus = min(max(peak.get(np_.need.id, {0: 0}).values()), notice.released_gpus if notice else 0)
        if notice is None or gpus <= 0:
            continue
        at = max(notice.resolved_at or notice.deadline, state.now or now)
        commands.append((at, seq, ThirdPartySigned(np_.need.id, np_.provider, gpus, np_.need.price)))
    for at, _s, cmd in sorted(commands, key=lambda c: (c[0], c[1])):
        if state.now is not None and at < state.now:
            at = state.now
        state, _events = step(state, cmd, at)
    return state


def _latest(state: RofrState, need: str) -> Notice | None:
    found = state.notices_for(need)
    return found[-1] if found else None
