"""The first stage: what a plan signed before the future is known, fixed in every sampled future.

1. each training run's site (provider, accelerator, region) and start month; a run the plan left
   unplaced stays unplaced. A run whose start slips by d months starts d months later at the same site;
2. each ROFR notice's answer, as the holder gave it in the plan (exercised GPUs, declined, silent),
   with its response time; a need the plan did not have is answered by the (sampled) holder model;
3. every clause of the scenario (commitments, reservations, take-or-pay, rights, exclusivity,
   residency) holds as written — it is in the scenario, not in the plan;
4. with `booked` (`tender plan --robust` and its study; `booking.py`): the contract capacity booked per
   site-month, paid whether used and the only contract capacity the recourse has (`extend`). Without
   it (`tender risk`) contract capacity is re-chosen in each future.
Everything else (fleet capacity per offer and month at any pricing, holder blocks' use) is the
recourse, re-planned by the planner in each future. `restrict(data)` applies step 1 to the planner's
index (`PlanData.run_options`) in both passes (and, with bookings, `booking.unbooked` in the second), but in the first pass (which finds the needs the
notices are for) a run whose slot cannot hold it before any answer (it sits partly on a holder block)
keeps every option, as in `tender plan`; `with_answers(scenario)` applies step 2 as scripted responses.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from tender.domain import Scenario, ScriptedResponse
from tender.sourcing.data import PlanData
from tender.sourcing.risk.booking import Bookings, Hook, bind, bookings_of, unbooked
from tender.sourcing.types import Plan


@dataclass(frozen=True)
class RunSlot:
    provider: str
    gpu: str
    region: str
    start: int


@dataclass(frozen=True)
class FirstStage:
    runs: Mapping[str, RunSlot | None]  # run id -> its slot (None: unplaced); absent = unplaced
    answers: tuple[ScriptedResponse, ...] = ()
    booked: Bookings | None = None  # None: contract capacity is recourse (as in `tender risk`)

    def shifted(self, slips: Mapping[str, int]) -> FirstStage:
        runs = {
            r: (s if s is None or not slips.get(r) else replace(s, start=s.start + slips[r]))
            for r, s in self.runs.items()
        }
        return FirstStage(runs, self.answers, self.booked)

    @property
    def extend(self) -> Hook | None:
        """The model hook fixing the bookings in the second pass (None without bookings)."""
        return None if self.booked is None else bind(self.booked)

    def restrict(self, data: PlanData, *, first_pass: bool = False) -> PlanData:
        """Keep for each run only the option at its slot (none when it has no slot). In the first pass
        a run whose slot cannot hold it yet (it needs a holder block the answers create) keeps every
        option, so the needs are found as `tender plan` found them."""
        options = []
        for run, opts in zip(data.runs, data.run_options, strict=True):
            slot = self.runs.get(run.id)
            keep = tuple(
                o
                for o in opts
                if slot is not None
                and data.offers[data.sites[o[0]][0]].site == (slot.provider, slot.gpu, slot.region)
                and o[1] == slot.start
            )
            options.append(opts if first_pass and slot is not None and not keep else keep)
        data = replace(data, run_options=tuple(options))
        return data if first_pass or self.booked is None else unbooked(data, self.booked)

    def with_answers(self, sc: Scenario) -> Scenario:
        return replace(sc, rofr_responses=(*self.answers, *sc.rofr_responses))


@dataclass(frozen=True)
class Answered:
    """What the first stage needs of a notice (from a `Plan` or a plan JSON)."""

    need: str
    holder: str
    status: str
    exercised_gpus: int
    issued_at: str
    responded_at: str | None


def _days(n: Answered) -> int | None:
    if n.responded_at is None:
        return None
    return (datetime.fromisoformat(n.responded_at) - datetime.fromisoformat(n.issued_at)).days


def answer_of(n: Answered) -> ScriptedResponse | None:
    if n.status in ("exercised", "partially_exercised"):
        return ScriptedResponse(n.need, n.holder, exercise_gpus=n.exercised_gpus, response_days=_days(n))
    if n.status == "declined":
        return ScriptedResponse(n.need, n.holder, decline=True, response_days=_days(n))
    if n.status == "expired":
        return ScriptedResponse(n.need, n.holder, silent=True)
    return None


def of_parts(
    slots: list[tuple[str, RunSlot]], notices: list[tuple[str, Answered]], run_ids: tuple[str, ...]
) -> FirstStage:
    """`slots`: (run, the slot of one of its awards); `notices`: (notice id, answer). A run's slot is
    the one of its earliest award."""
    runs: dict[str, RunSlot | None] = dict.fromkeys(run_ids)
    for run, slot in sorted(slots, key=lambda rs: (rs[0], rs[1].start)):
        if run in runs and runs[run] is None:
            runs[run] = slot
    answers = tuple(
        r for r in (answer_of(n) for _id, n in sorted(notices, key=lambda x: x[0])) if r is not None
    )
    return FirstStage(runs, answers)


def of_plan(p: Plan, run_ids: tuple[str, ...], *, book: bool = False) -> FirstStage:
    """The plan's first stage; with `book`, its contract-priced awards are bookings too (step 4)."""
    slots = [(a.demand, RunSlot(a.provider, a.gpu, a.region, a.month)) for a in p.awards]
    notices = [
        (n.id, Answered(n.need, n.holder, n.status, n.exercised_gpus, n.issued_at, n.responded_at))
        for n in p.notices
    ]
    first = of_parts(slots, notices, run_ids)
    return replace(first, booked=bookings_of(p)) if book else first
