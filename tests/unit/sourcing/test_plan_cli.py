"""`tender plan`: bad input exits 2 like `tender validate`; outputs are written and deterministic."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from tender.cli.app import app

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "frontier-lab.yaml"


def test_bad_scenario_exits_2_with_file_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("scenario:\n  id: x\n  horizon_months: -3\n", encoding="utf-8")
    runner = CliRunner()
    planned = runner.invoke(app, ["plan", str(bad)])
    validated = runner.invoke(app, ["validate", str(bad)])
    assert planned.exit_code == 2
    assert planned.output == validated.output
    assert str(bad) in planned.output


def test_bad_flag_value_is_a_usage_error() -> None:
    result = CliRunner().invoke(app, ["plan", str(EXAMPLE), "--seed", "abc"])
    assert result.exit_code == 2


def test_out_dir_writes_three_files_and_json_is_stable(tmp_path: Path) -> None:
    runner = CliRunner()
    for name in ("a", "b"):
        result = runner.invoke(app, ["plan", str(EXAMPLE), "--out", str(tmp_path / name), "--quiet"])
        assert result.exit_code == 0, result.output
    a, b = tmp_path / "a", tmp_path / "b"
    assert (a / "plan.json").read_bytes() == (b / "plan.json").read_bytes()
    assert (a / "ledger.csv").read_bytes() == (b / "ledger.csv").read_bytes()
    doc = json.loads((a / "plan.json").read_text(encoding="utf-8"))
    for key in (
        "awards",
        "notices",
        "unmet",
        "ledger",
        "cost_total_usd",
        "lower_bound_usd",
        "gap",
        "baseline_cost_usd",
    ):
        assert key in doc
    assert "solve_seconds" not in doc
    award = doc["awards"][0]
    assert set(award) >= {
        "demand",
        "provider",
        "region",
        "gpu",
        "month",
        "gpus",
        "rate_usd_per_gpu_hour",
        "pricing",
        "clause",
        "notice",
    }
    assert "plotly" in (a / "plan.html").read_text(encoding="utf-8")


def test_timings_flag_adds_solve_seconds(tmp_path: Path) -> None:
    out = tmp_path / "p.json"
    result = CliRunner().invoke(app, ["plan", str(EXAMPLE), "--json", str(out), "--timings", "--quiet"])
    assert result.exit_code == 0, result.output
    assert "solve_seconds" in json.loads(out.read_text(encoding="utf-8"))


def test_solver_prints_no_banner(tmp_path: Path) -> None:
    """HiGHS writes its banner from C++ on the first `Highs()`: run a fresh process and read both fds."""
    import subprocess
    import sys

    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "tender.cli",
            "plan",
            str(EXAMPLE),
            "--quiet",
            "--json",
            str(tmp_path / "p.json"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    for stream in (proc.stdout, proc.stderr):
        assert "HiGHS" not in stream
        assert "Copyright" not in stream
        assert "THIRD_PARTY" not in stream
