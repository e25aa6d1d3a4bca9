"""Fast start (issue 18 item 9), checked structurally: the modules a command loads, not its timing.

`tender --help`, `--version`, a command's `-h` and `tender validate` run in a fresh interpreter; the
modules it ends with must hold none of the heavy packages (the database, the migrations, the web
server, the solver, the cluster client). bench/bench_startup.py measures the times.
"""

from __future__ import annotations

import importlib.metadata
import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
MINIMAL = str(REPO / "examples" / "minimal.yaml")
HEAVY = ("sqlalchemy", "alembic", "fastapi", "highspy", "ray", "uvicorn", "numpy", "plotly")

# Runs `tender ARGS...` in this interpreter and prints every loaded top-level module on exit.
PROBE = """
import atexit, json, sys
atexit.register(lambda: sys.stderr.write("\\nMODULES " + json.dumps(sorted({m.split('.')[0] for m in sys.modules})) + "\\n"))
sys.argv = ["tender", *json.loads(sys.argv[1])]
from tender.cli.entry import main
main()
"""


def _run(args: list[str]) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(args)], capture_output=True, text=True, timeout=120
    )
    line = [x for x in proc.stderr.splitlines() if x.startswith("MODULES ")]
    assert line, proc.stderr[-2000:]
    return proc, set(json.loads(line[-1].removeprefix("MODULES ")))


def _loaded(args: list[str]) -> tuple[int, set[str]]:
    proc, modules = _run(args)
    return proc.returncode, modules


@pytest.mark.timeout(120)
def test_importing_the_app_loads_no_heavy_package() -> None:
    code = "import json, sys; import tender.cli.app; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    modules = {m.split(".")[0] for m in json.loads(out.stdout)}
    assert "tender" in modules  # the probe did import the app
    assert modules.isdisjoint(HEAVY), sorted(modules & set(HEAVY))


@pytest.mark.timeout(240)
@pytest.mark.parametrize(
    "args",
    [["--help"], ["--version"], ["plan", "-h"], ["simulate", "gavel", "--help"], ["validate", MINIMAL]],
    ids=["help", "version", "plan-h", "gavel-help", "validate"],
)
def test_light_commands_load_no_heavy_package(args: list[str]) -> None:
    code, modules = _loaded(args)
    assert code == 0
    assert modules.isdisjoint(HEAVY), sorted(modules & set(HEAVY))


@pytest.mark.timeout(120)
def test_version_is_answered_before_the_commands_load() -> None:
    proc, modules = _run(["--version"])
    assert proc.stdout == f"tender {importlib.metadata.version('tender')}\n"
    assert "typer" not in modules and "rich" not in modules


@pytest.mark.timeout(120)
def test_help_loads_no_rich() -> None:
    """Plain help (Click's layout): Rich loads only when a command prints a table or progress."""
    proc, modules = _run(["--help"])
    assert "Usage: tender" in proc.stdout
    assert "typer" in modules and "rich" not in modules


@pytest.mark.timeout(120)
def test_help_and_version_load_no_scenario_model() -> None:
    """`--help` and `--version` need neither pydantic nor YAML (only `validate` and up do)."""
    for args in (["--help"], ["--version"]):
        _code, modules = _loaded(args)
        assert modules.isdisjoint({"pydantic", "yaml", "pydantic_core"}), (args, modules)


@pytest.mark.timeout(240)
def test_plan_without_report_loads_no_plotly_nor_database(tmp_path: Path) -> None:
    """`tender plan` loads the solver; plotly only for `--report`, the database only for `--actuals`."""
    code, modules = _loaded(["plan", MINIMAL, "--quiet", "--json", str(tmp_path / "plan.json")])
    assert code == 0
    assert "highspy" in modules  # the probe did plan
    assert modules.isdisjoint({"plotly", "sqlalchemy", "alembic", "fastapi", "ray"}), sorted(modules)


