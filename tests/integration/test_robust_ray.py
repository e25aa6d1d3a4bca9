"""`tender plan --robust --ray` on the real local Ray cluster: the study's JSON is the same bytes as the
local run's (the book-or-buy case of tests/unit/risk/test_robust_hand.py; its values are checked there)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration
CASE = Path(__file__).resolve().parents[1] / "scenarios" / "risk" / "book_or_buy.yaml"
GCS = "127.0.0.1:6379"  # tools/ci/ray-up.sh: --port=6379


def _study(tmp_path: Path, name: str, *extra: str) -> bytes:
    """As its own process, like test_risk_ray.py (a Ray driver keeps per-process state)."""
    out = tmp_path / name
    args = ["plan", str(CASE), "--robust", "--samples", "8", "--eval-samples", "6", "--seed", "4"]
    done = subprocess.run(
        [sys.executable, "-m", "tender.cli", *args, "--json", str(out), *extra],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return out.read_bytes()


@pytest.mark.timeout(600)
def test_a_robust_study_on_ray_gives_the_local_bytes(ray_cluster: object, tmp_path: Path) -> None:
    local = _study(tmp_path, "local.json")
    assert _study(tmp_path, "ray.json", "--ray", GCS) == local
