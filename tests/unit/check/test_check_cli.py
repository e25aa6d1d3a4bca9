"""`tender check SCENARIO PLAN_JSON [--json OUT]`: exit 0 clean, 1 with violations, 2 on bad input
(never a traceback), one line per violation and a summary."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from check_builders import REPO, Plan, changed, minimal_plan
from typer.testing import CliRunner, Result

from tender.cli import check as check_command

MINIMAL = str(REPO / "examples" / "minimal.yaml")


def build_app() -> typer.Typer:
    app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)

    @app.callback()
    def root() -> None:
        """Test root, so `check` stays a sub-command."""

    check_command.register(app)
    return app


APP = build_app()


def run(*args: str) -> Result:
    return CliRunner().invoke(APP, ["check", *args], env={"COLUMNS": "200"})


def write(tmp_path: Path, plan: Plan | str, name: str = "plan.json") -> str:
    path = tmp_path / name
    path.write_text(plan if isinstance(plan, str) else json.dumps(plan), encoding="utf-8")
    return str(path)


def test_clean_plan_exits_0(tmp_path: Path) -> None:
    plan = write(tmp_path, minimal_plan())
    result = run(MINIMAL, plan)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().splitlines() == [f"{plan}: clean, no violations"]


def test_violations_exit_1_one_line_each_then_a_summary(tmp_path: Path) -> None:
    broken = changed(minimal_plan(), "baseline_cost_usd", "1.00")
    broken = changed(broken, "protocol_rejections", ["signed n1: exceeds_released"])
    plan = write(tmp_path, broken)
    out = tmp_path / "out.json"
    result = run(MINIMAL, plan, "--json", str(out))
    assert result.exit_code == 1, result.output
    assert result.stdout.strip().splitlines() == [
        "cost_above_baseline clause=- demand=- month=-: plan cost 463988000.00 is above the contract-blind baseline 1.00",
        "protocol_rejection clause=- demand=- month=-: signed n1: exceeds_released",
        f"{plan}: 2 violations (cost_above_baseline 1, protocol_rejection 1)",
    ]
    text = out.read_text(encoding="utf-8")
    body = json.loads(text)
    assert body["clean"] is False and list(body) == ["clean", "violations"]
    assert body["violations"][0] == {
        "clause": None,
        "code": "cost_above_baseline",
        "demand": None,
        "message": "plan cost 463988000.00 is above the contract-blind baseline 1.00",
        "month": None,
        "numbers": {"baseline": "1.00", "cost": "463988000.00"},
    }


def test_fields_are_shown(tmp_path: Path) -> None:
    result = run(MINIMAL, write(tmp_path, changed(minimal_plan(), "awards.0.rate_usd_per_gpu_hour", "0")))
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0].startswith(
        "free_capacity clause=- demand=api-serving month=1: awards[0]: "
    )


def test_json_out_when_clean(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    assert run(MINIMAL, write(tmp_path, minimal_plan()), "--json", str(out)).exit_code == 0
    assert json.loads(out.read_text(encoding="utf-8")) == {"clean": True, "violations": []}


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('{\n  "awards": [1,]\n}', ":2:16: invalid JSON: Expecting value"),
        ("", ":1:1: invalid JSON: Expecting value"),
        ("[1, 2]", ": expected a JSON object (a plan), got list"),
    ],
    ids=["syntax", "empty", "not an object"],
)
def test_bad_json_exits_2(tmp_path: Path, content: str, expected: str) -> None:
    plan = write(tmp_path, content)
    result = run(MINIMAL, plan)
    assert result.exit_code == 2
    assert result.stderr.strip() == plan + expected
    assert "Traceback" not in result.output


def test_missing_field_names_its_path(tmp_path: Path) -> None:
    broken = minimal_plan()
    del broken["awards"][3]["gpus"]
    plan = write(tmp_path, broken)
    result = run(MINIMAL, plan)
    assert result.exit_code == 2
    assert result.stderr.strip() == f"{plan}: awards[3].gpus: missing field"


def test_unreadable_plan_files_exit_2(tmp_path: Path) -> None:
    missing = tmp_path / "nope.json"
    result = run(MINIMAL, str(missing))
    assert (result.exit_code, result.stderr.strip()) == (2, f"{missing}: file not found (check the path)")
    result = run(MINIMAL, str(tmp_path))
    assert (result.exit_code, result.stderr.strip()) == (
        2,
        f"{tmp_path}: is a directory, not a plan JSON file",
    )
    binary = tmp_path / "binary.json"
    binary.write_bytes(b"\xff\xfe{")
    result = run(MINIMAL, str(binary))
    assert result.exit_code == 2 and "not UTF-8" in result.stderr


def test_bad_scenario_exits_2_like_validate(tmp_path: Path) -> None:
    broken = str(REPO / "tests" / "scenarios" / "broken" / "unknown_holder.yaml")
    result = run(broken, write(tmp_path, minimal_plan()))
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith(f"{broken}:45:13: contracts[0].holder: unknown provider 'primary-clod'")
    assert lines[-1] == f"{broken}: 1 problem found"


def test_unwritable_json_out_exits_2(tmp_path: Path) -> None:
    out = tmp_path / "missing-dir" / "out.json"
    result = run(MINIMAL, write(tmp_path, minimal_plan()), "--json", str(out))
    assert result.exit_code == 2
    assert (
        result.stderr == f"--json: cannot write {out}: folder {out.parent} does not exist (create it first)\n"
    )
    assert not out.parent.exists()
