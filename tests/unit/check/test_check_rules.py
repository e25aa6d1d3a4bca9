"""`tender.check.check_plan`: one hand-built case per reason code, each failing with exactly that code,
and hand-computed clean plans (their money is worked out in `check_builders`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from check_builders import (
    API_NEED,
    BLOCK_DRAWN,
    C_COMMIT_DRAWN,
    NOTICE_ID,
    VARIETY_DRAWN,
    Plan,
    api_serving_awards,
    award,
    block_plan,
    changed,
    exercised_notice,
    milestone,
    minimal,
    minimal_plan,
    plus,
    pretrain_awards,
    rofr_notice,
    run_award,
    runs_plan,
    scenario,
    variety_fleet_awards,
    variety_plan,
)

from tender.check import check_plan
from tender.domain import Scenario

SCENARIOS: dict[str, Callable[[], Scenario]] = {
    "minimal": minimal,
    "variety": lambda: scenario("variety.yaml"),
    "runs": lambda: scenario("runs.yaml"),
}


@pytest.fixture(scope="module")
def scenarios() -> dict[str, Scenario]:
    return {name: load() for name, load in SCENARIOS.items()}


@dataclass(frozen=True)
class Case:
    name: str
    scenario: str
    plan: Callable[[], Plan]
    want_code: str | None  # None = clean
    want_count: int | None = None


def with_award(base: Callable[..., Plan], extra: dict[str, Any], **kwargs: Any) -> Callable[[], Plan]:
    """The base plan's own awards plus one more (billed by the builder like any other)."""

    def build() -> Plan:
        awards = base()["awards"] + [extra]
        return base(awards, **kwargs)

    return build


def minimal_with(awards: list[dict[str, Any]], **kwargs: Any) -> Callable[[], Plan]:
    return lambda: minimal_plan(awards, **kwargs)


def notice_with(**changes: Any) -> Callable[[], Plan]:
    return lambda: minimal_plan(notices=[rofr_notice(**changes)])


def second_notice(**changes: Any) -> Callable[[], Plan]:
    """A second notice, cited by nothing: 100 H100 of api-serving at rival-cloud-a, declined."""
    fields: dict[str, Any] = {
        "id": "c-rofr:api-serving/H100/rival-cloud-a:1",
        "need": "api-serving/H100/rival-cloud-a",
        "demand": "api-serving",
        "gpu": "H100",
        "gpus": 100,
        "region": "us-east",
        "status": "declined",
        "responded_at": "2026-07-10T00:00:00Z",
        "released_gpus": 100,
        "terms": {
            "price": "4.90",
            "best_third_party_quote": "4.90",
            "best_third_party_provider": "rival-cloud-a",
        },
    }
    fields.update(changes)
    return lambda: minimal_plan(notices=[rofr_notice(), rofr_notice(**fields)])


def edit(build: Callable[[], Plan], *changes: tuple[str, Any]) -> Callable[[], Plan]:
    def apply() -> Plan:
        plan = build()
        for path, value in changes:
            plan = changed(plan, path, value)
        return plan

    return apply


def appended(build: Callable[[], Plan], extra: dict[str, Any]) -> Callable[[], Plan]:
    """One more award after the ledger was built (so nothing bills it)."""

    def apply() -> Plan:
        plan = build()
        return changed(plan, "awards", [*plan["awards"], extra])

    return apply


def with_totals(build: Callable[[], Plan], **deltas: str) -> Callable[[], Plan]:
    """Add `deltas` to breakdown items, and the same to the total, bound and baseline (they still agree)."""

    def apply() -> Plan:
        plan = build()
        for item, delta in deltas.items():
            plan = changed(plan, f"cost_breakdown_usd.{item}", plus(plan["cost_breakdown_usd"][item], delta))
            for key in ("cost_total_usd", "lower_bound_usd", "baseline_cost_usd"):
                plan = changed(plan, key, plus(plan[key], delta))
        return plan

    return apply


def api_month1(**changes: Any) -> list[dict[str, Any]]:
    awards = api_serving_awards() + pretrain_awards()
    awards[0] = {**awards[0], **changes}
    return awards


