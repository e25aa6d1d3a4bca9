"""`tender risk --ray` on the real local Ray cluster: the same bytes as the local run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tender.cli.app import app

pytestmark = pytest.mark.integration
ONE_CAMPUS = Path(__file__).resolve().parents[1] / "scenarios" / "risk" / "one_campus.yaml"
GCS = "127.0.0.1:6379"  # tools/ci/ray-up.sh: --port=6379
runner = CliRunner()


def _study(tmp_path: Path, name: str, *extra: str, env: dict[str, str] | None = None) -> bytes:
    """Run `tender risk` as its own process, as a user would: a Ray driver keeps per-process state (its GCS
    client), and a pytest process that already watched a Ray head die (test_engines_fencing.py kills the
    raylet) hung in `ray.init` against the restarted head."""
    out = tmp_path / name
    args = ["risk", str(ONE_CAMPUS), "--samples", "24", "--seed", "9", "--per-sample", "--json", str(out)]
    tender = [sys.executable, "-m", "tender.cli"]
    for attempt in range(3):  # another session may be restarting the Ray daemons: retry politely
        done = subprocess.run([*tender, *args, *extra], capture_output=True, text=True, timeout=120, env=env)
        if done.returncode == 0 or not extra or attempt == 2:
            break
    assert done.returncode == 0, done.stdout + done.stderr
    return out.read_bytes()


@pytest.mark.timeout(420)  # three tries of at most 120 s each
def test_ray_tasks_give_the_same_json_as_local_workers(ray_cluster: object, tmp_path: Path) -> None:
    local = _study(
        tmp_path,
        "local.json",
    )
    on_ray = _study(tmp_path, "ray.json", "--ray", GCS)
    assert on_ray == local


@pytest.mark.timeout(420)
def test_ray_auto_finds_the_running_cluster_and_gives_the_same_json(
    ray_cluster: object, tmp_path: Path
) -> None:
    """`--ray auto` without RAY_ADDRESS: Ray's own lookup finds the local head (its GCS process)."""
    env = {k: v for k, v in os.environ.items() if k != "RAY_ADDRESS"}
    local = _study(tmp_path, "local.json", "--share-futures")
    on_ray = _study(tmp_path, "auto.json", "--ray", "auto", "--share-futures", env=env)
    assert on_ray == local


@pytest.mark.timeout(120)
def test_an_unreachable_ray_address_is_one_line_exit_2(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["risk", str(ONE_CAMPUS), "--ray", "127.0.0.1:1", "--json", str(tmp_path / "r.json")]
    )
    assert result.exit_code == 2, result.output
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and "--ray" in lines[0] and "127.0.0.1:1" in lines[0], result.output
    assert not (tmp_path / "r.json").exists()
