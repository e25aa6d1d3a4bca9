"""The value of a ROFR, by hand: one need, one third-party quote, a holder that matches.

Scenario (below): 6 months of 730 hours. `run` needs 720 GB200 for months 3-5 (3 months), one site.
`third` has 1,000 GB200 at a contract rate of $5.00/GPU-h; `holder` can add 1,000 new GB200 at
$6.00 and holds a ROFR on new capacity (match_best_offer, 30-day window, no minimum block); its
scripted answer exercises the whole notice.

Base (ROFR): the notice carries the best third-party quote, $5.00; the holder matches it, so the lab
pays the holder 720 GPUs x $5.00 x 730 h x 3 months = $7,884,000, and the third party nothing.
Variant `open` (the ROFR removed): the holder's new capacity is an ordinary offer at $6.00, the
third party's $5.00 is cheaper, so the lab pays `third` the same $7,884,000 and the holder nothing.
Variant `declined` (the holder's answer is a decline): the lab signs with `third`, as in `open`.

Hand deltas against the base, for `open` and for `declined`: the lab 0 (a matched ROFR costs the lab
nothing in price), the holder -$7,884,000, the third party +$7,884,000. The holder's new build in the
base: 720 GPUs x 3 months = 2,160 GPU-months, peak 720, capex proxy 720 x $42,000 = $30,240,000.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from typer.testing import CliRunner

from tender.cli.app import app

SCENARIO = """
scenario: {id: hand-rofr, start_month: '2026-07', horizon_months: 6}
gpu_catalog:
  GB200: {h100_eq: 2.5, memory_gb: 186, kw_per_gpu_facility: 2.8}
providers:
  holder:
    kind: hyperscaler
    regions: [us-central]
    new_capacity_offerable:
      - {gpu: GB200, region: us-central, steps: [{from_month: 1, gpus: 1000}]}
    lead_time_months: 0
    rates:
      GB200: {contract: 6.00, on_demand: 9.00}
  third:
    kind: hyperscaler
    regions: [us-central]
    capacity:
      - {gpu: GB200, region: us-central, steps: [{from_month: 1, gpus: 1000}]}
    rates:
      GB200: {contract: 5.00, on_demand: 8.00}
contracts:
  - {id: c-rofr, type: rofr, holder: holder, applies_to: new_capacity, response_window_days: 30,
     match_mode: match_best_offer, partial_exercise: true, min_exercise_block_gpus: 1}
demand:
  training_runs:
    - {id: run, gpu_types: [GB200], gpus: 720, earliest_start_month: 3, duration_months: 3, latest_end_month: 6}
rofr_responses:
  - {need: run, holder: holder}
"""
OPEN = "variant: {name: open}\ncontracts:\n  remove: [c-rofr]\n"
DECLINED = "variant: {name: declined}\nset:\n  rofr_responses.0.decline: true\n"
PAID = Decimal(720) * Decimal("5.00") * 730 * 3  # 7,884,000


@pytest.fixture(scope="module")
def doc(tmp_path_factory: pytest.TempPathFactory) -> dict:
    d = tmp_path_factory.mktemp("hand")
    for name, text in (("base.yaml", SCENARIO), ("open.yaml", OPEN), ("declined.yaml", DECLINED)):
        (d / name).write_text(text)
    out = d / "out.json"
    argv = [
        "compare",
        str(d / "base.yaml"),
        str(d / "open.yaml"),
        str(d / "declined.yaml"),
        "--json",
        str(out),
    ]
    result = CliRunner().invoke(app, argv)
    assert result.exit_code == 0, result.output
    loaded: dict = json.loads(out.read_text())
    return loaded


def _revenue(v: dict, key: str = "parties") -> dict[str, Decimal]:
    return {p["party"]: Decimal(p["revenue_usd"]) for p in v[key]}


def test_base_pays_the_holder_at_the_matched_quote(doc: dict) -> None:
    base = doc["variants"][0]
    assert Decimal(base["lab_cost_usd"]) == PAID == Decimal("7884000")
    assert _revenue(base) == {"holder": PAID, "third": Decimal(0)}
    assert base["capex"]["primary"] == "holder"
    assert base["capex"]["primary_build"] == {
        "gpu_months": 2160,
        "peak_gpus": 720,
        "capex_proxy_usd": "30240000.00",
    }


@pytest.mark.parametrize("name", ["open", "declined"])
def test_deltas_equal_the_hand_values(doc: dict, name: str) -> None:
    v = next(x for x in doc["variants"] if x["name"] == name)
    d = v["delta_vs_base"]
    assert Decimal(d["lab_cost_usd"]) == 0
    assert _revenue(d) == {"holder": -PAID, "third": PAID}
    lines = {x["line"]: Decimal(x["usd"]) for x in d["lab_cost_lines_usd"]}
    assert lines["compute holder"] == -PAID and lines["compute third"] == PAID
    assert v["capex"]["primary_build"] == {"gpu_months": 0, "peak_gpus": 0, "capex_proxy_usd": "0.00"}
