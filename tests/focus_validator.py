"""The FinOps Foundation's `focus-validator` 1.0.0, run for real on a CSV (its own venv, see
tools/ci/focus-validator-up.sh: it pins numpy<2, which the project's venv does not have).

1. `executable()` returns the validator, running the set-up script once when it is missing; when it
   cannot be installed here, `engines.EngineUnavailable` (a skip locally, a failure under CI=true).
2. `validate(csv)` runs `focus-validator --data-file CSV --validate-version 1.0` with the working
   directory in its site-packages (it opens its currency-code list by a relative path) and returns
   its report; it exits 0 even when rules fail, so the report is read: "Validation succeeded."
   and no "failed" line.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import engines

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "tools" / "ci" / "focus-validator-up.sh"


def executable() -> Path:
    done = subprocess.run([str(SCRIPT)], capture_output=True, text=True, timeout=900, check=False)
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines or not Path(lines[-1]).exists():
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise engines.EngineUnavailable(f"{engines.ENGINE_SKIP_PREFIX} focus-validator ({tail})")
    return Path(lines[-1])


def validate(exe: Path, csv_path: Path) -> tuple[bool, str]:
    """(passed, report) of the validator on `csv_path` against FOCUS 1.0."""
    site = next((exe.parent.parent / "lib").glob("python3*/site-packages"))
    done = subprocess.run(
        [str(exe), "--data-file", str(csv_path), "--validate-version", "1.0"],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=site,
        check=False,
    )
    report = done.stdout + done.stderr
    failed = [line for line in report.splitlines() if " failed" in line or line.startswith("Traceback")]
    return done.returncode == 0 and "Validation succeeded." in report and not failed, report
