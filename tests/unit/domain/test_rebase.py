"""`domain.rebase`: a scenario re-based at month `as_of`, figures by hand on the frontier-lab example.

Fixed: months 1..12 (as_of 13); c-primary-commit drew $1.0B and was charged $0.4B at its month-12
milestone ($1.4B due); c-primary-commit-2 (added by the month-17 amendment) drew nothing.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from tender.config import load_scenario
from tender.domain import CommittedSpend, ReservedCapacity, TakeOrPay
from tender.domain.rebase import Drawn, FixedMonths, rebase

EXAMPLE = Path(__file__).parents[3] / "examples" / "frontier-lab.yaml"
B = Decimal(1_000_000_000)
FIXED = FixedMonths(13, (Drawn("c-primary-commit", 1 * B, Decimal("0.4") * B),))


def test_commitments_less_what_was_drawn_and_charged() -> None:
    sc = rebase(load_scenario(str(EXAMPLE)), FIXED)
    commit = next(c for c in sc.contracts if c.id == "c-primary-commit")
    assert isinstance(commit, CommittedSpend)
    assert commit.total_usd == Decimal("2.6") * B  # 3.6B - 1.0B drawn
    # month 12 (1.4B) is settled; month 24: 3.6B - 1.0B drawn - 0.4B charged
    assert [(m.by_month, m.cumulative_usd) for m in commit.milestones] == [(24, Decimal("2.2") * B)]
    added = next(ch.contract for a in sc.amendments for ch in a.changes if ch.contract is not None)
    assert isinstance(added, CommittedSpend) and added.id == "c-primary-commit-2"
    assert added.total_usd == 1 * B and added.drawdown_after == "c-primary-commit"


def test_demand_reservations_and_revenue_start_at_as_of() -> None:
    before = load_scenario(str(EXAMPLE))
    sc = rebase(before, FIXED)
    for f, g in zip(before.fleets, sc.fleets, strict=True):
        assert g.h100_eq[:12] == (Decimal(0),) * 12 and g.h100_eq[12:] == f.h100_eq[12:]
    runs = {r.id: r for r in sc.training_runs}
    assert "pretrain-v6" not in runs  # had to end by month 12
    assert "midtrain-v6.5" not in runs  # window 10..14, 3 months: from 13 it would end in 15
    assert runs["pretrain-v7"].earliest_start_month == 16  # window not yet open: unchanged
    reserved = next(c for c in sc.contracts if c.id == "c-neocloud-a-reserved")
    assert isinstance(reserved, ReservedCapacity)
    assert (reserved.start_month, reserved.term_months, reserved.end_month) == (13, 12, 24)
    prepaid = next(c for c in sc.contracts if c.id == "c-neocloud-b-prepaid")
    assert isinstance(prepaid, ReservedCapacity) and prepaid.term_months == 0  # months 1-12: all settled
    top = next(c for c in sc.contracts if c.id == "c-jv-take-or-pay")
    assert isinstance(top, TakeOrPay) and (top.effective_from_month, top.term_months) == (13, 48)
    assert sc.revenue_forecast_usd[:12] == (Decimal(0),) * 12
    assert sc.revenue_forecast_usd[12:] == before.revenue_forecast_usd[12:]


def test_as_of_one_changes_nothing() -> None:
    sc = load_scenario(str(EXAMPLE))
    assert rebase(sc, FixedMonths(1)) == sc


PREPAID = Path(__file__).with_name("prepaid_rebase.yaml")


def test_a_prepaid_reservation_rebased_mid_term_is_held_and_not_billed_again() -> None:
    """By hand: 100 H100 x 730 h x 6 months x $2 = $876,000, all billed in month 1 (prepaid). Re-planned
    from month 4, that prepayment is in the actuals: the reservation still holds 100 GPUs for months 4-6
    (the fleet's 100 H100-eq are met, the provider has no other capacity to sell), and bills $0. Before
    the fix the re-plan billed months 4-6 again ($438,000). The planner's independent checker agrees."""
    from tender.sourcing.planner import plan

    sc = load_scenario(str(PREPAID))
    assert plan(sc).cost_total_usd == Decimal(876_000)
    res = next(c for c in rebase(sc, FixedMonths(4)).contracts if isinstance(c, ReservedCapacity))
    assert (res.start_month, res.term_months, res.prepaid_settled) == (4, 3, True)
    replanned = plan(sc, fixed=FixedMonths(4))
    assert replanned.cost_total_usd == 0
    assert replanned.unmet == () and replanned.check_violations == ()
    assert {a.month for a in replanned.awards} == {4, 5, 6}


def test_pinned_facts_become_a_narrowed_run_a_reservation_and_a_scripted_answer() -> None:
    from tender.domain.pinned import AnsweredNotice, HeldCapacity, PinnedRun

    sc = load_scenario(str(EXAMPLE))
    run = next(r for r in sc.training_runs if r.id == "midtrain-v6.5")  # window 10..14, 3 months
    fixed = FixedMonths(
        13,
        runs=(PinnedRun(run.id, "rival-cloud-a", "GB200", "us-east", start=11, end=13),),
        held=(HeldCapacity("primary-cloud", "H100", "us-central", gpus=500, until=14),),
        notices=(AnsweredNotice("c-primary-rofr:n:1", "pretrain-v7", "primary-cloud", 0, "2027-06-30T00:00:00+00:00"),),
    )  # fmt: skip
    rebased = rebase(sc, fixed)
    pinned = next(r for r in rebased.training_runs if r.id == run.id)  # not dropped: it is running
    assert (pinned.earliest_start_month, pinned.duration_months, pinned.latest_end_month) == (13, 1, 13)
    assert (pinned.gpu_types, pinned.regions_allowed, pinned.gpus) == (("GB200",), ("us-east",), run.gpus)
    held = next(c for c in rebased.contracts if c.id == "held:primary-cloud/H100/us-central")
    assert isinstance(held, ReservedCapacity)
    assert (held.provider, held.gpu, held.region, held.gpus) == ("primary-cloud", "H100", "us-central", 500)
    assert (held.start_month, held.end_month, held.billing) == (13, 14, "full_reservation_regardless_of_use")
    first = rebased.rofr_responses[0]
    assert (first.need, first.holder, first.decline, first.response_days) == (
        "pretrain-v7",
        "primary-cloud",
        True,
        0,
    )
    assert rebased.rofr_responses[1:] == sc.rofr_responses
