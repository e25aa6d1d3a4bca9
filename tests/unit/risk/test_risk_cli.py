"""`tender risk` end to end on a reduced scenario; the miss probability checked against a hand computation."""

from __future__ import annotations

import json
import math
from fractions import Fraction
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tender.cli.app import app
from tender.config import load_scenario
from tender.sourcing.risk.sampler import draw, inputs

ROOT = Path(__file__).resolve().parents[3]
ONE_CAMPUS = ROOT / "tests" / "scenarios" / "risk" / "one_campus.yaml"
MINIMAL = ROOT / "examples" / "minimal.yaml"
runner = CliRunner()

# The campus's delay_risk_months {p50: 1, p90: 3}, tabled by hand from docs/risk.md's rule:
# 1/2 over 0..1, 2/5 over 2..3, the 1/10 tail over 4..5.
DELAY = {
    0: Fraction(1, 4),
    1: Fraction(1, 4),
    2: Fraction(1, 5),
    3: Fraction(1, 5),
    4: Fraction(1, 20),
    5: Fraction(1, 20),
}


def _cdf(x: int) -> Fraction:
    return sum((p for d, p in DELAY.items() if d <= x), Fraction(0))


def _scenario(tmp_path: Path, rho: str) -> Path:
    text = ONE_CAMPUS.read_text(encoding="utf-8").replace("{campus: 0}", "{campus: " + rho + "}")
    path = tmp_path / f"one_campus_{rho}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _risk(args: list[str]) -> dict[str, object]:
    result = runner.invoke(app, ["risk", *args])
    assert result.exit_code == 0, result.output
    out = Path(args[args.index("--json") + 1])
    return json.loads(out.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _miss(doc: dict[str, object]) -> float:
    plan = doc["plans"][0]  # type: ignore[index]
    return float(next(r["miss_probability"] for r in plan["training_runs"] if r["run"] == "pretrain"))


@pytest.mark.parametrize(
    ("rho", "by_hand"),
    [
        # independent phases: the run (months 4-6) needs phase 1 (due 1) and phase 2 (due 2) online by 4
        ("0", 1 - _cdf(3) * _cdf(2)),
        # fully correlated: one delay d for both phases; the run is missed when d >= 3
        ("1", 1 - _cdf(2)),
    ],
)
def test_miss_probability_agrees_with_the_campus_delay_by_hand(
    tmp_path: Path, rho: str, by_hand: Fraction
) -> None:
    n = 400
    doc = _risk(
        [
            str(_scenario(tmp_path, rho)),
            "--samples",
            str(n),
            "--seed",
            "5",
            "--json",
            str(tmp_path / "r.json"),
        ]
    )
    se = math.sqrt(float(by_hand) * (1 - float(by_hand)) / n)
    assert abs(_miss(doc) - float(by_hand)) < 4 * se, (_miss(doc), float(by_hand))


def test_each_sample_misses_exactly_when_its_own_delays_say_so(tmp_path: Path) -> None:
    path = _scenario(tmp_path, "0")
    doc = _risk(
        [str(path), "--samples", "60", "--seed", "2", "--per-sample", "--json", str(tmp_path / "r.json")]
    )
    inp = inputs(load_scenario(str(path)))
    for row in doc["per_sample"]:  # type: ignore[attr-defined]
        d1, d2 = draw(inp, 2, row["sample"]).phase_delays["campus"]
        assert ("pretrain" in row["runs_missed"]) == (1 + d1 > 4 or 2 + d2 > 4), (row, d1, d2)


def test_json_is_byte_identical_for_one_and_two_workers(tmp_path: Path) -> None:
    outs = []
    for k in ("1", "2"):
        out = tmp_path / f"w{k}.json"
        _risk(
            [
                str(ONE_CAMPUS),
                "--samples",
                "24",
                "--seed",
                "9",
                "--workers",
                k,
                "--per-sample",
                "--json",
                str(out),
            ]
        )
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]
    doc = json.loads(outs[0])
    assert doc["samples"] == 24 and doc["seed"] == 9
    campus = next(d for d in doc["distributions"] if d["input"] == "campus_delay_months")
    assert campus["table"]["probabilities"] == ["1/4", "1/4", "1/5", "1/5", "1/20", "1/20"]


def test_a_plan_json_gives_the_same_study_as_the_default_plan(tmp_path: Path) -> None:
    plan_json = tmp_path / "plan.json"
    made = runner.invoke(app, ["plan", str(ONE_CAMPUS), "--json", str(plan_json), "--quiet"])
    assert made.exit_code == 0, made.output
    a = _risk([str(ONE_CAMPUS), "--samples", "20", "--json", str(tmp_path / "a.json")])
    b = _risk(
        [str(ONE_CAMPUS), "--samples", "20", "--plan", str(plan_json), "--json", str(tmp_path / "b.json")]
    )
    assert a["plans"][0]["name"] == "deterministic" and b["plans"][0]["name"] == "given"  # type: ignore[index]
    a["plans"][0]["name"] = b["plans"][0]["name"] = "x"  # type: ignore[index]
    a["standard_errors"] = {"x": a["standard_errors"]["deterministic"]}  # type: ignore[index]
    b["standard_errors"] = {"x": b["standard_errors"]["given"]}  # type: ignore[index]
    assert a == b


def _one_line_exit_2(args: list[str]) -> str:
    result = runner.invoke(app, ["risk", *args])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert len(lines) == 1, result.output
    return lines[0]


def test_zero_samples_is_bad_input(tmp_path: Path) -> None:
    line = _one_line_exit_2([str(ONE_CAMPUS), "--samples", "0", "--json", str(tmp_path / "r.json")])
    assert "--samples" in line
    assert not (tmp_path / "r.json").exists()


def test_a_plan_of_another_scenario_is_bad_input(tmp_path: Path) -> None:
    plan_json = tmp_path / "minimal.json"
    assert runner.invoke(app, ["plan", str(MINIMAL), "--json", str(plan_json), "--quiet"]).exit_code == 0
    line = _one_line_exit_2([str(ONE_CAMPUS), "--plan", str(plan_json), "--json", str(tmp_path / "r.json")])
    assert "scenario" in line and "minimal" in line and "one-campus" in line
    assert not (tmp_path / "r.json").exists()


def test_a_broken_plan_json_is_named_with_its_position(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"scenario": "one-campus",\n  "awards": [}', encoding="utf-8")
    line = _one_line_exit_2([str(ONE_CAMPUS), "--plan", str(bad)])
    assert line.startswith(f"{bad}:2:") and "invalid JSON" in line
