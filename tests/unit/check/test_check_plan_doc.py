"""Reading the plan JSON: every missing key or mistyped value is a `PlanDocError` naming its field path."""

from __future__ import annotations

from typing import Any

import pytest
from check_builders import Plan, changed, minimal, minimal_plan

from tender.check import PlanDocError, check_plan


def without(plan: Plan, path: str) -> Plan:
    *parents, last = path.split(".")
    node: Any = plan
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node[key]
    del node[last]
    return plan


CASES = [
    ("missing top-level list", lambda: without(minimal_plan(), "awards"), "awards", "missing field"),
    (
        "gpus as a string",
        lambda: changed(minimal_plan(), "awards.3.gpus", "3"),
        "awards[3].gpus",
        "expected an integer, got a string",
    ),
    (
        "month as a boolean",
        lambda: changed(minimal_plan(), "awards.0.month", True),
        "awards[0].month",
        "expected an integer",
    ),
    (
        "rate as a float",
        lambda: changed(minimal_plan(), "awards.1.rate_usd_per_gpu_hour", 3.0),
        "awards[1].rate_usd_per_gpu_hour",
        "decimal string",
    ),
    (
        "rate not a number",
        lambda: changed(minimal_plan(), "awards.1.rate_usd_per_gpu_hour", "3,00"),
        "awards[1].rate_usd_per_gpu_hour",
        "not a decimal",
    ),
    (
        "nested terms price",
        lambda: without(minimal_plan(), "notices.0.terms.price"),
        "notices[0].terms.price",
        "missing field",
    ),
    (
        "bad timestamp",
        lambda: changed(minimal_plan(), "notices.0.deadline", "next week"),
        "notices[0].deadline",
        "ISO-8601",
    ),
    (
        "award not an object",
        lambda: changed(minimal_plan(), "awards.2", 7),
        "awards[2]",
        "expected an object",
    ),
    (
        "reasons not strings",
        lambda: changed(
            minimal_plan(),
            "unmet",
            [{"demand": "api-serving", "month": 1, "h100_eq": "1.000", "reasons": [1]}],
        ),
        "unmet[0].reasons[0]",
        "expected a string",
    ),
    (
        "baseline award",
        lambda: changed(minimal_plan(), "baseline", {"awards": [{}], "unmet": [], "cost_breakdown_usd": {}}),
        "baseline.awards[0].demand",
        "missing field",
    ),
    (
        "breakdown item",
        lambda: without(minimal_plan(), "cost_breakdown_usd.compute"),
        "cost_breakdown_usd.compute",
        "missing field",
    ),
]


@pytest.mark.parametrize(("name", "build", "path", "message"), CASES, ids=[c[0] for c in CASES])
def test_bad_document(name: str, build: Any, path: str, message: str) -> None:
    with pytest.raises(PlanDocError) as caught:
        check_plan(minimal(), build())
    assert caught.value.path == path
    assert message in caught.value.message


def test_an_unknown_pricing_label_is_a_violation_not_a_bad_document() -> None:
    found = check_plan(minimal(), changed(minimal_plan(), "awards.0.pricing", "barter"))
    assert {v.code for v in found} >= {"structure"}
    assert any("pricing 'barter'" in v.message for v in found)


def test_optional_keys() -> None:
    plan = minimal_plan()
    plan["notices"][0]["third_party"] = (
        "rival-cloud-a"  # the new key wins over terms.best_third_party_provider
    )
    plan["notices"][0]["terms"]["best_third_party_provider"] = None
    plan["lower_bound_usd"] = None
    assert check_plan(minimal(), plan) == []
