"""Every bad job spec, however hostile, is a `file:line:col: field: message` line and exit 2 from
`tender run` (never a traceback), and never reaches the database."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tender.cli.app import app
from tender.config import InputError
from tender.runtime.spec import parse_job_text

POOLS = "pools:\n  - {id: local-h100, provider: p, gpu: H100, gpus: 2, backend: {kind: local}}\n"
ACC = "resources.accelerators"
SKY = "run: x\nresources:\n  accelerators: {}\n"
JOB = "name: a\ncommand: x\ngpus: {}\n"

# (id, YAML text, the field the error must name)
CASES: list[tuple[str, str, str]] = [
    ("sky-1e999", SKY.format('"H100:1e999"'), ACC),
    ("sky-nan", SKY.format('"H100:nan"'), ACC),
    ("sky-inf", SKY.format('"H100:inf"'), ACC),
    ("sky-negative", SKY.format('"H100:-1"'), ACC),
    ("sky-zero", SKY.format('"H100:0"'), ACC),
    ("sky-fraction", SKY.format('"H100:0.5"'), ACC),
    ("sky-huge", SKY.format('"H100:' + "9" * 40 + '"'), ACC),
    ("sky-dict-huge", SKY.format("{H100: " + "9" * 40 + "}"), ACC),
    ("sky-dict-nan", SKY.format("{H100: .nan}"), ACC),
    ("sky-dict-negative", SKY.format("{H100: -4}"), ACC),
    ("sky-mixed-counts", SKY.format('["H100:2", "A100:4"]'), ACC),
    ("sky-empty-name", SKY.format('":2"'), ACC),
    ("sky-no-count", "run: x\n", ACC),
    ("sky-run-list", "run: [a, b]\nresources:\n  accelerators: H100:1\n", "run"),
    ("sky-env-number", "run: x\nenvs: {A: 1}\nresources:\n  accelerators: H100:1\n", "envs.A"),
    ("sky-unknown", "run: x\nresourcez: {}\n", "resourcez"),
    ("gpus-nan", JOB.format(".nan"), "gpus"),
    ("gpus-inf", JOB.format(".inf"), "gpus"),
    ("gpus-neg-inf", JOB.format("-.inf"), "gpus"),
    ("gpus-1e999", JOB.format("1e999"), "gpus"),
    ("gpus-negative", JOB.format("-3"), "gpus"),
    ("gpus-zero", JOB.format("0"), "gpus"),
    ("gpus-float", JOB.format("1.5"), "gpus"),
    ("gpus-huge", JOB.format("9" * 40), "gpus"),
    ("gpus-bool", JOB.format("true"), "gpus"),
    ("gpus-string", JOB.format('"2"'), "gpus"),
    ("retries-huge", JOB.format("1") + "max_retries: " + "9" * 30 + "\n", "max_retries"),
    ("retries-negative", JOB.format("1") + "max_retries: -1\n", "max_retries"),
    ("command-list", "name: a\ncommand: [python, x.py]\ngpus: 1\n", "command"),
    ("command-number", "name: a\ncommand: 42\ngpus: 1\n", "command"),
    ("command-null", "name: a\ncommand: null\ngpus: 1\n", "command"),
    ("command-nul-byte", 'name: a\ncommand: "a\\0b"\ngpus: 1\n', "command"),
    ("name-too-long", f"name: {'n' * 80}\ncommand: x\ngpus: 1\n", "name"),
    ("name-slash", "name: ../a\ncommand: x\ngpus: 1\n", "name"),
    ("class-too-long", JOB.format("1") + f"workload_class: {'c' * 65}\n", "workload_class"),
    ("env-bad-key", JOB.format("1") + 'env: {"A=B": x}\n', "env"),
    ("env-number", JOB.format("1") + "env: {A: 1}\n", "env.A"),
    ("accelerator-number", JOB.format("1") + "accelerators: [100]\n", "accelerators[0]"),
    ("unknown-field", JOB.format("1") + "colour: red\n", "colour"),
    ("duplicate-key", JOB.format("1") + "name: b\n", "name"),
    ("not-a-mapping", "- a\n- b\n", ""),
    ("alias-loop", "a: &a [*a, *a]\n", "a[0]"),  # the alias inside its own anchor
    ("deep", "a: " + "[" * 3000 + "]" * 3000 + "\n", ""),
]


@pytest.mark.parametrize(("text", "field"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_parser_names_file_line_column_and_field(text: str, field: str) -> None:
    with pytest.raises(InputError) as info:
        parse_job_text(text, "job.yaml")
    first = info.value.problems[0]
    assert (first.file, first.path) == ("job.yaml", field), str(info.value)
    assert first.line >= 1 and first.column >= 1


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Nothing outside tmp_path: the default database lives under TENDER_HOME."""
    monkeypatch.setenv("TENDER_HOME", str(tmp_path / "home"))
    for name in ("TENDER_DATABASE_URL", "TENDER_RUNTIME_DATABASE_URL", "TENDER_RUNTIME_DIR"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / "pools.yaml").write_text(POOLS)
    return tmp_path


@pytest.mark.parametrize(
    ("text", "field"),
    [
        c[1:]
        for c in CASES
        if c[0] in {"sky-1e999", "sky-nan", "gpus-huge", "command-list", "unknown-field", "deep"}
    ],
)
def test_tender_run_exits_2_with_one_located_line(env: Path, text: str, field: str) -> None:
    job = env / "job.yaml"
    job.write_text(text)
    result = CliRunner().invoke(app, ["run", str(job), "--pools", str(env / "pools.yaml")])
    assert result.exit_code == 2, result.output
    line = result.stderr.splitlines()[0]
    where = f"{re.escape(field)}: " if field else ""
    assert re.match(rf"^{re.escape(str(job))}:\d+:\d+: {where}\S", line), line
    assert "Traceback" not in result.output


def test_unreadable_job_and_pools_files_exit_2(env: Path) -> None:
    (env / "bin.yaml").write_bytes(b"\xff\xfe\x00")
    for name, why in (("missing.yaml", "file not found"), ("bin.yaml", "binary file, not YAML text")):
        result = CliRunner().invoke(app, ["run", str(env / name), "--pools", str(env / "pools.yaml")])
        assert result.exit_code == 2 and f"{env / name}: {why}" in result.stderr, result.output
    (env / "ok.yaml").write_text(JOB.format("1"))
    result = CliRunner().invoke(app, ["run", str(env / "ok.yaml"), "--pools", str(env / "nope.yaml")])
    assert result.exit_code == 2 and "nope.yaml: file not found" in result.stderr, result.output
