"""What a right holder answers to one notice: scripted, seeded, or silence.

1. a scripted `rofr_responses` entry for the need (by need id, then by demand id; a `holder`
   given in the script must be this right's holder) is the answer as written — an invalid one
   (e.g. not a multiple of the minimum block) is refused by the contract engine, which names
   the rule, and the notice then runs out as if the holder had said nothing;
2. else the seeded holder model (`Provider.rofr_behavior`): accept with `accept_probability`,
   take at most `max_share_of_request`, in whole `min_exercise_block_gpus`, only what its new
   capacity can supply from acceptance + lead time; a single-site run is all or nothing;
3. else silence: the deadline passes and `on_expiry` decides.
The holder's block is in the region where its new capacity has most room (its first region
when it lists none: an exercised right binds the holder to supply what it took).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

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


def answer(
    scenario: Scenario, need: Need, rofr: Rofr, at: datetime, seed: int, granted: Granted, indivisible: bool
) -> Answer:
    """The answer of `rofr`'s holder to a notice for `need` issued at `at`."""
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
    base = Answer(need.id, rofr.id, rofr.holder, when, 0, False, None, avail)
    if script is not None:
        return _scripted(script, base, deadline, region or holder.regions[0], max(start, avail))
    if behavior is None:
        return Answer(need.id, rofr.id, rofr.holder, deadline, 0, True, None, avail)
    rng = random.Random(f"{seed}:{need.id}")
    if rng.random() >= float(behavior.accept_probability) or region is None or avail > start:
        return base
    if indivisible:
        take = need.gpus if room[region] >= need.gpus else 0
    else:
        take = min(math.floor(need.gpus * behavior.max_share_of_request), room[region])
        if take < need.gpus:
            block = max(rofr.min_exercise_block_gpus, 1)
            take = (take // block) * block if rofr.partial_exercise else 0
    return Answer(need.id, rofr.id, rofr.holder, when, take, False, region, start)


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


def drawn(scenario: Scenario, need: str, demand: str, holder: str) -> bool:
    """Did the holder's answer to this need come from the seeded coin (step 2: no script, a holder
    model whose accept probability is strictly between 0 and 1)? Then the answer depends on the seed."""
    if _script(scenario.rofr_responses, need, demand, holder) is not None:
        return False
    behavior = scenario.providers[holder].rofr_behavior
    return behavior is not None and 0 < behavior.accept_probability < 1
