"""`tender validate FILE [-q]` answered before Typer loads (`cli/validate_quick.py`) against the Typer
command itself: both run as the real script in fresh processes on the same inputs, and stdout, stderr
and the exit code must be identical. Which arguments take the quick path is checked on its own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tender.cli.validate_quick import quick_args

REPO = Path(__file__).resolve().parents[3]
QUICK = "import sys; sys.argv[0] = 'tender'; from tender.cli.entry import main; main()"  # the script
TYPER = "import sys; from tender.cli.app import app; app(sys.argv[1:], prog_name='tender')"  # Typer only


def _tender(code: str, args: list[str], cwd: Path) -> tuple[int, str, str]:
    env = {**os.environ, "COLUMNS": "100", "TERM": "dumb"}
    proc = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120, cwd=cwd, env=env
    )
    return proc.returncode, proc.stdout, proc.stderr


CASES = [
    ["validate", "examples/minimal.yaml"],
    ["validate", "./examples//frontier-lab.yaml"],
    ["validate", "-q", "examples/minimal.yaml"],
    ["validate", "examples/local-lab.yaml", "--quiet"],
    ["validate", "tests/scenarios/broken/duplicate_key.yaml"],
    ["validate", "tests/scenarios/broken/nan_rate.yaml", "-q"],
    ["validate", "missing.yaml"],
    ["validate", "examples"],
    ["validate", "examples/minimal.yaml", "extra.yaml"],
    ["validate", "examples/minimal.yaml", "-q", "-q"],
]


@pytest.mark.timeout(600)
@pytest.mark.parametrize("args", CASES, ids=[" ".join(c[1:]) for c in CASES])
def test_the_quick_path_answers_as_the_typer_command(args: list[str]) -> None:
    quick = _tender(QUICK, args, REPO)
    typer_only = _tender(TYPER, args, REPO)
    assert quick == typer_only
    if args[1:] in (["examples/minimal.yaml"], ["./examples//frontier-lab.yaml"]):
        assert quick[0] == 0 and "is valid" in quick[1]  # the comparison saw a real summary


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["validate", "s.yaml"], (Path("s.yaml"), False)),
        (["validate", "-q", "s.yaml"], (Path("s.yaml"), True)),
        (["validate", "s.yaml", "--quiet"], (Path("s.yaml"), True)),
        (["validate", "s.yaml", "--json", "out.json"], None),
        (["validate", "s.yaml", "-h"], None),
        (["validate", "--version"], None),
        (["validate"], None),
        (["validate", "-"], None),
        (["validate", ""], None),
        (["validate", "a.yaml", "b.yaml"], None),
        (["validate", "-q", "-q", "s.yaml"], None),
        (["plan", "s.yaml"], None),
        ([], None),
    ],
)
def test_only_validate_file_and_quiet_take_the_quick_path(
    argv: list[str], expected: tuple[Path, bool] | None
) -> None:
    assert quick_args(argv) == expected


@pytest.mark.parametrize("before", [None, "some_plugin"])
def test_the_plugin_switch_is_put_back(monkeypatch: pytest.MonkeyPatch, before: str | None) -> None:
    """`PYDANTIC_DISABLE_PLUGINS` is set only while the scenario loads, then restored as it was."""
    from tender.cli import validate_quick

    seen: list[str | None] = []
    real = validate_quick.no_pydantic_plugins

    def spy() -> object:
        manager = real()

        class Spy:
            def __enter__(self) -> None:
                manager.__enter__()
                seen.append(os.environ.get("PYDANTIC_DISABLE_PLUGINS"))

            def __exit__(self, *exc: object) -> None:
                manager.__exit__(*exc)

        return Spy()

    if before is None:
        monkeypatch.delenv("PYDANTIC_DISABLE_PLUGINS", raising=False)
    else:
        monkeypatch.setenv("PYDANTIC_DISABLE_PLUGINS", before)
    monkeypatch.setattr(validate_quick, "no_pydantic_plugins", spy)
    assert validate_quick.run(REPO / "examples" / "minimal.yaml", quiet=True) == 0
    assert seen == ["1"]
    assert os.environ.get("PYDANTIC_DISABLE_PLUGINS") == before
