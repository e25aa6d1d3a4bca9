"""The ten reported planner defects (`tests/scenarios/plan_defects/`, each `examples/minimal.yaml`
with one change): each plan passes the independent checker, and the specific rule each one broke
is asserted by hand here, from the scenario's own numbers."""

from __future__ import annotations

import json
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tender.check import check_plan
from tender.config import load_scenario, load_scenario_text
from tender.domain import Scenario
from tender.plan_output import plan_to_dict
from tender.sourcing import PlanOptions, plan

CASES = Path(__file__).parent / "plan_defects"
NAMES = sorted(p.stem for p in CASES.glob("*.yaml"))


def _plan(name: str) -> tuple[Scenario, dict[str, Any]]:
    sc = load_scenario(str(CASES / f"{name}.yaml"))
    doc = plan_to_dict(plan(sc, PlanOptions(seed=0, time_limit_s=30)), sc)
    return sc, json.loads(json.dumps(doc))  # exactly what `--json` writes


def _awards(doc: dict[str, Any], **match: object) -> list[dict[str, Any]]:
    return [a for a in doc["awards"] if all(a[k] == v for k, v in match.items())]


@pytest.mark.parametrize("name", NAMES)
def test_each_defect_case_plans_clean(name: str) -> None:
    sc, doc = _plan(name)
    assert [f"{v.code} {v.message}" for v in check_plan(sc, doc)] == []
    assert doc["protocol_rejections"] == []
    assert Decimal(doc["cost_total_usd"]) <= Decimal(doc["baseline_cost_usd"])


def test_reservation_never_used_where_the_provider_lists_nothing() -> None:
    _sc, doc = _plan("reserved-before-capacity")  # 0 H100 in us-east until month 7
    early = [a for a in _awards(doc, provider="rival-cloud-a", gpu="H100") if a["month"] < 7]
    assert early == []


def test_region_less_reservation_is_one_pool_of_its_gpus() -> None:
    # 3000 reserved, 4000 listed in us-east, 0 in us-central to month 9
    _sc, doc = _plan("reserved-no-region")
    per_month: dict[int, int] = defaultdict(int)
    for a in _awards(doc, provider="rival-cloud-a", pricing="reserved"):
        per_month[a["month"]] += a["gpus"]
        assert a["region"] == "us-east" or a["month"] >= 10
    assert max(per_month.values()) <= 3000


def test_burst_at_contract_rate_is_labelled_contract() -> None:
    _sc, doc = _plan("burst-at-contract")  # burst.rate: contract -> 4.90
    burst = [a for a in _awards(doc, clause="c-res") if a["pricing"] != "reserved"]
    assert burst, "the case is built so that the burst is used"
    assert {(a["pricing"], a["rate_usd_per_gpu_hour"]) for a in burst} == {("contract", "4.9")}


@pytest.mark.parametrize(
    ("name", "rate"), [("reserved-no-contract-rate", "6.88"), ("reserved-spot-only", "2.05")]
)
def test_reservation_without_contract_rate_is_priced_at_the_next_rate(name: str, rate: str) -> None:
    _sc, doc = _plan(name)  # committed rate: contract, else on-demand, else spot
    reserved = _awards(doc, pricing="reserved")
    assert reserved and {a["rate_usd_per_gpu_hour"] for a in reserved} == {rate}
    billed = {(r["provider"], r["month"]): Decimal(r["billed_cost_usd"]) for r in doc["ledger"]}
    provider = reserved[0]["provider"]
    # 12 months x reserved GPUs x rate x 730 h, paid whether used (full_reservation_regardless_of_use)
    gpus = {"reserved-no-contract-rate": 4000, "reserved-spot-only": 3000}[name]
    assert all(billed[(provider, m)] >= gpus * Decimal(rate) * 730 for m in range(1, 13))


def test_rofr_in_force_from_month_2_notices_at_its_start() -> None:
    _sc, doc = _plan("rofr-starts-month2")
    assert [n["issued_at"] for n in doc["notices"]] == ["2026-08-01T00:00:00Z"]
    assert not any(u["demand"] == "pretrain-x" for u in doc["unmet"])


def test_nothing_released_means_no_third_party_capacity_for_the_fleet() -> None:
    _sc, doc = _plan("swap-past-rofr")  # deemed exercised: all 4000 GPUs to the holder
    (notice,) = doc["notices"]
    assert (notice["status"], notice["released_gpus"]) == ("exercised", 0)
    assert [a for a in _awards(doc, demand="batch") if a["provider"] == "rival-cloud-a"] == []


def test_cross_held_rights_never_notice_a_holder_about_itself() -> None:
    _sc, doc = _plan("cross-held-rights")
    assert all(n["holder"] != n["third_party"] for n in doc["notices"])


def test_eligible_spend_decides_what_draws_down() -> None:
    _sc, doc = _plan("commit-eligible-spend")  # the rival commitment counts on-demand spend only
    run = _awards(doc, demand="pretrain-x")
    assert {a["provider"] for a in run} == {"primary-cloud"}  # 4.00 direct, not the 5.20 rival


def test_run_gets_all_its_months_at_one_site() -> None:
    _sc, doc = _plan("run-mixed-site")
    months = sorted({a["month"] for a in _awards(doc, demand="pretrain-x")})
    assert len(months) == 4 and months == list(range(months[0], months[0] + 4))


@pytest.mark.parametrize("answer", ["decline: true", "silent: true", "exercise_gpus: 4608"])
def test_an_answer_exactly_at_a_0_day_deadline_is_on_time(answer: str) -> None:
    """Also seen in the report: `after_deadline` for an answer at the deadline of a 0-day window."""
    text = (Path(__file__).parents[2] / "examples" / "minimal.yaml").read_text()
    text = text.replace("response_window_days: 30", "response_window_days: 0")
    sc = load_scenario_text(text + f"rofr_responses:\n  - {{need: pretrain-x, {answer}}}\n", "w0.yaml")
    doc = json.loads(json.dumps(plan_to_dict(plan(sc, PlanOptions(seed=0)), sc)))
    assert doc["protocol_rejections"] == []
    (notice,) = doc["notices"]
    assert notice["responded_at"] == notice["deadline"] == notice["issued_at"]
    assert check_plan(sc, doc) == []
