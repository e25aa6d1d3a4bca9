"""One dialect (issue 18 item 10), walked over the whole Typer app:

1. every option of every command has a help line, and a path is typed as a path (by its name; the
   few that take a path or a keyword are listed with the reason);
2. every command (and the root, and each group) answers `-h` and `--version`, and its help shows
   no `<bool>` placeholder;
3. `--json PATH` everywhere takes a path, and `-` writes the JSON to stdout (no file named `-`),
   with the tables on stderr.
"""

from __future__ import annotations

import importlib.metadata
import json
from pathlib import Path
from typing import Any, get_args

import pytest
import typer
import yaml
from typer.testing import CliRunner

from tender.cli.app import app

REPO = Path(__file__).resolve().parents[3]
MINIMAL = REPO / "examples" / "minimal.yaml"

# Option or argument names that hold a file or folder path.
PATH_NAMES = {
    "--json", "--report", "--ledger", "--out", "--pools", "--plan", "--scenario", "--state",
    "--checkpoint", "--mapping", "--focus", "--audit", "file", "case_file", "plan_json", "job_file",
    "scenario", "out",
}  # fmt: skip
# Path-like names that are rightly not a path, and why.
NOT_A_PATH = {
    ("simulate", "--trace"): "'philly' (the packaged trace) or a CSV path",
    ("simulate compare", "--trace"): "'philly' (the packaged trace) or a CSV path",
}


def _commands(group: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, Any]]:
    """Every command and group of the app, with its path ("simulate gavel"); the root is ""."""
    found = [(" ".join(prefix), group)]
    for name, sub in getattr(group, "commands", {}).items():
        found += _commands(sub, (*prefix, name))
    return found


ROOT = typer.main.get_command(app)
COMMANDS = _commands(ROOT)
IDS = [path or "tender" for path, _ in COMMANDS]


def _name(param: Any) -> str:
    longs = [o for o in param.opts if o.startswith("--")]
    return longs[0] if longs else param.name


def _is_path(param: Any) -> bool:
    described = getattr(param, "type_descriptor", None)  # Typer >= 0.25 keeps the annotation
    if described is not None:
        return Path in (described.annotation, *get_args(described.annotation))
    return type(param.type).__name__ == "Path"


def test_the_walk_sees_every_command() -> None:
    paths = {path for path, _ in COMMANDS}
    assert {"plan", "validate", "catalog", "jobs", "pools", "simulate gavel", "audit verify"} <= paths


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=IDS)
def test_every_option_has_help_and_a_real_type(path: str, command: Any) -> None:
    for param in command.params:
        name = _name(param)
        if param.param_type_name == "option":
            assert (param.help or "").strip(), f"tender {path} {name}: no help line"
        if name in PATH_NAMES and (path, name) not in NOT_A_PATH:
            assert _is_path(param), f"tender {path} {name}: not typed as a path"


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=IDS)
def test_h_and_version_everywhere(path: str, command: Any) -> None:
    argv = path.split() if path else []
    runner = CliRunner()
    short, long = runner.invoke(app, [*argv, "-h"]), runner.invoke(app, [*argv, "--help"])
    assert short.exit_code == 0, short.output
    assert short.stdout == long.stdout
    assert "Usage: tender" in short.stdout and "--version" in short.stdout
    assert "<bool>" not in short.stdout
    version = runner.invoke(app, [*argv, "--version"])
    assert version.exit_code == 0, version.output
    assert version.stdout.strip() == f"tender {importlib.metadata.version('tender')}"


def _json_to_stdout(args: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, args, env={"COLUMNS": "300"})
    assert result.exit_code == 0, (result.output, result.stderr)
    assert not (tmp_path / "-").exists(), "`--json -` wrote a file named `-`"
    return json.loads(result.stdout), result.stderr


def test_validate_json_to_stdout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    doc, err = _json_to_stdout(["validate", str(MINIMAL), "--json", "-"], tmp_path, monkeypatch)
    raw = yaml.safe_load(MINIMAL.read_text())
    assert doc["valid"] is True and doc["id"] == raw["scenario"]["id"]
    assert doc["providers"] == sorted(raw["providers"])
    assert doc["contracts"] == len(raw["contracts"])
    assert "is valid" in err  # the summary went to stderr


def test_validate_json_lists_every_problem(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(MINIMAL.read_text().replace("horizon_months: 12", "horizon_months: -3"))
    out = tmp_path / "v.json"
    result = CliRunner().invoke(app, ["validate", str(bad), "--json", str(out)])
    assert result.exit_code == 2
    doc = json.loads(out.read_text())
    assert doc["valid"] is False and doc["problems"]
    lines = result.stderr.splitlines()
    for problem in doc["problems"]:  # each JSON problem is one of the FILE:LINE:COL lines
        assert any(
            line.startswith(f"{problem['file']}:{problem['line']}:{problem['column']}:") for line in lines
        )


def test_catalog_json_to_stdout_and_to_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    args = ["catalog", "--gpu", "H100", "--limit", "3"]
    rows, err = _json_to_stdout([*args, "--json", "-"], tmp_path, monkeypatch)
    assert len(rows) == 3 and all(r["accelerator"] == "H100" for r in rows)
    assert "offerings" in err  # the table went to stderr
    CliRunner().invoke(app, [*args, "--json", str(tmp_path / "c.json")])
    assert json.loads((tmp_path / "c.json").read_text()) == rows


def test_plan_json_to_stdout_keeps_stdout_clean(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    doc, err = _json_to_stdout(["plan", str(MINIMAL), "--json", "-"], tmp_path, monkeypatch)
    assert doc["scenario"] == yaml.safe_load(MINIMAL.read_text())["scenario"]["id"]
    assert "solved in" in err and "wrote" not in err


def test_audit_verify_json(tmp_path: Path) -> None:
    case = REPO / "tests" / "scenarios" / "rofr" / "decline-then-third-party.yaml"
    log = tmp_path / "a.jsonl"
    assert CliRunner().invoke(app, ["rofr", "replay", str(case), "--audit", str(log)]).exit_code == 0
    records = log.read_text().splitlines()
    result = CliRunner().invoke(app, ["audit", "verify", str(log), "--json", "-"])
    assert result.exit_code == 0, result.output
    verdict = json.loads(result.stdout)
    assert verdict["intact"] is True and verdict["records"] == len(records)
    assert verdict["head"] == json.loads(records[-1])["hash"]
    first = json.loads(records[0])
    first["data"] = {"tampered": True}
    log.write_text("\n".join([json.dumps(first), *records[1:]]) + "\n")
    out = tmp_path / "v.json"
    result = CliRunner().invoke(app, ["audit", "verify", str(log), "--json", str(out)])
    assert result.exit_code == 1
    verdict = json.loads(out.read_text())
    assert verdict["intact"] is False and verdict["where"] == f"{log}:1"
