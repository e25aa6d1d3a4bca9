"""`verified_renders`, the last step of `tender plan`: the JSON it writes is the very text the
independent checker read, and a plan the checker faults is written as `check_failed` with every
violation (the command then exits 1)."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
from check_builders import minimal

from tender.check import check_plan
from tender.plan_output import plan_to_json, verified_renders
from tender.plan_output import verify as verify_module
from tender.sourcing import PlanOptions, plan


@pytest.mark.parametrize("timings", [False, True])
def test_a_clean_plan_is_written_as_the_checker_read_it(
    monkeypatch: pytest.MonkeyPatch, timings: bool
) -> None:
    sc = minimal()
    planned = plan(sc, PlanOptions())
    read: list[dict[str, Any]] = []
    real = verify_module.check_plan

    def spy(scenario: Any, doc: dict[str, Any], fixed: Any = None) -> Any:
        read.append(doc)
        return real(scenario, doc, fixed)

    monkeypatch.setattr(verify_module, "check_plan", spy)
    renders = verified_renders(planned, sc, timings=timings)
    assert renders.result is planned and planned.status == "optimal"
    assert read == [json.loads(renders.json_text())]
    assert renders.json_text() == plan_to_json(planned, sc, timings)
    assert ("solve_seconds" in read[0]) is timings


def test_a_plan_the_checker_faults_is_written_as_check_failed() -> None:
    sc = minimal()
    planned = plan(sc, PlanOptions())
    tampered = replace(planned, cost_total_usd=planned.cost_total_usd + Decimal("1000.00"))
    renders = verified_renders(tampered, sc)
    doc = json.loads(renders.json_text())
    assert doc["status"] == "check_failed" and renders.result.status == "check_failed"
    assert doc["check_violations"] and tuple(doc["check_violations"]) == renders.result.check_violations
    assert doc["cost_total_usd"] == str(tampered.cost_total_usd)  # written as it was, not mended
    assert check_plan(sc, doc)  # what was written still fails the checker on its own
