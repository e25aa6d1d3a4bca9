"""What a right holder answers to one notice: scripted, seeded, or silence.

1. a scripted `rofr_responses` entry for the need (by need id, then by demand id; a `holder`
   given in the script must be this right's holder) is the answer as written — an invalid one
   (e.g. not a multiple of the minimum block) is refused by the contract engine, which names
   the rule, and the notice then runs out as if the holder had said nothing;
2. else the seeded holder model (`Provider.rofr_behavior`): accept with `accept_probability`,
   take at most `max_share_of_request`, in whole `min_exercise_block_gpus`, only what its new
   capacity can supply from acceptance + lead time; a single-site run is all or nothing; the coin
   is `accepts(seed, need id, accept probability)`, and where its verdict decides the answer
   (0 < accept probability < 1, room in a region, in time, a take of at least one block) the toss
   is told to `on_coin` as an `Asked` (`sourcing.risk.classes` shares re-plans on it);
3. else silence: the deadline passes and `on_expiry` decides.
The holder's block is in the region where its new capacity has most room (its first region
when it lists none: an exercised right binds the holder to supply what it took).
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from tender.contracts import Need
from tender.domain import Provider, Rofr, Scenario, ScriptedResponse

Granted = dict[tuple[str, str, str, int], int]  # (holder, gpu, region, month) -> GPUs promised


@dataclass(frozen=True)
class Answer:
    need: str
    clause: str
    holder: str
    at: datetime
    exercise: int | None  # GPUs to exercise (None with decline=False: all noticed); 0 = decline
    silent: bool
    region: str | None  # holder region supplying the block
    block_from: int  # first month the block can be used


@dataclass(frozen=True)
class Asked:
    """One toss of the holder model's coin whose verdict decided an answer (step 2)."""

    need: str
    accept_probability: Decimal
    accepted: bool


OnCoin = Callable[[Asked], None]


def accepts(seed: int, need: str, accept_probability: Decimal) -> bool:
    """The holder model's coin for `need` under coin seed `seed`: accept with that probability."""
    return random.Random(f"{seed}:{need}").random() < float(accept_probability)


def answer(
    scenario: Scenario,
    need: Need,
    rofr: Rofr,
    at: datetime,
    seed: int,
    granted: Granted,
    indivisible: bool,
    on_coin: OnCoin | None = None,
) -> Answer:
    """The answer of `rofr`'s holder to a notice for `need` issued at `at` (`seed`: the coin's)."""
    t = _terms(scenario, need, rofr, at, granted)
    base = Answer(need.id, rofr.id, rofr.holder, t.when, 0, False, None, t.avail)
    if t.script is not None:
        return _scripted(t.script, base, t.deadline, t.region or t.holder.regions[0], max(t.start, t.avail))
    behavior = t.holder.rofr_behavior
    if behavior is None:
        return Answer(need.id, rofr.id, rofr.holder, t.deadline, 0, True, None, t.avail)
    p = behavior.accept_probability
    accepted = accepts(seed, need.id, p)
    if t.region is None or t.avail > t.start:
        return base  # declined whatever the coin says
    take = _take(need, rofr, behavior.max_share_of_request, t.room[t.region], indivisible)
    if on_coin is not None and 0 < p < 1 and take > 0:
        on_coin(Asked(need.id, p, accepted))  # the verdict decides: accept takes GPUs, decline none
    if not accepted:
        return base
    return Answer(need.id, rofr.id, rofr.holder, t.when, take, False, t.region, t.start)


@dataclass(frozen=True)
class _Terms:
    holder: Provider
    script: ScriptedResponse | None
    deadline: datetime
    when: datetime  # when the holder answers
    start: int  # the need's first month
    avail: int  # first month the holder's new capacity can serve (acceptance + lead time)
    room: dict[str, int]
    region: str | None  # where its new capacity has most room


def _terms(scenario: Scenario, need: Need, rofr: Rofr, at: datetime, granted: Granted) -> _Terms:
    holder = scenario.providers[rofr.holder]
    script = _script(scenario.rofr_responses, need.id, need.workload, rofr.holder)
    behavior = holder.rofr_behavior
    deadline = at + timedelta(days=rofr.response_window_days)
    if script is not None and script.response_days is not None:
        days = script.response_days
    else:
        days = behavior.typical_response_days if behavior is not None else rofr.response_window_days
    when = at + timedelta(days=min(days, rofr.response_window_days))
    start = need.start_month(scenario.calendar)
    avail = scenario.calendar.month_of(when) + holder.lead_time_months  # usable from acceptance + lead time
    room = _room(holder, need, start, avail, granted)
    region = max(sorted(room), key=lambda r: room[r]) if room else None
    return _Terms(holder, script, deadline, when, start, avail, room, region)


def _take(need: Need, rofr: Rofr, share: Decimal, room: int, indivisible: bool) -> int:
    """What an accepting holder takes: all of a single-site run or nothing; else its share, capped by
    its room, in whole minimum blocks (0 when it may not exercise part)."""
    if indivisible:
        return need.gpus if room >= need.gpus else 0
    take = min(math.floor(need.gpus * share), room)
    if take < need.gpus:
        block = max(rofr.min_exercise_block_gpus, 1)
        take = (take // block) * block if rofr.partial_exercise else 0
    return take


def _scripted(
    script: ScriptedResponse, base: Answer, deadline: datetime, region: str, block_from: int
) -> Answer:
    if script.silent:
        return Answer(base.need, base.clause, base.holder, deadline, 0, True, None, base.block_from)
    if script.decline:
        return base
    return Answer(
        base.need, base.clause, base.holder, base.at, script.exercise_gpus, False, region, block_from
    )


def _room(holder: Provider, need: Need, start: int, avail: int, granted: Granted) -> dict[str, int]:
    """Per region, the new capacity the holder can still supply in every month of the need it can reach."""
    months = [month for month in range(start, start + need.months) if month >= max(start, avail)]
    regions = sorted({line.region for line in holder.new_capacity_offerable if line.gpu == need.gpu})
    if not months:
        return dict.fromkeys(regions, 0)
    return {
        region: max(
            0,
            min(
                holder.offerable_gpus(need.gpu, region, month)
                - granted.get((holder.id, need.gpu, region, month), 0)
                for month in months
            ),
        )
        for region in regions
    }


def book(granted: Granted, reply: Answer, need: Need, start: int, gpus: int) -> None:
    """Book an exercised block against the holder's offerable new capacity."""
    if gpus <= 0 or reply.region is None:
        return
    for month in range(max(reply.block_from, start), start + need.months):
        key = (reply.holder, need.gpu, reply.region, month)
        granted[key] = granted.get(key, 0) + gpus


def _script(
    responses: tuple[ScriptedResponse, ...], need: str, demand: str, holder: str
) -> ScriptedResponse | None:
    mine = [response for response in responses if response.holder in (None, holder)]
    return next((response for response in mine if response.need == need), None) or next(
        (response for response in mine if response.need == demand), None
    )
