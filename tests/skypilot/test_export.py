"""`tender jobs export --skypilot JOB` accepted by SkyPilot: its task schema validation and loader."""

from __future__ import annotations

from pathlib import Path

import pytest
import sky
import yaml
from sky.utils import common_utils, schemas
from typer.testing import CliRunner

from tender.cli.app import app

POOLS = (
    "pools:\n  - {id: local-h100, provider: p, gpu: H100, gpus: 8, backend: {kind: local}}\n"
    "  - {id: local-h200, provider: p, gpu: H200, gpus: 8, backend: {kind: local}}\n"
)


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("accelerators: [h100]\nworkload: api-serving\n", [{"H100": 8}]),
        ("accelerators: [h100, h200]\nworkload_class: training\n", [{"H100": 8}, {"H200": 8}]),
    ],
)
def test_exported_task_passes_skypilot_validation(
    spec: str, expected: list[dict[str, int]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TENDER_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("TENDER_DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pools.yaml").write_text(POOLS)
    (tmp_path / "job.yaml").write_text(f"name: exp\ncommand: python x.py\ngpus: 8\nenv: {{A: '1'}}\n{spec}")
    runner = CliRunner()
    r = runner.invoke(app, ["run", "job.yaml", "--pools", "pools.yaml"])
    assert r.exit_code == 0, r.output
    out = tmp_path / "task.yaml"
    r = runner.invoke(app, ["jobs", "export", "--skypilot", r.stdout.strip(), "--out", str(out)])
    assert r.exit_code == 0, r.output
    config = yaml.safe_load(out.read_text())
    common_utils.validate_schema(config, schemas.get_task_schema(), "Invalid task YAML: ")
    task = sky.Task.from_yaml(str(out))
    assert sorted((dict(r.accelerators) for r in task.resources), key=str) == expected
    assert task.envs == {"A": "1"} and task.run == "python x.py"
