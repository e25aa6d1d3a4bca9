"""A re-plan honours what happened: three scenarios whose re-plan is worked out by hand (each YAML's header).

Each case re-plans from month 3 with one pinned fact (`domain.pinned`) and checks:
1. the awards and the total, computed by hand in the scenario's header;
2. the independent checker (`tender.check`, step 8 `check.pinned`) finds the re-plan clean;
3. the re-plan without the fact (what `tender plan --actuals` did before the facts were pinned) is
   refused by that checker with the fact's own code — so the check can fail, and does on the old plan.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tender.check import check_plan
from tender.config import load_scenario
from tender.domain.pinned import AnsweredNotice, HeldCapacity, PinnedRun
from tender.domain.rebase import FixedMonths, rebase
from tender.plan_output.json_out import plan_to_dict
from tender.sourcing import Plan
from tender.sourcing.planner import plan

HERE = Path(__file__).parent
H = 730  # hours per month

Award = tuple[str, str, int, int]  # demand, provider, month, gpus

CASES: dict[str, tuple[FixedMonths, set[Award], Decimal, str]] = {
    "run-in-progress": (
        FixedMonths(3, runs=(PinnedRun("pretrain", "slow", "H100", "us-east", start=1, end=4),)),
        {("pretrain", "slow", 3, 8), ("pretrain", "slow", 4, 8)},
        Decimal(8 * 3 * H * 2),  # $35,040
        "run_pinned",
    ),
    "held-capacity": (
        FixedMonths(3, held=(HeldCapacity("booked", "H100", "us-west", gpus=16, until=4),)),
        {("serve", "booked", 3, 16), ("serve", "booked", 4, 16), ("serve", "cheap", 5, 8), ("serve", "cheap", 6, 8)},
        Decimal(16) * Decimal("2.50") * H * 2 + 8 * 1 * H * 2,  # $58,400 + $11,680
        "held_not_billed",
    ),
    "answered-notice": (
        FixedMonths(
            3, notices=(AnsweredNotice("c-rofr:n1:1", "finetune", "primary", 0, "2027-02-10T00:00:00+00:00"),)
        ),
        {("finetune", "rival", 5, 8), ("finetune", "rival", 6, 8)},
        Decimal(8 * 2 * H * 2),  # $23,360
        "notice_answer",
    ),
}  # fmt: skip


def _doc(p: Plan, sc: Any) -> dict[str, Any]:
    return json.loads(json.dumps(plan_to_dict(p, sc)))


@pytest.mark.parametrize("name", sorted(CASES))
def test_replan_honours_the_pinned_fact(name: str) -> None:
    fixed, awards, total, _code = CASES[name]
    sc = load_scenario(str(HERE / f"{name}.yaml"))
    replanned = plan(sc, fixed=fixed)
    assert {(a.demand, a.provider, a.month, a.gpus) for a in replanned.awards} == awards
    assert replanned.cost_total_usd == total
    assert replanned.unmet == ()
    rebased = rebase(sc, fixed)
    assert check_plan(rebased, _doc(replanned, rebased), fixed) == []


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_replan_that_ignores_the_fact_is_refused(name: str) -> None:
    fixed, awards, _total, code = CASES[name]
    sc = load_scenario(str(HERE / f"{name}.yaml"))
    blind = plan(sc, fixed=FixedMonths(3))  # months 1-2 fixed, nothing pinned
    assert {(a.demand, a.provider, a.month, a.gpus) for a in blind.awards} != awards
    rebased = rebase(sc, fixed)
    assert code in {v.code for v in check_plan(rebased, _doc(blind, rebase(sc, FixedMonths(3))), fixed)}


def test_an_answered_notice_is_not_asked_again() -> None:
    """The declined notice stays declined, answered at the instant the re-plan issues it (2027-03-01,
    the start of month 3): no new 30-day window. Asked again, the holder model exercises all 8 GPUs."""
    fixed = CASES["answered-notice"][0]
    sc = load_scenario(str(HERE / "answered-notice.yaml"))
    [notice] = plan(sc, fixed=fixed).notices
    assert (notice.status, notice.exercised_gpus) == ("declined", 0)
    assert notice.issued_at == notice.responded_at == "2027-03-01T00:00:00Z"
    [asked] = plan(sc, fixed=FixedMonths(3)).notices
    assert (asked.status, asked.exercised_gpus) == ("exercised", 8)


def test_a_finished_run_is_not_pinned_and_a_run_past_its_end_is_dropped() -> None:
    sc = load_scenario(str(HERE / "run-in-progress.yaml"))
    ended = FixedMonths(3, runs=(PinnedRun("pretrain", "slow", "H100", "us-east", start=1, end=2),))
    assert rebase(sc, ended).training_runs == ()
    pinned = rebase(sc, CASES["run-in-progress"][0]).training_runs[0]
    assert (pinned.earliest_start_month, pinned.duration_months, pinned.latest_end_month) == (3, 2, 4)
    assert (pinned.gpu_types, pinned.regions_allowed) == (("H100",), ("us-east",))