def reserved(demand: str, gpus: int, month: int = 1) -> dict[str, Any]:
    return award(demand, "neo", "eu-west", "H100", month, gpus, "2.00", pricing="reserved", clause="c-res")


def burst(gpus: int) -> dict[str, Any]:
    return award("batch", "neo", "eu-west", "H100", 1, gpus, "2.50", pricing="on_demand", clause="c-res")


def variety_awards(*extra: dict[str, Any]) -> Callable[[], Plan]:
    return lambda: variety_plan(
        api_serving_awards() + pretrain_awards() + variety_fleet_awards() + list(extra)
    )


RUN_CLEAN = [run_award("cloud-a", "us-east", 2), run_award("cloud-a", "us-east", 3)]
# r1 unplaced: 100 GPUs x 2.5 h100_eq (GB200, the larger of its types) x 2 months x 50.00 x 730 h = 18,250,000.00
RUN_UNPLACED_PENALTY = 18_250_000
RUN_UNMET = {"demand": "r1", "month": 2, "gpus": 100, "h100_eq": None, "reasons": ["capacity"]}
# api-serving 10 h100_eq short in month 1: 10 x 50.00 x 730 h = 365,000.00
FLEET_UNMET_PENALTY = 365_000


def fleet_unmet(h100_eq: str, reasons: list[str]) -> list[dict[str, Any]]:
    return [{"demand": "api-serving", "month": 1, "h100_eq": h100_eq, "gpus": None, "reasons": reasons}]


