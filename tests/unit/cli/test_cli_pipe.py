"""Output that survives a pipe (issue 18 item 11): `tender plan` with stdout and stderr piped, as
`make demo | tee` runs it.

The expected cells come from elsewhere than the tables: provider ids from the scenario YAML, totals
summed here from the plan JSON's ledger rows (USD millions, one decimal, as the table's caption says).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[3]
FRONTIER = REPO / "examples" / "frontier-lab.yaml"


@pytest.mark.timeout(300)
def test_plan_through_a_pipe_keeps_every_cell_whole(tmp_path: Path) -> None:
    env = {
        k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES") and not k.startswith("TENDER_")
    }
    plan_json = tmp_path / "plan.json"
    proc = subprocess.run(
        [sys.executable, "-m", "tender.cli", "plan", str(FRONTIER), "--json", str(plan_json)],
        capture_output=True,
        text=True,
        env={**env, "TENDER_HOME": str(tmp_path / "home"), "TERM": "xterm"},
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "…" not in out, "a cell was cut to fit a terminal width"
    assert "\x1b[" not in out + proc.stderr, "escape codes (colour, progress redraws) in piped output"
    assert "solving" not in proc.stderr, "the progress line was drawn on a stderr that is not a terminal"

    providers = set(yaml.safe_load(FRONTIER.read_text())["providers"])
    ledger = json.loads(plan_json.read_text())["ledger"]
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for row in ledger:
        totals[row["provider"]] += Decimal(row["billed_cost_usd"])
    assert set(totals) <= providers and len(totals) >= 5
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Cost by provider per quarter"))
    end = next(i for i in range(start, len(lines)) if lines[i].startswith("└"))
    cost_rows = {line.split("│")[1].strip(): line for line in lines[start:end] if line.startswith("│")}
    for provider, total in totals.items():
        assert provider in cost_rows, f"{provider} not whole in the cost table"
        cell = f"{total / Decimal(1_000_000):,.1f}"
        assert cost_rows[provider].rstrip("│ ").endswith(cell), (provider, cell, cost_rows[provider])


def test_a_narrow_command_earlier_in_the_process_does_not_narrow_a_later_one() -> None:
    """The console outlives a command. Made while COLUMNS=60 was set, Rich froze 60 columns, so a later
    `catalog` in the same process (as under pytest-xdist) cut its `provider` header."""
    code = (
        "from typer.testing import CliRunner\n"
        "from tender.cli.app import app\n"
        "args = ['catalog', '--gpu', 'h100', '--limit', '5']\n"
        "CliRunner().invoke(app, args, env={'COLUMNS': '60'})\n"
        "print(CliRunner().invoke(app, args).stdout)\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    header = next(line for line in done.stdout.splitlines() if "provider" in line or "provi" in line)
    for name in ("provider", "instance type", "flags"):
        assert name in header, header


def test_an_id_that_reads_as_an_emoji_code_prints_as_it_is() -> None:
    """Ids are the user's text: `gpu:fire:1` must not turn into `gpu🔥1` in a table or a message."""
    from rich.table import Table

    from tender.cli.output import console

    table = Table("notice")
    table.add_row("c-rofr:fire:1")
    with console.capture() as captured:
        console.print(table)
        console.print("need gpu:smile:2 declined")
    text = captured.get()
    assert "c-rofr:fire:1" in text and "gpu:smile:2" in text
    assert "\U0001f525" not in text and "\U0001f604" not in text


def test_a_console_not_made_yet_keeps_what_was_set_and_knows_a_pipe_is_no_terminal(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`--json -` sets `stderr` while Typer parses the options, before Rich loads: the console, made
    later, takes it. A stream that is no terminal is answered without making the console; with
    `FORCE_COLOR` set the console is made and asked, as Rich decides."""
    import io

    from tender.cli.output import _Deferred, is_terminal

    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("TTY_COMPATIBLE", raising=False)
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    deferred = _Deferred(stderr=False)
    deferred.stderr = True  # type: ignore[attr-defined]
    assert is_terminal(deferred) is False  # type: ignore[arg-type]
    assert object.__getattribute__(deferred, "_made") is None
    assert deferred.real().stderr is True and deferred.real().is_terminal is False
    forced = _Deferred(stderr=True)
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert is_terminal(forced) is True  # type: ignore[arg-type]
    assert object.__getattribute__(forced, "_made") is not None
