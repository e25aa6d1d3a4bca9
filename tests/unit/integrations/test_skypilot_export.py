"""`tender jobs export --skypilot JOB`: a queued job written as a SkyPilot task, read back by Tender's
own SkyPilot reader (tests/skypilot/test_export.py checks it with SkyPilot's schema validation)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from tender.cli.app import app
from tender.integrations.skypilot.tasks import request_of

POOLS = "pools:\n  - {id: local-h100, provider: p, gpu: H100, gpus: 8, backend: {kind: local}}\n"
JOB = (
    "name: Serve_1\ncommand: python serve.py --port 8080\ngpus: 4\naccelerators: [h100]\n"
    "workload_class: inference\nworkload: api-serving\nenv: {B: '2', A: '1'}\n"
)


@pytest.fixture
def queued(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("TENDER_HOME", str(tmp_path / "home"))
    for name in ("TENDER_DATABASE_URL", "TENDER_RUNTIME_DATABASE_URL", "TENDER_RUNTIME_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pools.yaml").write_text(POOLS)
    (tmp_path / "job.yaml").write_text(JOB)
    r = CliRunner().invoke(app, ["run", "job.yaml", "--pools", "pools.yaml"])
    assert r.exit_code == 0, r.output
    return r.stdout.strip()


def test_export_writes_a_task_tender_reads_back(queued: str, tmp_path: Path) -> None:
    r = CliRunner().invoke(app, ["jobs", "export", "--skypilot", queued, "--out", str(tmp_path / "t.yaml")])
    assert r.exit_code == 0, r.output
    task = yaml.safe_load((tmp_path / "t.yaml").read_text())
    assert task == {
        "name": queued.lower().replace("_", "-"),
        "num_nodes": 1,
        "resources": {"accelerators": {"H100": 4}, "labels": {"tender.workload": "api-serving"}},
        "envs": {"A": "1", "B": "2"},
        "run": "python serve.py --port 8080",
    }
    back = request_of(task, 1)
    assert (back.workload, back.num_nodes, back.asks[0].accelerators) == ("api-serving", 1, (("H100", 4),))
    printed = CliRunner().invoke(app, ["jobs", "export", "--skypilot", queued])
    assert yaml.safe_load(printed.stdout) == task


def test_export_of_a_missing_job_or_a_wrong_action_is_bad_input(queued: str) -> None:
    r = CliRunner().invoke(app, ["jobs", "export", "--skypilot", "nope-1"])
    assert r.exit_code == 2 and "no job 'nope-1'" in r.stderr
    r = CliRunner().invoke(app, ["jobs", "expot", "--skypilot", queued])
    assert r.exit_code == 2 and "tender jobs export --skypilot JOB" in r.stderr
    assert CliRunner().invoke(app, ["jobs", "--json", "-"]).exit_code == 0  # the listing is unchanged