CASES = [
    # clean, money computed by hand in check_builders
    Case("minimal clean", "minimal", minimal_plan, None),
    Case(
        "variety clean (reservation, take-or-pay, revenue share, drawdown order)",
        "variety",
        variety_plan,
        None,
    ),
    Case("holder block clean", "variety", block_plan, None),
    Case("run placed clean", "runs", lambda: runs_plan(RUN_CLEAN), None),
    Case(
        "run unplaced and reported clean",
        "runs",
        lambda: runs_plan([], unmet=[RUN_UNMET], unmet_penalty=RUN_UNPLACED_PENALTY),
        None,
    ),
    Case(
        "fleet short and reported clean",
        "minimal",
        minimal_with(
            api_month1(gpus=4990),
            unmet=fleet_unmet("10.000", ["capacity"]),
            unmet_penalty=FLEET_UNMET_PENALTY,
        ),
        None,
    ),
    # §1 structure
    Case(
        "award for an unknown demand",
        "minimal",
        appended(minimal_plan, award("ghost", "on-prem", "us-west", "H100", 1, 10, "1.45")),
        "structure",
        1,
    ),
    # §2 hard rules
    Case(
        "GB200 for an H100-only fleet",
        "variety",
        with_award(variety_plan, award("batch", "neo", "us-east", "GB200", 1, 72, "4.00")),
        "gpu_type",
        1,
    ),
    Case(
        "fleet outside its regions_allowed",
        "variety",
        with_award(variety_plan, award("batch", "on-prem", "us-west", "H100", 1, 10, "1.45")),
        "regions_allowed",
        1,
    ),
    Case(
        "eu-chat outside its residency",
        "variety",
        with_award(variety_plan, award("eu-chat", "on-prem", "us-west", "H100", 1, 10, "1.45")),
        "residency",
        1,
    ),
    Case(
        "api-serving off its exclusive provider",
        "variety",
        with_award(variety_plan, award("api-serving", "on-prem", "us-west", "H100", 1, 10, "1.45")),
        "exclusivity",
        1,
    ),
    Case(
        "spot for a non-preemptible fleet",
        "variety",
        with_award(variety_plan, award("eu-chat", "neo", "eu-west", "H100", 1, 10, "1.00", pricing="spot")),
        "spot",
        1,
    ),
    # §3 capacity: neo eu-west has 1,000 H100 and the plan already uses 200
    Case(
        "over capacity",
        "variety",
        with_award(variety_plan, award("batch", "neo", "eu-west", "H100", 1, 801, "2.00")),
        "capacity",
        1,
    ),
    Case(
        "part of a rack",
        "variety",
        with_award(variety_plan, award("eu-chat", "neo", "us-east", "GB200", 1, 100, "4.00")),
        "full_racks",
        1,
    ),
    # §4 rights, third-party side (pretrain-x at rival-cloud-a is bound by c-rofr)
    Case(
        "third party without citing a notice",
        "minimal",
        minimal_with(api_serving_awards() + pretrain_awards(notice=None)),
        "rofr_no_notice",
        4,
    ),
    Case(
        "notice still open", "minimal", notice_with(status="open", responded_at=None), "rofr_not_released", 4
    ),
    Case(
        "used before the answer",  # answered 2026-10-10, used from 2026-10-01 (month 4) on
        "minimal",
        notice_with(
            issued_at="2026-09-15T00:00:00Z",
            deadline="2026-10-15T00:00:00Z",
            responded_at="2026-10-10T00:00:00Z",
        ),
        "rofr_before_answer",
        1,
    ),
    Case(
        "used outside the need's months",
        "minimal",
        notice_with(start_month=5, duration_months=3),
        "rofr_outside_need",
        1,
    ),
    Case(
        "more than released",  # the holder took 2,304: its block is billed 2,304 x 5.20 x 730 = 8,745,984.00 in months 4-7
        "minimal",
        lambda: minimal_plan(
            notices=[rofr_notice(status="partially_exercised", exercised_gpus=2304, released_gpus=17696)],
            extra_bills={("primary-cloud", m): Decimal("8745984") for m in range(4, 8)},
        ),
        "rofr_exceeds_released",
        4,
    ),
    Case(
        "third party beats the holder's terms by over 5 %",  # 5.20 > 4.90 x 1.05 = 5.145
        "minimal",
        notice_with(
            terms={
                "price": "4.90",
                "best_third_party_quote": "4.90",
                "best_third_party_provider": "rival-cloud-a",
            }
        ),
        "reoffer_required",
        4,
    ),
    Case(
        "a supplier noticed about its own capacity",
        "minimal",
        second_notice(third_party="primary-cloud"),
        "rofr_notice_holder",
        1,
    ),
    Case(
        "deadline is not issue + 30 days",
        "minimal",
        second_notice(deadline="2026-07-11T00:00:00Z", responded_at="2026-07-05T00:00:00Z"),
        "rofr_notice_terms",
        1,
    ),
    # §4 holder blocks (the block plan: 20,000 exercised GB200, months 4-7, 1,000 existing GB200 beside it)
    Case(
        "more on the block than exercised",
        "variety",
        lambda: block_plan(
            [award("api-serving", "primary-cloud", "us-central", "GB200", 5, 72, "5.20", notice=NOTICE_ID)]
        ),
        "block_exceeds_exercised",
        1,
    ),
    Case(
        "block used outside its months",
        "variety",
        lambda: block_plan(
            [award("api-serving", "primary-cloud", "us-central", "GB200", 8, 10, "5.20", notice=NOTICE_ID)]
        ),
        "block_outside_months",
        1,
    ),
    Case(
        "block not at the notice price",
        "variety",
        edit(block_plan, ("awards.12.rate_usd_per_gpu_hour", "5.00")),
        "block_price",
        1,
    ),
    # §5 pricing
    Case(
        "contract award at the wrong rate",
        "minimal",
        minimal_with(api_month1(rate_usd_per_gpu_hour="3.10")),
        "rate",
        1,
    ),
    Case(
        "a label no rule allows",
        "minimal",
        minimal_with(api_month1(pricing="take_or_pay")),
        "pricing_label",
        1,
    ),
    Case("free capacity", "minimal", minimal_with(api_month1(rate_usd_per_gpu_hour="0")), "free_capacity", 1),
    Case(
        "more reserved than the reservation",
        "variety",
        variety_awards(reserved("batch", 301)),
        "reserved_over",
        1,
    ),
    Case(
        "burst over its limit", "variety", variety_awards(reserved("batch", 300), burst(201)), "burst_over", 1
    ),
    Case(
        "burst before the reservation is full", "variety", variety_awards(burst(10)), "burst_before_full", 1
    ),
    # §6 demand
    Case(
        "run neither placed nor unmet",
        "runs",
        lambda: runs_plan([], unmet_penalty=RUN_UNPLACED_PENALTY),
        "run_partial",
        1,
    ),
    Case(
        "run on two sites",
        "runs",
        lambda: runs_plan([RUN_CLEAN[0], run_award("cloud-b", "us-west", 3)]),
        "run_sites",
        1,
    ),
    Case(
        "run on two types",
        "runs",
        lambda: runs_plan([RUN_CLEAN[0], run_award("cloud-a", "us-east", 3, gpu="H100")]),
        "run_types",
        1,
    ),
    Case(
        "run months not contiguous",
        "runs",
        lambda: runs_plan([RUN_CLEAN[0], run_award("cloud-a", "us-east", 4)]),
        "run_months",
        1,
    ),
    Case(
        "run outside its window",
        "runs",
        lambda: runs_plan([run_award("cloud-a", "us-east", m) for m in (5, 6)]),
        "run_window",
        1,
    ),
    Case(
        "run short of GPUs one month",
        "runs",
        lambda: runs_plan([RUN_CLEAN[0], run_award("cloud-a", "us-east", 3, 99)]),
        "run_gpus",
        1,
    ),
    Case(
        "run placed and reported unmet",
        "runs",
        lambda: runs_plan(RUN_CLEAN, unmet=[RUN_UNMET]),
        "run_unmet_with_awards",
        1,
    ),
    Case("fleet short and not reported", "minimal", minimal_with(api_month1(gpus=4999)), "cover", 1),
    Case(
        "unmet reported while fully served",
        "minimal",
        lambda: minimal_plan(unmet=fleet_unmet("10.000", ["capacity"]), unmet_penalty=FLEET_UNMET_PENALTY),
        "unmet_overstated",
        1,
    ),
    Case(
        "unmet with an unknown reason",
        "minimal",
        minimal_with(
            api_month1(gpus=4990), unmet=fleet_unmet("10.000", ["bogus"]), unmet_penalty=FLEET_UNMET_PENALTY
        ),
        "unmet_reason",
        1,
    ),
    # §7 money
    Case(
        "ledger rows moved",
        "minimal",
        edit(
            minimal_plan,
            ("ledger.0.billed_cost_usd", "10950001.00"),
            ("ledger.1.billed_cost_usd", "11387999.00"),
        ),
        "ledger_billed",
        2,
    ),
    Case(
        "compute total off the ledger",
        "minimal",
        with_totals(minimal_plan, compute="1.00"),
        "compute_total",
        1,
    ),
    Case(
        "total is not the sum",
        "minimal",
        edit(
            minimal_plan,
            ("cost_total_usd", "463988001.00"),
            ("baseline_cost_usd", "463988001.00"),
            ("lower_bound_usd", "463988001.00"),
        ),
        "cost_total",
        1,
    ),
    Case(
        "unmet penalty without unmet",
        "minimal",
        with_totals(minimal_plan, unmet_penalty="1.00"),
        "unmet_penalty",
        1,
    ),
    Case(
        "revenue share in the wrong month",
        "variety",
        edit(
            variety_plan,
            ("ledger.5.revenue_share_usd", "50000.00"),
            ("ledger.8.revenue_share_usd", "100000.00"),
        ),
        "revenue_share",
        2,
    ),
    Case(
        "milestone drawdown misstated",
        "minimal",
        edit(minimal_plan, ("milestones.0.drawdown_usd", "49999999.00")),
        "milestone",
        1,
    ),
    Case(  # the defect: a provider's commitments summed onto its first one
        "ledger draws a chained commitment onto the first",
        "variety",
        lambda: variety_plan(
            drawdowns={
                (("c-commit", *k[1:]) if k[0] == "c-commit-2" else k): v for k, v in VARIETY_DRAWN.items()
            }
        ),
        "ledger_drawdown",
        17,  # c-commit months 5-12 differ (8), it passes its total in month 5 (1), c-commit-2 loses 5-12 (8)
    ),
    Case(
        "ledger drawdown a cent off",
        "minimal",
        lambda: minimal_plan(drawdowns={**C_COMMIT_DRAWN, ("c-commit", "primary-cloud", 2): 11_388_000.01}),
        "ledger_drawdown",
        2,  # month 2 differs, and 50,000,000.01 is above the total
    ),
    Case(
        "drawdown on a row that is no commitment",
        "minimal",
        lambda: minimal_plan(drawdowns={**C_COMMIT_DRAWN, ("c-rofr", "primary-cloud", 6): 1}),
        "ledger_drawdown",
        1,
    ),
    Case(
        "shortfall penalty without a shortfall",
        "minimal",
        with_totals(minimal_plan, shortfall_penalty="1.00"),
        "shortfall_total",
        1,
    ),
    Case(
        "lower bound above the cost",
        "minimal",
        edit(minimal_plan, ("lower_bound_usd", "463988001.00")),
        "bound",
        1,
    ),
    # §8 baseline, §9 protocol
    Case(
        "baseline cheaper than the plan",
        "minimal",
        edit(minimal_plan, ("baseline_cost_usd", "463987999.00")),
        "cost_above_baseline",
        1,
    ),
    Case(
        "protocol rejection",
        "minimal",
        edit(minimal_plan, ("protocol_rejections", ["signed n1: exceeds_released"])),
        "protocol_rejection",
        1,
    ),
]


