"""`--ray auto` with no cluster to join: one line naming `--ray auto` and what was found, exit 2, nothing
written — for `tender risk` and `tender plan --robust`. (Joining a real cluster with `auto` is in
tests/integration/test_risk_ray.py.) `RAY_ADDRESS` is where `ray.init(address="auto")` looks first."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tender.cli.app import app

RISK = Path(__file__).resolve().parents[2] / "scenarios" / "risk"
ONE_CAMPUS = str(RISK / "one_campus.yaml")
BOOK_OR_BUY = str(RISK / "book_or_buy.yaml")


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    ("ray_address", "says"),
    [
        ("127.0.0.1:1", "no Ray cluster answers at auto (found 127.0.0.1:1)"),
        ("nowhere", "'auto (found nowhere)'"),
    ],
)
@pytest.mark.parametrize(
    "command",
    [["risk", ONE_CAMPUS, "--samples", "2"], ["plan", BOOK_OR_BUY, "--robust", "--samples", "2"]],
)
def test_auto_without_a_cluster_is_one_line_exit_2(
    command: list[str], ray_address: str, says: str, tmp_path: Path
) -> None:
    out = tmp_path / "r.json"
    result = CliRunner().invoke(
        app,
        [*command, "--ray", "auto", "--json", str(out)],
        env={"RAY_ADDRESS": ray_address, "COLUMNS": "300"},
    )
    assert result.exit_code == 2, result.output
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("--ray") and says in lines[0], result.output
    assert "Traceback" not in result.output
    assert not out.exists() and list(tmp_path.iterdir()) == []
