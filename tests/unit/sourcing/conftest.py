from __future__ import annotations

from pathlib import Path

import pytest

from tender.config import load_scenario
from tender.domain import Scenario
from tender.sourcing import Plan, PlanOptions, plan

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "frontier-lab.yaml"


@pytest.fixture(scope="session")
def example() -> Scenario:
    return load_scenario(str(EXAMPLE))


@pytest.fixture(scope="session")
def example_plan(example: Scenario) -> Plan:
    return plan(example, PlanOptions(seed=0))
