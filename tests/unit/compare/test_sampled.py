"""`tender compare --samples`: every variant sees the same sampled futures (common random numbers), the
JSON is byte-identical on 1 and 2 workers, and the reported means and standard errors are re-derived
here from plans made directly (`risk.sampler.draw` of the BASE's inputs, `risk.future.apply`,
`sourcing.plan`, the plan's own `cost_total_usd`) — not from the command's accounts."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tender.cli.app import app
from tender.config.overlay import build, load_base, load_variant
from tender.sourcing import PlanOptions, plan
from tender.sourcing.compare.sampled import se
from tender.sourcing.risk.future import apply
from tender.sourcing.risk.sampler import draw, inputs, sample_seed

REPO = Path(__file__).resolve().parents[3]
BANDS = """
uncertainty:
  demand_bands:
    api-serving: {p10: 0.6, p50: 1.0, p90: 1.5}
"""
OPEN = "variant: {name: open}\ncontracts:\n  remove: [c-rofr, c-api-exclusive]\n"
SAMPLES, SEED = 5, 7


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    d = tmp_path_factory.mktemp("sampled")
    base = d / "base.yaml"
    base.write_text((REPO / "examples" / "minimal.yaml").read_text() + BANDS)
    (d / "open.yaml").write_text(OPEN)
    return base, d / "open.yaml"


def _run(files: tuple[Path, Path], workers: int, out: Path) -> dict:
    argv = ["compare", str(files[0]), str(files[1]), "--samples", str(SAMPLES), "--seed", str(SEED),
            "--workers", str(workers), "--json", str(out)]  # fmt: skip
    result = CliRunner().invoke(app, argv)
    assert result.exit_code == 0, result.output
    doc: dict = json.loads(out.read_text())
    return doc


@pytest.mark.timeout(300)
def test_one_and_two_workers_give_the_same_bytes(files: tuple[Path, Path], tmp_path: Path) -> None:
    _run(files, 1, tmp_path / "a.json")
    _run(files, 2, tmp_path / "b.json")
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()


def test_means_and_paired_errors_match_direct_plans(files: tuple[Path, Path], tmp_path: Path) -> None:
    doc = _run(files, 1, tmp_path / "c.json")
    base_v = load_base(str(files[0]))
    scs = [build(base_v), build(load_variant(base_v, str(files[1])))]
    inp = inputs(scs[0])
    costs: list[list[Decimal]] = [[], []]
    for i in range(SAMPLES):
        d = draw(inp, SEED, i)  # one draw, both variants: common random numbers
        for j, sc in enumerate(scs):
            costs[j].append(
                plan(apply(sc, d), replace(PlanOptions(), seed=sample_seed(SEED, i))).cost_total_usd
            )
    deltas = [v - b for b, v in zip(costs[0], costs[1], strict=True)]
    assert len(set(costs[0])) > 1, "the demand bands should move the base's cost between samples"
    variant = doc["variants"][1]
    cents = Decimal("0.01")
    assert Decimal(variant["lab_cost_usd"]) == (sum(costs[1]) / SAMPLES).quantize(cents)
    assert Decimal(variant["delta_vs_base"]["lab_cost_usd"]) == (sum(deltas) / SAMPLES).quantize(cents)
    errors = variant["standard_errors"]
    assert Decimal(errors["lab_cost_usd"]) == se(costs[1]).quantize(cents)
    assert Decimal(errors["delta_vs_base"]["lab_cost_usd"]) == se(deltas).quantize(cents)
    assert doc["samples"] == SAMPLES