@pytest.mark.timeout(120)
def test_a_command_builds_only_its_own_module() -> None:
    """`tender validate FILE --json -` (Typer's path) imports the validate command's module and none of
    the others (`registry.for_args`); `--help` still lists every command."""
    from tender.cli.registry import MODULES

    _code, modules = _run_full(["validate", MINIMAL, "--json", "-"])
    others = {f"tender.cli.{name}" for name in MODULES if name != "validate"}
    assert "tender.cli.validate" in modules and modules.isdisjoint(others), sorted(modules & others)
    proc, _ = _run(["--help"])
    for name in ("validate", "plan", "simulate", "jobs", "logs", "cancel", "db"):
        assert f"  {name} " in proc.stdout, name


def _run_full(args: list[str]) -> tuple[int, set[str]]:
    """Like `_run`, but every loaded module by its full name."""
    probe = PROBE.replace("m.split('.')[0] for m in sys.modules", "m for m in sys.modules")
    proc = subprocess.run(
        [sys.executable, "-c", probe, json.dumps(args)], capture_output=True, text=True, timeout=120
    )
    line = [x for x in proc.stderr.splitlines() if x.startswith("MODULES ")]
    assert line, proc.stderr[-2000:]
    return proc.returncode, set(json.loads(line[-1].removeprefix("MODULES ")))


@pytest.mark.timeout(120)
def test_validate_of_a_valid_file_loads_no_typer() -> None:
    """`tender validate FILE` of a valid file is answered before Typer loads (`validate_quick`)."""
    proc, modules = _run(["validate", MINIMAL])
    assert proc.returncode == 0 and "is valid" in proc.stdout
    assert "typer" not in modules and "click" not in modules, sorted(modules)


# Runs `tender plan ...` and prints, at each `Highs.run` (the first pass's; the second runs through
# highspy's `startSolve`) and at exit, which of `LATE` were loaded by then.
LATE = (
    "tender.plan_output",
    "rich",
    "tender.sourcing.finish",
    "tender.contracts.protocol",
    "tender.contracts.protocol_types",
    "tender.domain.rebase",
    "tender.sourcing.risk",
    "tender.cli.plan_actuals",
)
SOLVE_PROBE = """
import json, sys
import highspy
LATE = json.loads(sys.argv[2])
seen = []
run = highspy.Highs.run
def probed(self):
    seen.append(sorted(m for m in LATE if m in sys.modules))
    return run(self)
highspy.Highs.run = probed
import atexit
atexit.register(lambda: sys.stderr.write(
    "\\nLOADED " + json.dumps([seen, sorted(m for m in LATE if m in sys.modules)]) + "\\n"))
sys.argv = ["tender", *json.loads(sys.argv[1])]
from tender.cli.entry import main
main()
"""


@pytest.mark.timeout(240)
def test_plan_loads_its_renderers_while_the_solver_runs(tmp_path: Path) -> None:
    """The planner's second half (the ROFR engine, the baseline), the checker, the tables, the JSON
    and Rich's consoles load in the main thread while HiGHS solves (`run_interruptible(meanwhile=...)`),
    not before the first solve, where they would delay it; a risk study's first stage and the re-plan
    on actuals never load for a plain plan."""
    args = ["plan", MINIMAL, "--json", str(tmp_path / "plan.json")]
    proc = subprocess.run(
        [sys.executable, "-c", SOLVE_PROBE, json.dumps(args), json.dumps(LATE)],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    line = [x for x in proc.stderr.splitlines() if x.startswith("LOADED ")]
    seen, loaded_at_end = json.loads(line[-1].removeprefix("LOADED "))
    assert seen and seen[0] == [], seen  # none loaded when the first solve started (stderr is a pipe)
    assert loaded_at_end == [
        "rich",
        "tender.contracts.protocol",
        "tender.contracts.protocol_types",
        "tender.domain.rebase",  # (the checker's re-plan type, with the renderers)
        "tender.plan_output",
        "tender.sourcing.finish",
    ]
    assert "solved in" in proc.stdout  # the tables and lines still print, after the solve
    assert json.loads((tmp_path / "plan.json").read_text())["status"] == "optimal"
