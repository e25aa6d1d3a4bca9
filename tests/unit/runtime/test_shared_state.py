"""One shared state: the runtime opens the server's database by default; ids are allocated inside the write
transaction (concurrent submitters, SQLite and PostgreSQL); a local pool's engine holds the pool's GPUs;
every move of a job is in the audit chain."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tender.cli.app import app
from tender.clocks import SystemClock
from tender.ledger.sql import Database, audit_store, resolve_url
from tender.runtime import queue
from tender.runtime.session import database_url, open_runtime
from tender.runtime.spec import JobSpec
from tender.runtime.store import Store
from tender.service import job_queue

POOLS = "pools:\n  - {id: local-h100, provider: p, gpu: H100, gpus: 2, backend: {kind: local}}\n"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """TENDER_HOME in tmp_path, no database variables, and a working directory of its own."""
    monkeypatch.setenv("TENDER_HOME", str(tmp_path / "home"))
    for name in ("TENDER_DATABASE_URL", "TENDER_RUNTIME_DATABASE_URL", "TENDER_RUNTIME_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pools.yaml").write_text(POOLS)
    return tmp_path


def test_runtime_defaults_to_the_servers_database(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    server = resolve_url(None)  # what `tender serve` uses with no flags
    assert server == f"sqlite:///{home / 'home' / 'tender.db'}"
    assert database_url() == server
    monkeypatch.setenv("TENDER_DATABASE_URL", f"sqlite:///{home / 'shared.db'}")
    assert database_url() == resolve_url(None) == f"sqlite:///{home / 'shared.db'}"
    # overrides, in order: --database-url, --state, TENDER_RUNTIME_DATABASE_URL, TENDER_RUNTIME_DIR
    monkeypatch.setenv("TENDER_RUNTIME_DIR", str(home / "rtdir"))
    assert database_url() == f"sqlite:///{home / 'rtdir' / 'runtime.db'}"
    monkeypatch.setenv("TENDER_RUNTIME_DATABASE_URL", f"sqlite:///{home / 'rt.db'}")
    assert database_url() == f"sqlite:///{home / 'rt.db'}"
    assert database_url(state=str(home / "st")) == f"sqlite:///{home / 'st' / 'runtime.db'}"
    assert database_url("sqlite:///x.db", str(home / "st")) == "sqlite:///x.db"


def test_cli_jobs_land_where_the_server_reads_them(home: Path) -> None:
    runner = CliRunner()
    (home / "job.yaml").write_text("name: a\ncommand: 'true'\ngpus: 1\n")
    r = runner.invoke(app, ["run", str(home / "job.yaml"), "--pools", str(home / "pools.yaml")])
    assert r.exit_code == 0, r.output
    job_id = r.stdout.strip()
    assert not (home / ".tender").exists()  # nothing in the working directory
    db = Database(None)  # the server's default
    try:
        with db.read() as s:
            listed = job_queue.jobs(s)
            assert [(j.row["id"], j.team, j.submitted_by) for j in listed] == [
                (job_id, None, listed[0].submitted_by)
            ]
            assert str(listed[0].submitted_by).startswith("cli")
            assert [r.kind for r in audit_store.records(s)] == ["job.submitted"]
    finally:
        db.dispose()
    r = runner.invoke(app, ["jobs", "--json", "-"])  # no flags: same database, pools remembered
    assert r.exit_code == 0 and [j["id"] for j in json.loads(r.stdout)] == [job_id], r.output
    r = runner.invoke(app, ["cancel", job_id])
    assert r.exit_code == 0 and "cancel requested" in r.stdout


def test_local_pool_capacity_is_the_pools_gpus(home: Path) -> None:
    r = CliRunner().invoke(app, ["pools", "--json", "-", "--pools", str(home / "pools.yaml")])
    assert r.exit_code == 0, r.output
    (row,) = json.loads(r.stdout)
    assert (row["gpus"], row["status"], row["engine_free_gpus"], row["tender_gpus_in_use"]) == (2, "ok", 2, 0)
    runtime = open_runtime(None)
    try:
        cap = runtime.capacities()["local-h100"]
        assert (cap.total_gpus, cap.free_gpus) == (2, 2)
    finally:
        runtime.store.close()


def _concurrent_submit(url: str, threads: int = 4, each: int = 8) -> None:
    stores = [Store(url) for _ in range(threads)]
    barrier = threading.Barrier(threads)
    ids: list[str] = []
    errors: list[BaseException] = []

    def work(store: Store) -> None:
        try:
            barrier.wait()
            for _ in range(each):
                with store.write() as s:
                    ids.append(
                        queue.submit(s, JobSpec("race", "true", 1), now=SystemClock().now(), submitted_by="t")
                    )
        except BaseException as exc:
            errors.append(exc)

    workers = [threading.Thread(target=work, args=(store,)) for store in stores]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    try:
        assert not errors, errors
        assert len(ids) == len(set(ids)) == threads * each
        assert sorted(ids) == sorted(f"race-{n}" for n in range(1, threads * each + 1))
        with stores[0].db.read() as s:
            assert audit_store.verify_chain(s).ok
    finally:
        for store in stores:
            store.close()


def test_concurrent_submitters_get_distinct_ids_on_sqlite(tmp_path: Path) -> None:
    _concurrent_submit(f"sqlite:///{tmp_path / 'race.db'}")


def test_concurrent_submitters_get_distinct_ids_on_postgresql(fresh_pg: str) -> None:
    _concurrent_submit(fresh_pg)
