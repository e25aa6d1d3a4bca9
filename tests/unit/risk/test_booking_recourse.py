"""Bookings in the recourse (`booking.bind`): contract capacity is only what was booked, paid whether
used, and spot on the same line stays usable (the booking rows leave spot columns out).

One month of 730 h; "cloud" sells H100 on contract at $3/GPU-h and at spot for $1; a preemptible fleet
needs 500 H100 and an on-demand-only fleet 300 (not preemptible).
- booked 300: the 300 contract GPUs cost 300 x 3 x 730 = $657,000 and the 500 spot GPUs
  500 x 1 x 730 = $365,000: $1,022,000 in all;
- booked 400: the 400 booked GPUs are paid anyway, so the recourse uses them all (100 of the batch
  fleet's too) and buys 400 spot: 400 x 3 x 730 + 400 x 1 x 730 = $1,168,000;
- booked 0: no contract GPU at all; the 300 GPUs of the non-preemptible fleet are unmet at $50 per
  h100_eq-hour: 300 x 50 x 730 = $10,950,000, plus the spot $365,000.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from tender.config import load_scenario
from tender.sourcing import PlanOptions
from tender.sourcing.risk.evaluate import evaluate_draw
from tender.sourcing.risk.first_stage import FirstStage
from tender.sourcing.risk.sampler import Draw

YAML = """
scenario: {id: spot-and-booked, start_month: '2026-01', horizon_months: 1}
gpu_catalog:
  H100: {h100_eq: 1.0, memory_gb: 80, kw_per_gpu_facility: 1.8}
providers:
  cloud:
    kind: hyperscaler
    regions: [us-east]
    capacity:
      - {gpu: H100, region: us-east, steps: [{from_month: 1, gpus: 5000}]}
    rates:
      H100: {contract: 3.00, spot: 1.00}
demand:
  inference_fleets:
    - {id: batch, workload_class: batch, allowed_gpus: [H100], h100_eq: [500], preemptible_ok: true}
    - {id: serving, workload_class: inference, allowed_gpus: [H100], h100_eq: [300]}
"""


@pytest.mark.parametrize(("booked", "cost"), [(300, 1_022_000), (400, 1_168_000), (0, 11_315_000)])
def test_bookings_bound_contract_and_leave_spot(tmp_path: Path, booked: int, cost: int) -> None:
    path = tmp_path / "case.yaml"
    path.write_text(YAML, encoding="utf-8")
    sc = load_scenario(str(path))
    stage = FirstStage({}, (), {("cloud", "H100", "us-east", 1): booked} if booked else {})
    out = evaluate_draw(sc, stage, Draw(0, {}, {}, {}, {}, {}), PlanOptions())
    assert out.cost_usd == Decimal(cost)
