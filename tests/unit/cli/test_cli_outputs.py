"""Whole-or-nothing outputs (`tender.cli.output.write_outputs`), folders created only when asked, and
`tender agent` keeping the stored pools when a file gives none."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from tender.cli import output
from tender.cli.app import app
from tender.cli.output import Output, write_outputs

REPO = Path(__file__).resolve().parents[3]
MINIMAL = str(REPO / "examples" / "minimal.yaml")
POOLS = "pools:\n  - {id: local-h100, provider: p, gpu: H100, gpus: 2, backend: {kind: local}}\n"


def test_outputs_replace_old_files_whole(tmp_path: Path) -> None:
    old = tmp_path / "a.json"
    old.write_text("old")
    os.chmod(old, 0o640)
    write_outputs([Output(old, "new a"), Output(tmp_path / "b.csv", b"new b")])
    assert old.read_text() == "new a" and (tmp_path / "b.csv").read_bytes() == b"new b"
    assert stat.S_IMODE(old.stat().st_mode) == 0o640  # the replaced file's permissions are kept
    assert sorted(os.listdir(tmp_path)) == ["a.json", "b.csv"]


def test_a_failing_output_leaves_every_other_output_as_it_was(tmp_path: Path) -> None:
    old = tmp_path / "a.json"
    old.write_text("old")
    with pytest.raises(typer.Exit) as info:
        write_outputs([Output(old, "new"), Output(Path("/dev/full"), "x" * 10, "--report")])
    assert info.value.exit_code == 2
    assert old.read_text() == "old"
    assert os.listdir(tmp_path) == ["a.json"]  # no temporary file left


def test_ctrl_c_while_writing_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(output.os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_outputs([Output(tmp_path / "a.json", "a"), Output(tmp_path / "b.json", "b")])
    assert os.listdir(tmp_path) == []


def test_devices_are_written_in_place(tmp_path: Path) -> None:
    write_outputs([Output(Path("/dev/null"), "discarded"), Output(tmp_path / "kept.txt", "kept")])
    assert Path("/dev/null").is_char_device()  # not replaced by a regular file
    assert (tmp_path / "kept.txt").read_text() == "kept"


def test_a_symlinked_output_replaces_its_target(tmp_path: Path) -> None:
    target = tmp_path / "real.json"
    target.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    write_outputs([Output(link, "new")])
    assert link.is_symlink() and target.read_text() == "new"


def test_plan_creates_out_dir_but_not_missing_parents_unless_mkdir(tmp_path: Path) -> None:
    runner = CliRunner()
    deep = tmp_path / "a" / "b" / "out"
    refused = runner.invoke(app, ["plan", MINIMAL, "-q", "--out", str(deep)])
    assert refused.exit_code == 2 and "--mkdir" in refused.stderr
    assert not (tmp_path / "a").exists()
    made = runner.invoke(app, ["plan", MINIMAL, "-q", "--out", str(deep), "--mkdir"])
    assert made.exit_code in (0, 1), made.output  # 1: the plan breaks a rule, outputs still written
    assert sorted(os.listdir(deep)) == ["ledger.csv", "plan.html", "plan.json"]
    one = tmp_path / "one"  # the folder --out names is created when its parent exists
    assert runner.invoke(app, ["plan", MINIMAL, "-q", "--out", str(one)]).exit_code in (0, 1)
    assert (one / "plan.json").read_bytes() == (deep / "plan.json").read_bytes()


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TENDER_HOME", str(tmp_path / "home"))
    for name in ("TENDER_DATABASE_URL", "TENDER_RUNTIME_DATABASE_URL", "TENDER_RUNTIME_DIR"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / "pools.yaml").write_text(POOLS)
    return tmp_path


def _stored_pools(runner: CliRunner) -> list[str]:
    listed = runner.invoke(app, ["pools", "--json", "-"])
    assert listed.exit_code == 0, listed.output
    return [row["pool"] for row in json.loads(listed.stdout)]


def test_agent_keeps_stored_pools_when_a_scenario_gives_none(home: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["agent", "--once", "--pools", str(home / "pools.yaml")]).exit_code == 0
    refused = runner.invoke(app, ["agent", "--once", "--scenario", MINIMAL])
    assert refused.exit_code == 2
    assert refused.stderr.count("\n") == 1 and "gives no pool" in refused.stderr
    assert _stored_pools(runner) == ["local-h100"]
    asked = runner.invoke(app, ["agent", "--once", "--scenario", MINIMAL, "--allow-no-pools"])
    assert asked.exit_code == 0, asked.output
    listed = runner.invoke(
        app, ["pools", "--json", "-"]
    )  # the stored configuration is now empty, and said so
    assert listed.exit_code == 2 and "the configuration has no pool" in listed.stderr, listed.output


def test_default_home_is_created_but_a_named_database_folder_is_not(home: Path) -> None:
    runner = CliRunner()
    made = runner.invoke(app, ["db", "upgrade"])  # the default: $TENDER_HOME/tender.db
    assert made.exit_code == 0, made.output
    assert (home / "home" / "tender.db").is_file()
    url = f"sqlite:///{home / 'elsewhere' / 'x.db'}"
    refused = runner.invoke(app, ["db", "upgrade", "--database-url", url])
    assert refused.exit_code == 2 and str(home / "elsewhere") in refused.stderr
    assert not (home / "elsewhere").exists()
