"""The README's tour of `tender run` / `agent` / `jobs` is replayed as written: every `$ ` command of that block
runs from the repository root (a fresh TENDER_HOME, the worktree's `tender` first on PATH), and every output
line the README shows (trimmed, "..." skips lines) appears in what the command printed, numbers aside."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
HEADING = "### `tender run`, `tender agent`, `tender jobs`"


def tour() -> list[tuple[str, list[str]]]:
    text = (ROOT / "README.md").read_text()
    section = text[text.index(HEADING) :]
    block = section.split("```\n", 2)[1]  # the first fenced block of the section
    steps: list[tuple[str, list[str]]] = []
    for line in block.splitlines():
        if line.startswith("$ "):
            steps.append((line[2:], []))
        elif steps and line.strip() not in ("", "..."):
            steps[-1][1].append(line)
    return steps


def _norm(line: str) -> str:
    return re.sub(r"\d+(\.\d+)?", "#", " ".join(line.split()))


def test_the_readme_tour_runs_as_written(tmp_path: Path) -> None:
    steps = tour()
    assert len(steps) >= 8 and any("local-lab.yaml" in command for command, _ in steps)
    env = {k: v for k, v in os.environ.items() if not k.startswith("TENDER_")}
    env.update(
        TENDER_HOME=str(tmp_path / "home"),
        COLUMNS="100",
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
    )
    for command, shown in steps:
        done = subprocess.run(
            ["bash", "-c", f"exec 2>&1\n{command}"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, (command, done.stdout, done.stderr)
        printed = [_norm(line) for line in done.stdout.splitlines()]
        for line in shown:
            assert any(_norm(line) in got for got in printed), (command, line, done.stdout)
