"""Shared inputs for the SkyPilot policy tests: the example scenario, and a variant with a first-ship right.

The example scenario has no first-ship clause (its exclusivity note only says the API was later
loosened "to ship first on Azure"), so the first-ship case runs on the example plus one clause:
`c-primary-first-ship`, primary-cloud's first-ship right on `consumer-chat` capacity, months 17..24
(after the ROFR ends, so the two rights do not overlap).
"""

from __future__ import annotations

from pathlib import Path

from tender.config import load_scenario, load_scenario_text
from tender.domain import Scenario

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "examples" / "frontier-lab.yaml"

FIRST_SHIP = """
  - id: c-primary-first-ship
    type: first_ship
    holder: primary-cloud
    workloads: [consumer-chat]
    effective_from_month: 17
    effective_to_month: 24
"""


def example() -> Scenario:
    return load_scenario(str(EXAMPLE))


def with_first_ship() -> Scenario:
    text = EXAMPLE.read_text()
    anchor = "\namendments:\n"
    assert anchor in text
    return load_scenario_text(text.replace(anchor, FIRST_SHIP + anchor, 1), "frontier-lab+first-ship.yaml")
