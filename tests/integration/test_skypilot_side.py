"""The SkyPilot-side tests (tests/skypilot) with the real `skypilot` package, in its own venv.

SkyPilot 0.14.1 cannot share the dev venv (it pins click<8.2; import-linter needs click>=8.2), so
tools/ci/skypilot-venv.sh builds .venv/skypilot (the Makefile's dev install runs it) and this test runs
pytest there as a subprocess, with HOME in a temporary directory (SkyPilot writes ~/.sky) and usage
collection off. No credentials, no network. A venv that cannot be built is "engine unavailable": a
skip locally, a failure under CI=true. The run must pass and skip nothing.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

import engines

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "tools" / "ci" / "skypilot-venv.sh"


def _python() -> Path:
    done = subprocess.run([str(SCRIPT)], capture_output=True, text=True, timeout=1200, check=False)
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines or not Path(lines[-1]).exists():
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        pytest.skip(f"{engines.ENGINE_SKIP_PREFIX} skypilot venv ({tail})")
    return Path(lines[-1])


@pytest.mark.requires_engine
@pytest.mark.slow
def test_skypilot_side_suite_passes_with_the_real_package(tmp_path: Path) -> None:
    python = _python()
    env = {
        **os.environ,
        "HOME": str(tmp_path),
        "SKYPILOT_DISABLE_USAGE_COLLECTION": "1",
        "CI": os.environ.get("CI", ""),
    }
    env.pop("TENDER_URL", None)
    done = subprocess.run(
        [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/skypilot"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    report = done.stdout + done.stderr
    assert done.returncode == 0, report[-4000:]
    summary = report.strip().splitlines()[-1]
    assert re.search(r"\b\d+ passed\b", summary), summary
    assert "skipped" not in summary and "failed" not in summary and "error" not in summary, summary
