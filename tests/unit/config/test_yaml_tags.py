"""An explicit YAML tag on a value it cannot hold (`!!int` with nothing after it, `!!float abc`) makes
PyYAML's own constructor raise IndexError or ValueError. That used to reach the user as a traceback
(exit 1); it is a bad-input line naming file:line:column and the field, exit 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tender.config.errors import InputError
from tender.config.yamlpos import load_yaml


@pytest.mark.parametrize(
    ("text", "line", "col", "field"),
    [
        ("scenario:\n  id: x\n  horizon_months: !!int\n", 3, 19, "scenario.horizon_months"),
        ("a:\n  - !!int x1\n", 2, 5, "a[0]"),
        ("a: !!float abc\n", 1, 4, "a"),
        ("a:\n  !!int : 3\n", 2, 3, "a"),
    ],
)
def test_a_tag_on_an_unfit_value_is_one_problem_at_the_value(
    text: str, line: int, col: int, field: str
) -> None:
    with pytest.raises(InputError) as err:
        load_yaml(text, "s.yaml")
    [problem] = err.value.problems
    assert (problem.file, problem.line, problem.column, problem.path) == ("s.yaml", line, col, field)
    assert "is not a valid !!" in problem.message


@pytest.mark.timeout(60)
def test_validate_reports_it_with_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("scenario:\n  id: x\n  horizon_months: !!int\n")
    done = subprocess.run(
        [sys.executable, "-m", "tender.cli", "validate", str(bad)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert f"{bad}:3:19: scenario.horizon_months:" in done.stderr
