"""The robust plan's tornado in `tender plan --robust` (JSON, summary, report), checked by hand.

one_campus.yaml: the only uncertain input is the campus delay (p10 = 0, p90 = 3 months); the run
`pretrain` (10,000 GB200, months 4-6) fits only on the campus's phase 2 (month 4). The robust plan
books the campus GPUs it uses, and a booking is paid whether used (docs/risk.md), so at p90 (phase 2
online in month 5, the run missed) the plan pays its bookings and, on top, the run's unmet penalty:
10,000 GB200 x 2.5 h100_eq x 730 h x 3 months x $50. At p10 the future is the file's.
book_or_buy.yaml: the only input is serving's demand band (p10 = 1, p90 = 2); the robust plan books
2,000 GPUs at $2 for 730 h, which covers the high demand: $2,920,000 at both ends, swing 0.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tender.cli.app import app

CASES = Path(__file__).resolve().parents[2] / "scenarios" / "risk"


def _study(tmp_path: Path, case: str, samples: str) -> tuple[dict[str, Any], str, str]:
    out, html = tmp_path / "s.json", tmp_path / "s.html"
    args = ["plan", str(CASES / case), "--robust", "--samples", samples, "--eval-samples", "4"]
    result = CliRunner().invoke(app, [*args, "--json", str(out), "--report", str(html)])
    assert result.exit_code == 0, result.output
    return json.loads(out.read_text()), html.read_text(), result.output


@pytest.mark.timeout(180)
def test_the_campus_slip_costs_the_runs_penalty_on_top_of_the_bookings(tmp_path: Path) -> None:
    doc, html, printed = _study(tmp_path, "one_campus.yaml", "6")
    plans = {p["name"]: p for p in doc["plans"]}
    assert plans["deterministic"]["tornado"] == []  # the deterministic plan's is `tender risk`'s
    (bar,) = plans["robust"]["tornado"]
    assert (bar["input"], bar["key"], bar["p10"], bar["p90"]) == ("campus_delay_months", "campus", "0", "3")
    penalty = Decimal(10_000) * Decimal("2.5") * 730 * 3 * 50
    assert Decimal(bar["cost_at_p90_usd"]) - Decimal(bar["cost_at_p10_usd"]) == penalty
    assert Decimal(bar["swing_usd"]) == penalty
    assert "Tornado of the robust plan" in html and "campus_delay_months campus" in html
    assert "tornado of the robust plan" in printed and "campus_delay_months campus" in printed


@pytest.mark.timeout(180)
def test_a_booking_that_covers_the_high_demand_has_no_swing(tmp_path: Path) -> None:
    doc, _html, _printed = _study(tmp_path, "book_or_buy.yaml", "20")
    robust = next(p for p in doc["plans"] if p["name"] == "robust")
    (bar,) = robust["tornado"]
    assert (bar["input"], bar["key"], bar["p10"], bar["p90"]) == ("demand_multiplier", "serving", "1", "2")
    assert bar["cost_at_p10_usd"] == bar["cost_at_p90_usd"] == "2920000.00"
    assert bar["swing_usd"] == "0.00"
