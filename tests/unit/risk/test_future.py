"""A sampled future changes exactly what docs/scenario.md says each input changes (hand values)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from tender.config import load_scenario_text
from tender.sourcing.risk.future import apply
from tender.sourcing.risk.sampler import Draw
from tender.sourcing.risk.tables import distributions

ONE_CAMPUS = Path(__file__).resolve().parents[3] / "tests" / "scenarios" / "risk" / "one_campus.yaml"
FULL = """
uncertainty:
  campus_delay_correlation: {campus: 0.5}
  delivery_slip_months: {cloud: {p50: 1, p90: 2}}
  demand_bands: {serving: {p10: 0.9, p50: 1.0, p90: 1.25}}
  run_start_slip_months: {pretrain: {p50: 0, p90: 1}}
  rofr_behavior_ranges: {cloud: {accept_probability: [0.2, 0.8], max_share_of_request: [0.5, 1]}}
  price_multipliers: {on_demand: {p10: 0.9, p90: 1.3}, spot: {p10: 0.5, p90: 1.5}}
"""


def _scenario():  # type: ignore[no-untyped-def]
    text = ONE_CAMPUS.read_text(encoding="utf-8").split("uncertainty:")[0]
    text = text.replace(
        "      GB200: {contract: 5.00, on_demand: 9.00}\n",
        "      GB200: {contract: 5.00, on_demand: 9.00}\n    rofr_behavior: {accept_probability: 0.5}\n",
    )
    return load_scenario_text(text + FULL, "full.yaml")


def test_every_input_is_read_and_tabled() -> None:
    sc = _scenario()
    names = [(d["input"], d["key"]) for d in distributions(sc)]
    assert names == [
        ("campus_delay_months", "campus"),
        ("delivery_slip_months", "cloud"),
        ("demand_multiplier", "serving"),
        ("run_start_slip_months", "pretrain"),
        ("rofr_accept_probability", "cloud"),
        ("rofr_max_share_of_request", "cloud"),
        ("on_demand_multiplier", None),
        ("spot_multiplier", None),
    ]
    od = next(d for d in distributions(sc) if d["input"] == "on_demand_multiplier")
    assert od["table"] == {
        "kind": "discrete",
        "values": ["0.9", "1.1", "1.3"],
        "probabilities": ["3/10", "2/5", "3/10"],
    }


def test_apply_changes_each_input_as_documented() -> None:
    sc = _scenario()
    d = Draw(
        0,
        {"campus": (2, 7)},
        {"cloud": 1},
        {"serving": Decimal("1.25")},
        {"pretrain": 3},
        {"cloud": (Decimal("0.7"), None)},
        Decimal("1.1"),
        Decimal("0.5"),
    )
    f = apply(sc, d)
    campus, cloud = f.providers["campus"], f.providers["cloud"]
    assert [p.online_month for p in campus.campus_phases] == [3, 9]  # 1 + 2, 2 + 7 (past the horizon)
    h100 = next(ln for ln in cloud.capacity if ln.gpu == "H100")
    assert [(s.from_month, s.gpus) for s in h100.steps] == [(1, 4000), (6, 6000)]
    assert f.fleets[0].h100_eq[0] == Decimal(3750) and f.fleets[0].h100_eq[4] == Decimal(4000)
    run = f.training_runs[0]
    assert (run.earliest_start_month, run.latest_end_month) == (7, 8)  # 4 + 3; 6 + 3 capped at 8
    assert cloud.rofr_behavior is not None and cloud.rofr_behavior.accept_probability == Decimal("0.7")
    assert cloud.rates["H100"].on_demand == Decimal("6.6") and cloud.rates["H100"].spot == Decimal("1.0")
    assert cloud.rates["H100"].contract == Decimal("3.00") and campus.rates["GB200"].contract == Decimal(
        "3.40"
    )
    assert sc.providers["cloud"].rates["H100"].on_demand == Decimal("6.00")  # the scenario is unchanged


def test_the_documented_examples_validate_on_the_example_scenario() -> None:
    example = ONE_CAMPUS.parents[2].parent / "examples" / "frontier-lab.yaml"
    doc = """
uncertainty:
  campus_delay_correlation: {jv-datacenter: 0.6}
  delivery_slip_months: {rival-cloud-a: {p50: 0, p90: 2}}
  demand_bands: {consumer-chat: {p10: 0.85, p50: 1.0, p90: 1.25}}
  run_start_slip_months: {pretrain-v7: {p50: 0, p90: 1}}
  rofr_behavior_ranges:
    primary-cloud: {accept_probability: [0.3, 0.7], max_share_of_request: [0.4, 0.8]}
  price_multipliers: {on_demand: {p10: 0.9, p90: 1.3}, spot: {p10: 0.6, p90: 1.6}}
"""
    sc = load_scenario_text(example.read_text(encoding="utf-8") + doc, "frontier-lab+doc.yaml")
    assert len(distributions(sc)) == 8
