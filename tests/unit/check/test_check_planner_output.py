"""What `tender plan` writes today passes `tender check` (the two share no code)."""

from __future__ import annotations

import json
from pathlib import Path

from check_builders import REPO, minimal
from typer.testing import CliRunner

from tender.check import check_plan
from tender.cli.app import app


def test_the_planner_output_for_the_minimal_example_checks(tmp_path: Path) -> None:
    out = tmp_path / "plan.json"
    planned = CliRunner().invoke(
        app, ["plan", str(REPO / "examples" / "minimal.yaml"), "--json", str(out), "--quiet"]
    )
    assert planned.exit_code == 0, planned.output
    found = check_plan(minimal(), json.loads(out.read_text(encoding="utf-8")))
    assert found == [], "\n".join(f"{v.code}: {v.message}" for v in found)
    checked = CliRunner().invoke(app, ["check", str(REPO / "examples" / "minimal.yaml"), str(out)])
    assert checked.exit_code == 0, checked.output
