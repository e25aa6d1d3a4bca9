"""The checker's own amended clause timeline (spec §0), the months a former holder's capacity opens
(§3) and the capped revenue share across amended versions (§7)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from check_builders import REPO, minimal, scenario

from tender.check.capacity import direct_from
from tender.check.context import Context
from tender.check.money import revenue_share
from tender.check.timeline import build_timeline
from tender.config import load_scenario
from tender.domain import (
    Amendment,
    Change,
    ChangeAction,
    CommittedSpend,
    DataResidency,
    RevenueShare,
    Scenario,
)


def ranges(sc: Scenario, clause_id: str) -> list[tuple[int, int | None]]:
    return [(v.effective_from_month, v.effective_to_month) for v in build_timeline(sc).versions_of(clause_id)]


def amend(sc: Scenario, month: int, *changes: Change) -> Scenario:
    return replace(sc, amendments=(*sc.amendments, Amendment(f"a-{month}", month, changes)))


def test_set_field_splits_terminate_cuts_add_starts_with_its_amendment() -> None:
    sc = scenario("amended.yaml")
    timeline = build_timeline(sc)
    caps = [
        (v.effective_from_month, v.effective_to_month, v.outbound_cap_usd)
        for v in timeline.versions_of("c-rev")
        if isinstance(v, RevenueShare)
    ]
    assert caps == [(1, 2, Decimal(250000)), (3, None, Decimal(400000))]
    assert ranges(sc, "c-rofr") == [(1, 5)]
    assert ranges(sc, "c-us") == [(6, None)]
    assert [v.id for v in timeline.of_type(DataResidency, 6)] == ["c-eu", "c-us"]


def test_revenue_share_cap_counts_every_version() -> None:
    # 10 % of 1,000,000.00 = 100,000.00 a month; the cap rises to 400,000.00 from month 3, so months
    # 1-4 accrue 100,000.00 each and nothing after.
    shares = revenue_share(Context(scenario("amended.yaml"), ()))
    assert [shares.get(("primary-cloud", m), Decimal(0)) for m in range(1, 7)] == [Decimal(100000)] * 4 + [
        Decimal(0)
    ] * 2


def test_a_former_holder_sells_directly_after_its_last_right_and_lead_time() -> None:
    # c-rofr ends after month 5 (amended); primary-cloud orders in month 6 and uses from 6 + 2 = 8.
    assert direct_from(Context(scenario("amended.yaml"), ()), "primary-cloud") == 8
    # an open-ended right: never within the 12-month horizon
    assert direct_from(Context(scenario("variety.yaml"), ()), "primary-cloud") == 15
    # never a holder, no lead time: from month 1
    assert direct_from(Context(scenario("variety.yaml"), ()), "neo") == 1


def test_frontier_lab_amendment() -> None:
    sc = load_scenario(str(REPO / "examples" / "frontier-lab.yaml"))
    assert ranges(sc, "c-primary-rofr") == [(1, 16)]  # ended before month 17: the terminate leaves it alone
    assert ranges(sc, "c-primary-commit-2") == [(17, None)]


def test_terminate_drops_a_version_that_had_not_started() -> None:
    sc = amend(minimal(), 1, Change(ChangeAction.TERMINATE, "c-rofr"))
    assert ranges(sc, "c-rofr") == []


def test_set_field_by_name_and_in_place() -> None:
    sc = amend(minimal(), 4, Change(ChangeAction.SET_FIELD, "c-commit", field="total_usd", value=Decimal(1)))
    totals = [
        (v.effective_from_month, v.total_usd)
        for v in build_timeline(sc).versions_of("c-commit")
        if isinstance(v, CommittedSpend)
    ]
    assert totals == [(1, Decimal(50000000)), (4, Decimal(1))]
    added = CommittedSpend(id="c-late", provider="primary-cloud", total_usd=Decimal(5))
    sc = amend(
        minimal(),
        6,
        Change(ChangeAction.ADD_CONTRACT, "c-late", contract=added),
        Change(ChangeAction.SET_FIELD, "c-late", field="total_usd", value=Decimal(7)),
    )
    late = build_timeline(sc).versions_of("c-late")
    assert [(v.effective_from_month, v.effective_to_month) for v in late] == [(6, None)]
    assert isinstance(late[0], CommittedSpend) and late[0].total_usd == Decimal(7)
