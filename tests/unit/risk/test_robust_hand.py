"""`tender plan --robust` on a two-stage case solved by hand (tests/scenarios/risk/book_or_buy.yaml).

One month of h = 730 hours. Book now at c = $2/GPU-h (paid whether used) or buy later on demand at
p = $10/GPU-h; demand D = 1,000 GPUs (probability 7/10) or 2,000 (3/10); unmet costs $50, more than p.

Two-stage cost of booking B (1,000 <= B <= 2,000): h (c B + p P(D > B) (2,000 - B) ...), so its slope
in B is h (c - p P(D > B)) = h (2 - 10 q) with q the probability of the high demand. The SAA over K
samples with a share q_K of high demands books B = 2,000 when q_K > c / p = 1/5, else B = 1,000, and
its objective is h (c B + p q_K (2,000 - B)).
- RP (the robust plan, B = 2,000): h c 2,000 = $2,920,000 in every future;
- EEV (the deterministic plan books the demand as written, B = 1,000): h c 1,000 + h p 1,000 [high]
  = $1,460,000 + $7,300,000 [high], expected $1,460,000 + 3/10 x $7,300,000 = $3,650,000;
- WS (perfect information books D): h c D = $1,460,000 or $2,920,000, expected $1,898,000;
- VSS = EEV - RP = $730,000; EVPI = RP - WS = 7/10 x $1,460,000 = $1,022,000.
Out of sample on N fresh samples with n high ones (common random numbers) the estimates are, exactly,
VSS = -$1,460,000 + $7,300,000 n / N and EVPI = $1,460,000 (N - n) / N, with the standard errors of
the paired differences.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tender.cli.app import app
from tender.config import load_scenario
from tender.sourcing import PlanOptions, plan
from tender.sourcing.risk.first_stage import of_plan
from tender.sourcing.risk.robust import solve_robust
from tender.sourcing.risk.sampler import draw, inputs
from tender.sourcing.risk.study import FRESH, measures, study_sample

CASE = Path(__file__).resolve().parents[2] / "scenarios" / "risk" / "book_or_buy.yaml"
H, C, P = 730, Decimal(2), Decimal(10)
SLOT = ("book", "H100", "us-east", 1)


def _high(seed: int, index: int) -> bool:
    """Read the demand multiplier straight from the sampler's draw (2 = high, 1 = low)."""
    sc = load_scenario(str(CASE))
    return draw(inputs(sc), seed, index).demand["serving"] == 2


@pytest.mark.parametrize(("seed", "k"), [(0, 20), (1, 20), (6, 10), (4, 4)])
def test_the_extensive_form_books_what_the_hand_rule_says(seed: int, k: int) -> None:
    sc = load_scenario(str(CASE))
    det = of_plan(plan(sc, PlanOptions(seed=seed)), (), book=True)
    assert det.booked == {SLOT: 1000}  # the deterministic plan books the demand as written
    robust = solve_robust(sc, det, seed, k, PlanOptions(seed=seed))
    q = Decimal(sum(_high(seed, i) for i in range(k))) / k
    booked = 2000 if q > C / P else 1000
    assert robust.first.booked == {SLOT: booked}
    assert robust.objective_usd == (H * (C * booked + P * q * (2000 - booked))).quantize(Decimal("0.01"))


def test_both_branches_of_the_hand_rule_occur_above() -> None:
    shares = [sum(_high(s, i) for i in range(k)) / k for s, k in [(0, 20), (1, 20), (6, 10), (4, 4)]]
    assert any(q > 0.2 for q in shares) and any(q < 0.2 for q in shares)


def test_vss_and_evpi_out_of_sample_equal_the_hand_values() -> None:
    sc = load_scenario(str(CASE))
    seed, n_eval = 0, 100
    det = of_plan(plan(sc, PlanOptions(seed=seed)), (), book=True)
    robust = solve_robust(sc, det, seed, 20, PlanOptions(seed=seed))
    assert robust.first.booked == {SLOT: 2000}
    triples = [study_sample(sc, det, robust.first, seed, i, PlanOptions()) for i in range(n_eval)]
    high = [_high(seed, FRESH + i) for i in range(n_eval)]
    for t, hi in zip(triples, high, strict=True):  # each future's three costs, by hand
        assert t.robust.cost_usd == 2_920_000
        assert t.deterministic.cost_usd == (8_760_000 if hi else 1_460_000)
        assert t.wait_and_see_usd == (2_920_000 if hi else 1_460_000)
    n = sum(high)
    m = measures(triples)
    assert m.vss_usd == Decimal(-1_460_000 * n_eval + 7_300_000 * n) / n_eval
    assert m.evpi_usd == Decimal(1_460_000 * (n_eval - n)) / n_eval
    se = 7_300_000 * math.sqrt(n * (n_eval - n) / (n_eval * (n_eval - 1))) / math.sqrt(n_eval)
    assert float(m.vss_se_usd) == pytest.approx(se, rel=1e-9)
    assert float(m.evpi_se_usd) == pytest.approx(se / 5, rel=1e-9)  # 1,460,000 = 7,300,000 / 5
    assert abs(m.vss_usd - 730_000) <= 4 * m.vss_se_usd
    assert abs(m.evpi_usd - 1_022_000) <= 4 * m.evpi_se_usd


@pytest.mark.timeout(120)
def test_the_cli_writes_both_plans_side_by_side(tmp_path: Path) -> None:
    out = tmp_path / "study.json"
    args = ["plan", str(CASE), "--robust", "--samples", "20", "--eval-samples", "30", "--json", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text())
    assert [p["name"] for p in doc["plans"]] == ["deterministic", "robust"]
    n = sum(_high(0, FRESH + i) for i in range(30))
    assert Decimal(doc["vss_usd"]) == (Decimal(-1_460_000 * 30 + 7_300_000 * n) / 30).quantize(
        Decimal("0.01")
    )
    assert Decimal(doc["evpi_usd"]) == (Decimal(1_460_000 * (30 - n)) / 30).quantize(Decimal("0.01"))
    assert set(doc["standard_errors"]) >= {"deterministic", "robust", "vss_usd", "evpi_usd"}
    assert doc["robust"]["first_stage"]["bookings"] == [
        {"provider": "book", "gpu": "H100", "region": "us-east", "month": 1, "gpus": 2000}
    ]
    assert doc["hedge"]["cost_usd"] == "1460000.00"  # 1,000 more GPUs booked at $2 for 730 h


@pytest.mark.timeout(180)
def test_the_study_json_is_the_same_bytes_on_one_and_two_workers(tmp_path: Path) -> None:
    outs = []
    for workers in ("1", "2"):
        out = tmp_path / f"w{workers}.json"
        args = ["plan", str(CASE), "--robust", "--samples", "8", "--eval-samples", "6", "--seed", "4"]
        result = CliRunner().invoke(app, [*args, "--workers", workers, "--json", str(out)])
        assert result.exit_code == 0, result.output
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]
