"""Every command block of README.md and docs/*.md runs as written (issue 18 item 13).

1. A command block is a fenced block tagged `bash` / `sh` / `console` / `shell`, or one with a `$ ` line.
   A block not meant to run says why in an HTML comment on the line(s) just before its fence:
   `<!-- not-run: reason -->`; the list of those is written to test-artifacts/docs-not-run.txt.
2. The runnable blocks of one file run in order, in a fresh workspace (a copy of examples/, tests/ linked,
   a fresh TENDER_HOME, the worktree's `tender` first on PATH), so a later block may read what an earlier
   one wrote (`out/plan.json`), as a reader following the page would.
3. In a `$ ` block each `$ ` line (with `\\` continuations) is a command and the lines under it are what it
   printed, trimmed: every shown line must appear in the output, in the same line, with numbers and long
   hex digests as placeholders, and "..." / "…" standing for cut text. A block without `$ ` lines runs
   each line as a command. Every command must exit 0 (a command shown failing ends in `; echo $?`, and
   the code is part of its shown output).
4. A catalog list price the docs name (`on_demand: {catalog: OCI}`) exists in the shipped catalog CSV.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
ARTIFACTS = ROOT / "test-artifacts"
PAGES = ["README.md", *sorted(f"docs/{p.name}" for p in (ROOT / "docs").glob("*.md"))]
SHELLS = ("bash", "sh", "console", "shell")
NOT_RUN = re.compile(r"<!--\s*not-run:\s*(.*?)\s*-->")


@dataclass(frozen=True)
class Step:
    command: str
    shown: tuple[str, ...]


@dataclass(frozen=True)
class Block:
    page: str
    line: int  # 1-based line of the opening fence
    steps: tuple[Step, ...]
    not_run: str | None  # the reason, when the block is tagged not-run


def _steps(body: list[str], prompted: bool) -> tuple[Step, ...]:
    steps: list[tuple[str, list[str]]] = []
    continuing = False
    for line in body:
        if continuing:
            steps[-1] = (steps[-1][0] + "\n" + line, steps[-1][1])
        elif prompted and line.startswith("$ "):
            steps.append((line[2:], []))
        elif prompted and steps:
            if line.strip() not in ("", "..."):
                steps[-1][1].append(line)
            continue
        elif not prompted and line.strip() and not line.lstrip().startswith("#"):
            steps.append((line, []))
        else:
            continue
        continuing = line.rstrip().endswith("\\")
    return tuple(Step(command, tuple(shown)) for command, shown in steps)


def _reason(lines: list[str], fence: int) -> str | None:
    k = fence - 1
    while k >= 0 and not lines[k].strip():
        k -= 1
    found = NOT_RUN.search(lines[k]) if k >= 0 else None
    return found.group(1) if found else None


def blocks(page: str) -> list[Block]:
    lines = (ROOT / page).read_text(encoding="utf-8").splitlines()
    out: list[Block] = []
    k = 0
    while k < len(lines):
        if not lines[k].startswith("```"):
            k += 1
            continue
        end = next(j for j in range(k + 1, len(lines)) if lines[j].startswith("```"))
        lang, body = lines[k][3:].strip(), lines[k + 1 : end]
        prompted = any(line.startswith("$ ") for line in body)
        if prompted or lang in SHELLS:
            out.append(Block(page, k + 1, _steps(body, prompted), _reason(lines, k)))
        k = end + 1
    return out


def _norm(line: str) -> str:
    """Table borders dropped (a table may be drawn boxed or plain), whitespace collapsed, digests and numbers
    as placeholders."""
    line = re.sub(r"[\u2500-\u257f]", " ", line)
    line = re.sub(r"\b[0-9a-f]{12,}\b", "<hex>", " ".join(line.split()))
    return re.sub(r"\d+(\.\d+)?", "#", line)


def _shows(shown: str, printed: list[str]) -> bool:
    """Each piece of the shown line (split at "..." / "…") appears, in order, in one printed line."""
    pieces = [p.strip() for p in re.split(r"\.\.\.|…", _norm(shown)) if p.strip()]
    for got in printed:
        at = 0
        for piece in pieces:
            at = got.find(piece, at)
            if at < 0:
                break
            at += len(piece)
        else:
            return True
    return False


def _workspace(tmp: Path) -> tuple[Path, dict[str, str]]:
    work = tmp / "clone"
    work.mkdir()
    shutil.copytree(ROOT / "examples", work / "examples")
    (work / "tests").symlink_to(ROOT / "tests")
    env = {k: v for k, v in os.environ.items() if not k.startswith("TENDER_")}
    env.update(
        TENDER_HOME=str(tmp / "home"),
        COLUMNS="200",
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
    )
    return work, env


def test_every_command_block_runs_or_says_why() -> None:
    every = [b for page in PAGES for b in blocks(page)]
    skipped = [b for b in every if b.not_run is not None]
    assert all(b.not_run for b in skipped), [f"{b.page}:{b.line}" for b in skipped if not b.not_run]
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "docs-not-run.txt").write_text(
        "".join(f"{b.page}:{b.line}: {b.not_run}\n" for b in skipped), encoding="utf-8"
    )
    ran = " ".join(s.command for b in every if b.not_run is None and b.page == "README.md" for s in b.steps)
    for command in ("validate", "catalog", "plan", "check", "rofr replay", "audit verify", "ledger export"):
        assert f"tender {command}" in ran, command  # the tour itself is not tagged away
    for command in ("simulate", "run", "agent", "jobs", "logs"):
        assert f"tender {command}" in ran, command


@pytest.mark.slow
@pytest.mark.timeout(600)
@pytest.mark.parametrize("page", [p for p in PAGES if any(b.not_run is None for b in blocks(p))])
def test_the_commands_run_as_written(page: str, tmp_path: Path) -> None:
    work, env = _workspace(tmp_path)
    for block in (b for b in blocks(page) if b.not_run is None):
        assert block.steps, f"{page}:{block.line}: a command block without commands"
        for step in block.steps:
            # never change the machine from a docs block: installs and servers are tagged not-run
            assert not re.match(r"\s*(sudo|pip|apt|apt-get|sky|curl)\b|.*\btender serve\b", step.command), (
                f"{page}:{block.line}: tag this block <!-- not-run: ... -->: {step.command}"
            )
            done = subprocess.run(
                ["bash", "-c", f"set -o pipefail\nexec 2>&1\n{step.command}"],
                cwd=work,
                env=env,
                capture_output=True,
                text=True,
                timeout=180,
            )
            where = f"{page}:{block.line}: $ {step.command}"
            assert done.returncode == 0, (where, done.stdout)
            printed = [_norm(line) for line in done.stdout.splitlines()]
            for line in step.shown:
                assert _shows(line, printed), (where, line, done.stdout)


def test_the_catalog_prices_the_docs_name_exist() -> None:
    """Every `GPU: {... on_demand: {catalog: PROVIDER}}` in the docs names a (provider, accelerator) pair the
    shipped catalog lists with an on-demand price (read here from the CSV itself, not through the loader)."""
    with (ROOT / "src/tender/catalog/data/gpu_offerings.csv").open(encoding="utf-8") as f:
        listed = {(r["provider"].lower(), r["accelerator"]) for r in csv.DictReader(f) if r["price_per_hour"]}
    refs = [
        (page, gpu, provider)
        for page in PAGES
        for gpu, provider in re.findall(
            r"(\w+): \{[^{}\n]*on_demand: \{catalog: ([\w-]+)\}", (ROOT / page).read_text(encoding="utf-8")
        )
    ]
    assert refs  # docs/scenario.md shows one
    for page, gpu, provider in refs:
        assert (provider.lower(), gpu) in listed, (page, gpu, provider)