def codes(found: list[Any]) -> list[str]:
    return sorted({v.code for v in found})


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case(case: Case, scenarios: dict[str, Scenario]) -> None:
    found = check_plan(scenarios[case.scenario], case.plan())
    shown = "\n".join(f"{v.code}: {v.message}" for v in found)
    if case.want_code is None:
        assert found == [], shown
        return
    assert codes(found) == [case.want_code], shown
    if case.want_count is not None:
        assert len(found) == case.want_count, shown


def test_every_code_has_a_failing_case() -> None:
    from tender.check import Code

    covered = {c.want_code for c in CASES} | {"structure", "block_regions"}  # block_regions: below
    covered |= {"run_pinned", "held_not_billed", "notice_answer"}  # a re-plan's: test_check_pinned.py
    baseline_only = {"baseline"}  # baseline_ codes are tested in test_check_baseline.py
    assert {str(code) for code in Code} - covered - baseline_only == set()


def test_variety_ledger_rows_are_where_the_cases_expect() -> None:
    plan = variety_plan()
    rows = [(r["provider"], r["month"]) for r in plan["ledger"]]
    assert rows[5] == ("primary-cloud", 2) and rows[8] == ("primary-cloud", 3)
    assert plan["cost_total_usd"] == "527304800.00"
    assert minimal_plan()["cost_total_usd"] == "463988000.00"
    assert API_NEED[0] == 5000 and milestone("c", 1, 1, 1)["drawdown_usd"] == "1.00"


def _drawn_rows(plan: Plan) -> dict[tuple[str, str, int], Decimal]:
    return {
        (r["contract_id"], r["provider"], r["month"]): Decimal(r["commitment_drawdown_usd"])
        for r in plan["ledger"]
        if Decimal(r["commitment_drawdown_usd"])
    }


def test_the_builders_chain_fill_is_the_hand_computed_drawdown() -> None:
    assert _drawn_rows(minimal_plan()) == C_COMMIT_DRAWN
    assert _drawn_rows(variety_plan()) == VARIETY_DRAWN
    assert _drawn_rows(block_plan()) == BLOCK_DRAWN
    assert exercised_notice()["exercised_gpus"] == 20000


def test_one_block_used_in_two_regions(scenarios: dict[str, Scenario]) -> None:
    """The block serves a run, so moving one of its months to another region also splits the run."""
    found = check_plan(scenarios["variety"], edit(block_plan, ("awards.12.region", "us-east"))())
    assert codes(found) == ["block_regions", "run_sites"], "\n".join(v.message for v in found)
