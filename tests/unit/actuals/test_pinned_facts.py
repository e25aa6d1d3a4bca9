"""`ledger.actuals.pinned_facts`: the facts a re-plan pins, read from actual lines built here by hand.

Scenario: tests/scenarios/replan/lab.yaml (730 h a month; `booked` has a 2-month lead time, `slow`
and `cheap` none; pretrain runs 4 months, finetune 2).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from tender.config import load_scenario
from tender.domain.pinned import HeldCapacity, PinnedRun
from tender.ledger.actuals.pinned_facts import held_capacity, runs_in_progress
from tender.ledger.sql.actuals_store import ActualLine, WorkloadLine

LAB = load_scenario(str(Path(__file__).parents[2] / "scenarios" / "replan" / "lab.yaml"))


def line(provider: str, month: int, hours: int, *, region: str = "us-east", category: str = "compute_contract") -> ActualLine:  # fmt: skip
    return ActualLine("focus", provider, f"2027-{month:02d}", region, "H100", category, Decimal(1), Decimal(1), Decimal(hours))  # fmt: skip


def test_a_run_billed_up_to_the_month_before_is_pinned_from_its_first_month() -> None:
    lines = [WorkloadLine("pretrain", line("slow", m, 5840)) for m in (1, 2)]
    assert runs_in_progress(LAB, lines, 3) == (PinnedRun("pretrain", "slow", "H100", "us-east", 1, 4),)
    # from month 4 it is still in progress (started in 1, ends in 4); from month 5 it has ended
    lines.append(WorkloadLine("pretrain", line("slow", 3, 5840)))
    assert runs_in_progress(LAB, lines, 4) == (PinnedRun("pretrain", "slow", "H100", "us-east", 1, 4),)
    assert runs_in_progress(LAB, [*lines, WorkloadLine("pretrain", line("slow", 4, 5840))], 5) == ()


def test_the_run_stretch_ends_in_the_month_before_and_its_site_is_where_most_hours_were() -> None:
    lines = [
        WorkloadLine("pretrain", line("slow", 1, 5840)),  # a gap in month 2: the run restarted in 3
        WorkloadLine("pretrain", line("slow", 3, 1000)),
        WorkloadLine("pretrain", line("cheap", 3, 4840)),
    ]
    assert runs_in_progress(LAB, lines, 4) == (PinnedRun("pretrain", "cheap", "H100", "us-east", 3, 6),)
    assert runs_in_progress(LAB, lines[:1], 3) == ()  # nothing billed in month 2: not running


def test_only_training_runs_of_the_scenario_are_pinned() -> None:
    lines = [WorkloadLine(w, line("slow", 2, 5840)) for w in ("serve", "", "someone-else")]
    assert runs_in_progress(LAB, lines, 3) == ()


def test_held_capacity_is_contract_capacity_of_a_lead_time_provider_in_the_month_before() -> None:
    lines = [
        line("booked", 2, 16 * 730 + 729, region="us-west"),  # 16.99 GPUs held: 16 (whole GPUs)
        line("booked", 1, 64 * 730, region="us-west"),  # an earlier month: not what is held now
        line("booked", 2, 8 * 730, region="us-west", category="compute_on_demand"),  # releasable
        line("slow", 2, 8 * 730),  # no lead time: releasable
    ]
    assert held_capacity(LAB, lines, 3) == (HeldCapacity("booked", "H100", "us-west", 16, 4),)
    assert held_capacity(LAB, lines, 6) == ()  # nothing billed in month 5
    late = [line("booked", 5, 16 * 730, region="us-west")]
    assert held_capacity(LAB, late, 6) == (HeldCapacity("booked", "H100", "us-west", 16, 6),)  # horizon ends
