"""Say what is wrong (issue 14, item 3): an unreachable engine is `engine_unreachable` with the engine and its
error, not `capacity`; every rejection names its reason code and clause id; `tender run` refuses, exit 2,
what no pool may ever take; a scenario that configures no pool says so."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from two_pools import two_pools
from typer.testing import CliRunner

from tender.backends import FakeBackend
from tender.cli.app import app
from tender.clocks import ManualClock
from tender.domain.provider import BackendSpec
from tender.runtime.driver import Runtime
from tender.runtime.pools import PoolConfig, RuntimeConfig
from tender.runtime.spec import JobSpec
from tender.runtime.store import Store

ROOT = Path(__file__).resolve().parents[3]
LOCAL_LAB = str(ROOT / "examples" / "local-lab.yaml")
JOBS = ROOT / "examples" / "jobs"


def test_unreachable_engines_are_engine_unreachable_with_the_error(tmp_path: Path) -> None:
    h = two_pools(tmp_path)
    try:
        h.a.reachable = h.b.reachable = False
        job = h.submit(JobSpec("x", "true", gpus=1))
        h.tick()
        row = h.store.job(job)
        assert row is not None and row["state"] == "queued"
        assert row["reason_code"] == "engine_unreachable", row["reason"]
        assert row["reason"].startswith("engine_unreachable: ")
        for pool in ("a", "b"):  # each engine named, with its own words
            assert f"{pool} on fake unreachable: fake: engine switched off" in row["reason"]
        assert "capacity" not in row["reason"]
        h.a.reachable = True  # one engine back, full: it waits for capacity, and says the other is down
        h.submit(JobSpec("hog", "true", gpus=2))
        h.tick()
        hog_or_x = {j["id"]: j for j in h.store.jobs()}
        waiting = [j for j in hog_or_x.values() if j["state"] == "queued"]
        assert waiting and all(j["reason_code"] == "capacity" for j in waiting), waiting
        assert all("down: b on fake unreachable" in j["reason"] for j in waiting)
    finally:
        h.store.close()


def test_degraded_engine_is_an_outage_not_capacity(tmp_path: Path) -> None:
    h = two_pools(tmp_path)
    try:
        h.a.degraded = h.b.degraded = "node vm DOWN+NOT_RESPONDING"
        job = h.submit(JobSpec("x", "true", gpus=1))
        h.tick()
        row = h.store.job(job)
        assert row is not None and row["reason_code"] == "outage"
        assert "a on fake degraded: node vm DOWN+NOT_RESPONDING" in row["reason"]
    finally:
        h.store.close()


def test_pools_file_rejection_names_its_rule_as_clause(tmp_path: Path) -> None:
    h = two_pools(tmp_path, exclusivity={"training": "prov-z"})
    try:
        job = h.submit(JobSpec("x", "true", gpus=1, workload_class="training"))
        h.tick()
        row = h.store.job(job)
        assert row is not None and row["state"] == "rejected"
        assert (row["reason_code"], row["reason_clause"]) == ("exclusivity", "exclusivity.training")
        assert "[exclusivity.training]" in row["reason"]
        [rejected] = [e for e in h.store.events_of(job) if e["kind"] == "rejected"]
        assert "exclusivity.training" in rejected["detail"]
    finally:
        h.store.close()


def test_mixed_rejection_lists_every_pool_with_its_code_and_clause(tmp_path: Path) -> None:
    clock = ManualClock()
    pools = (
        PoolConfig("a", "prov-a", "r", "h100", 2, BackendSpec("fake")),
        PoolConfig("b", "prov-b", "r", "a100", 2, BackendSpec("fake")),
    )
    backends = {p.id: FakeBackend(clock, gpus=2) for p in pools}
    store = Store(f"sqlite:///{tmp_path / 'rt.db'}")
    try:
        config = RuntimeConfig(pools, {"training": "prov-b"})
        runtime = Runtime(store, config, clock, tmp_path, backends=backends)
        job = runtime.submit(JobSpec("x", "true", gpus=1, accelerators=("h100",), workload_class="training"))
        runtime.tick()
        row = store.job(job)
        assert row is not None and row["state"] == "rejected"
        assert (row["reason_code"], row["reason_clause"]) == ("no_pool_fits", "exclusivity.training")
        assert "exclusivity: a: training runs only on prov-b [exclusivity.training]" in row["reason"]
        assert "gpu_type: b: a100 not in h100" in row["reason"]
    finally:
        store.close()


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TENDER_HOME", str(tmp_path / "home"))
    for name in ("TENDER_DATABASE_URL", "TENDER_RUNTIME_DATABASE_URL", "TENDER_RUNTIME_DIR"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def test_tender_run_refuses_what_no_pool_may_take_with_clause_ids(home: Path) -> None:
    runner = CliRunner()
    r = runner.invoke(app, ["run", str(JOBS / "eu-research.yaml"), "--scenario", LOCAL_LAB])
    assert r.exit_code == 2, r.output
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 3, lines  # one per pool of the scenario, each with its code and clause
    for pool in ("neocloud-a/H100/us-east", "on-prem/H100/us-west", "primary-cloud/H100/us-central"):
        [line] = [x for x in lines if pool in x]
        assert line.startswith(f"{JOBS / 'eu-research.yaml'}:1:1: workload: ")
        assert "residency" in line and "[c-eu-residency]" in line
    assert "Traceback" not in r.output
    # the same scenario takes the exclusive job (its provider has a pool) and the plain one
    for ok in ("api.yaml", "hello.yaml"):
        accepted = runner.invoke(app, ["run", str(JOBS / ok)])
        assert accepted.exit_code == 0, accepted.output
    listed = json.loads(runner.invoke(app, ["jobs", "--json", "-"]).stdout)
    assert [j["id"] for j in listed] == ["api-1", "hello-2"]  # nothing was queued for the refused one
    too_big = home / "big.yaml"
    too_big.write_text("name: big\ncommand: 'true'\ngpus: 3\n")
    r = runner.invoke(app, ["run", str(too_big)])
    assert r.exit_code == 2 and "gpus" in r.stderr, r.output


def test_scenario_without_backends_configures_no_pool_and_says_so(home: Path) -> None:
    runner = CliRunner()
    frontier = str(ROOT / "examples" / "frontier-lab.yaml")
    for argv in (
        ["agent", "--scenario", frontier, "--once"],
        ["run", str(JOBS / "hello.yaml"), "--scenario", frontier],
    ):
        r = runner.invoke(app, argv)
        assert r.exit_code == 2, r.output
        assert "no provider names a `backend:`" in r.stderr and "providers" in r.stderr
    # nothing was stored: a later command is told to configure pools, not handed an empty set
    r = runner.invoke(app, ["run", str(JOBS / "hello.yaml")])
    assert r.exit_code == 2 and "no pools configured" in r.stderr, r.output
