"""Money under contracts: exact Decimal tables for drawdown, take-or-pay, reserved capacity and revenue share."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from tender.contracts.money import (
    DeliveryMonth,
    Spend,
    drawdown,
    reserved_cost,
    revenue_share,
    take_or_pay,
)
from tender.domain import CommittedSpend, Milestone, ReservedCapacity, RevenueShare, TakeOrPay

COMMIT = CommittedSpend(
    id="c1",
    provider="p",
    total_usd=D(100),
    milestones=(Milestone(2, D(40)), Milestone(4, D(100))),
    eligible_spend=("compute_contract",),
    penalty_pct_of_shortfall=D(50),
)
COMMIT2 = CommittedSpend(
    id="c2",
    provider="p",
    total_usd=D(30),
    milestones=(Milestone(4, D(30)),),
    eligible_spend=("compute_contract",),
    drawdown_after="c1",
)


def _rows(
    commitments: list[CommittedSpend], spend: list[Spend], horizon: int
) -> dict[tuple[str, int], tuple[D, ...]]:
    return {
        (r.clause, r.month): (r.drawn, r.cumulative, r.shortfall, r.penalty)
        for r in drawdown(commitments, spend, horizon)
    }


@pytest.mark.parametrize(
    ("spend", "month", "expected"),
    [
        # on track: no shortfall at either milestone
        (
            [Spend(1, "p", "compute_contract", D(40)), Spend(3, "p", "compute_contract", D(60))],
            2,
            (D(0), D(40), D(0), D(0)),
        ),
        (
            [Spend(1, "p", "compute_contract", D(40)), Spend(3, "p", "compute_contract", D(60))],
            4,
            (D(0), D(100), D(0), D(0)),
        ),
        # short by 15 at month 2: penalty 50 % = 7.5
        ([Spend(1, "p", "compute_contract", D(25))], 2, (D(0), D(25), D(15), D("7.5"))),
        # paid shortfall counts towards the next milestone: 100 - 25 - 15 = 60
        ([Spend(1, "p", "compute_contract", D(25))], 4, (D(0), D(25), D(60), D(30))),
        # ineligible category and another provider draw nothing
        (
            [Spend(1, "p", "compute_spot", D(99)), Spend(1, "q", "compute_contract", D(99))],
            1,
            (D(0), D(0), D(0), D(0)),
        ),
        # cents stay exact
        ([Spend(1, "p", "compute_contract", D("39.99"))], 2, (D(0), D("39.99"), D("0.01"), D("0.005"))),
    ],
)
def test_drawdown_milestones(spend: list[Spend], month: int, expected: tuple[D, ...]) -> None:
    assert _rows([COMMIT], spend, 4)[("c1", month)] == expected


def test_drawdown_order_after_first_commitment_met() -> None:
    spend = [Spend(1, "p", "compute_contract", D(90)), Spend(2, "p", "compute_contract", D(30))]
    rows = _rows([COMMIT2, COMMIT], spend, 4)
    assert rows[("c2", 1)][:2] == (D(0), D(0))  # c1 not yet met: nothing counts for c2
    assert rows[("c1", 2)][:2] == (D(10), D(100))
    assert rows[("c2", 2)][:2] == (D(20), D(20))  # the overflow draws down c2
    assert rows[("c2", 4)][2:] == (D(10), D(10))  # c2 short by 10 at its milestone, 100 % penalty


def test_drawdown_respects_effective_months() -> None:
    late = CommittedSpend(
        id="c3", provider="p", total_usd=D(10), milestones=(Milestone(3, D(10)),), effective_from_month=3
    )
    rows = _rows(
        [late], [Spend(2, "p", "compute_contract", D(10)), Spend(3, "p", "compute_contract", D(4))], 3
    )
    assert rows[("c3", 2)][0] == D(0)
    assert rows[("c3", 3)] == (D(4), D(4), D(6), D(6))


TOP = TakeOrPay(id="t1", provider="jv", term_months=2, minimum_pct_of_delivered_capacity=D(90))


@pytest.mark.parametrize(
    ("clause", "month", "expected_charge", "expected_unused", "expected_relief"),
    [
        (TOP, DeliveryMonth(1, D(1000), D(1000), D(500), D("3.40")), D("3060.00"), D("1360.00"), D(0)),
        (TOP, DeliveryMonth(1, D(1000), D(1000), D(950), D("3.40")), D("3230.00"), D(0), D(0)),
        # delivery slipped: 600 of 1000 hours delivered; minimum on delivered only
        (TOP, DeliveryMonth(2, D(1000), D(600), D(100), D("3.40")), D("1836.00"), D("1496.00"), D("1224.00")),
        # without relief the minimum is on scheduled capacity
        (
            TakeOrPay(
                id="t2",
                provider="jv",
                term_months=2,
                minimum_pct_of_delivered_capacity=D(90),
                delivery_slip_relief=False,
            ),
            DeliveryMonth(2, D(1000), D(600), D(100), D("3.40")),
            D("3060.00"),
            D("2720.00"),
            D(0),
        ),
        # after the term only use is paid
        (TOP, DeliveryMonth(3, D(1000), D(1000), D(10), D("3.40")), D("34.00"), D(0), D(0)),
    ],
)
def test_take_or_pay(
    clause: TakeOrPay, month: DeliveryMonth, expected_charge: D, expected_unused: D, expected_relief: D
) -> None:
    (row,) = take_or_pay(clause, [month])
    assert (row.charge, row.unused_paid, row.slip_relief) == (
        expected_charge,
        expected_unused,
        expected_relief,
    )


def test_reserved_with_burst_at_on_demand() -> None:
    clause = ReservedCapacity(
        id="r", provider="n", gpu="GB200", gpus=10, start_month=1, term_months=2, burst_max_gpus=5
    )
    rows = reserved_cost(clause, {1: D(5000), 2: D(20000), 3: D(100)}, D("4.00"), D("10.00"), 730, 3)
    assert [r.reservation_charge for r in rows] == [D(29200), D(29200), D(0)]
    assert rows[0].idle_gpu_hours == D(2300) and rows[0].burst_charge == D(0)
    assert rows[1].burst_gpu_hours == D(3650) and rows[1].burst_charge == D(36500)
    assert rows[1].unserved_gpu_hours == D(20000 - 7300 - 3650)
    assert rows[2].burst_charge == D(1000)  # outside the term everything is on demand


def test_reserved_prepaid_upfront() -> None:
    clause = ReservedCapacity(
        id="r", provider="n", gpu="H200", gpus=2, start_month=2, term_months=3, billing="prepaid_upfront"
    )
    rows = reserved_cost(clause, {}, D("2.50"), D("7.00"), 730, 5)
    assert [r.reservation_charge for r in rows] == [D(0), D(10950), D(0), D(0), D(0)]


def test_revenue_share_cap_and_monthly_settlement() -> None:
    clause = RevenueShare(id="s", counterparty_id="p", outbound_rate=D("0.20"), outbound_cap_usd=D(50))
    rows = revenue_share(clause, [D(100), D(100), D(100), D(100)])
    assert [r.accrued for r in rows] == [D(20), D(20), D(10), D(0)]
    assert [r.capped for r in rows] == [False, False, True, True]
    assert [r.settled for r in rows] == [D(0), D(20), D(20), D(10)]


def test_revenue_share_quarterly_with_inbound() -> None:
    clause = RevenueShare(
        id="s",
        counterparty_id="p",
        outbound_rate=D("0.1"),
        inbound_rate=D("0.05"),
        settlement="quarterly_in_arrears",
    )
    rows = revenue_share(clause, [D(10)] * 5, [D(10)] * 5)
    assert [r.inbound for r in rows] == [D("0.50")] * 5
    assert [r.settled for r in rows] == [D(0), D(0), D(0), D("1.50"), D(0)]


def test_revenue_share_outside_effective_months() -> None:
    clause = RevenueShare(id="s", counterparty_id="p", outbound_rate=D("0.2"), effective_to_month=1)
    rows = revenue_share(clause, [D(100), D(100)])
    assert [r.accrued for r in rows] == [D(20), D(0)]
