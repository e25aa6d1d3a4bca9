"""Every file under tests/scenarios/broken is a real mistake; each must give exit 2, its line and field."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tender.cli.app import app

BROKEN = Path(__file__).resolve().parents[2] / "scenarios" / "broken"
CASES = sorted(BROKEN.glob("*.yaml"))
runner = CliRunner()


def _expectation(path: Path) -> tuple[int, str, str]:
    text = path.read_text(encoding="utf-8", errors="replace")
    line = int(re.search(r"^# expect-line: (\d+)$", text, re.M).group(1))  # type: ignore[union-attr]
    field, message = re.search(r"^# expect: (.*?) \| (.*)$", text, re.M).groups()  # type: ignore[union-attr]
    return line, field, message


def test_corpus_is_big_enough() -> None:
    assert len(CASES) >= 40


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_broken_scenario_is_reported_with_line_and_field(case: Path) -> None:
    line, field, message = _expectation(case)
    result = runner.invoke(app, ["validate", str(case)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)
    located = [ln for ln in result.output.splitlines() if ln.startswith(f"{case}:{line}:")]
    assert located, f"no problem reported on line {line}:\n{result.output}"
    if field:
        assert any(f": {field}: " in ln for ln in located), result.output
    assert any(message in ln for ln in located), result.output


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("empty.yaml", b"", "empty file"),
        ("comments.yaml", b"# nothing but a comment\n", "empty file"),
        ("binary.yaml", bytes(range(256)) * 4, "binary file"),
        ("latin1.yaml", "scenario:\n  id: caf\xe9\n".encode("latin-1"), "not valid UTF-8"),
        ("control.yaml", b"scenario:\n  id: a\x07b\n", "remove the control character"),
    ],
)
def test_unreadable_files_get_a_clear_message(
    tmp_path: Path, name: str, content: bytes, expected: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    assert expected in result.output
    assert "Traceback" not in result.output


def test_missing_file_and_directory(tmp_path: Path) -> None:
    missing = runner.invoke(app, ["validate", str(tmp_path / "nope.yaml")])
    assert missing.exit_code == 2 and "file not found" in missing.output
    directory = runner.invoke(app, ["validate", str(tmp_path)])
    assert directory.exit_code == 2 and "is a directory" in directory.output


def test_real_console_script_prints_no_traceback() -> None:
    case = BROKEN / "unknown_holder.yaml"
    proc = subprocess.run(
        [sys.executable, "-m", "tender.cli", "validate", str(case)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "contracts[0].holder: unknown provider 'primary-clod'" in proc.stderr
