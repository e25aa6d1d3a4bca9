"""Suite-wide fixtures and rules for real engines.

1. Session fixtures `slurm_cluster`, `ray_cluster`, `postgres_url` and `chromium_path` find the engine
   running or start it with `tools/ci/*-up.sh` (see `tests/engines.py`), and stop at session end only
   what the tests started.
2. When an engine cannot run here the fixture skips with one line starting "engine unavailable:".
3. Under `CI=true` such a skip — or any skip of a test marked `requires_engine` — is reported as a
   FAILURE (`pytest_runtest_makereport` below), so CI can never pass with the integration suite skipped.
4. Under `CI=true` hypothesis draws the same examples on every run (`derandomize`) and has no per-example
   deadline: CI's verdict on a commit is then the one a local `CI=true make test` gave, not a new draw
   (locally, without CI, every run explores new examples, which is how they find new cases).
"""

from __future__ import annotations

import os
import secrets
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import engines

try:  # the SkyPilot venv (tests/skypilot) has no hypothesis
    from hypothesis import settings
except ImportError:
    pass
else:
    settings.register_profile("ci", derandomize=True, deadline=None)
    if os.environ.get("CI") == "true":
        settings.load_profile("ci")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "requires_engine: needs a real engine; under CI=true a skip fails")


ENGINE_FIXTURES = frozenset(
    {"slurm_cluster", "ray_cluster", "postgres_url", "slurm_restored", "ray_restored", "serve_db"}
)


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist's hook, which reads the mark
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under pytest-xdist (`make test` runs two workers), every test that uses a real engine goes to one
    worker, one at a time (`--dist loadgroup`): the kill tests stop engine daemons that a test on the other
    worker could be using. The rest of the suite runs beside them on the other worker."""
    for item in items:
        uses_engine = ENGINE_FIXTURES & set(getattr(item, "fixturenames", ()))
        if uses_engine or "tests/integration/" in str(item.path).replace("\\", "/"):
            item.add_marker(pytest.mark.xdist_group("engines"))


@pytest.hookimpl(
    optionalhook=True
)  # pytest-xdist's hook; the SkyPilot venv runs tests/skypilot without xdist
def pytest_xdist_node_collection_finished(node: object, ids: list[str]) -> None:
    """pytest-xdist groups by a suffix its worker writes into each node id; when a pytest release stops
    honouring that write (pytest-dev/pytest-xdist#1386), engine tests silently run on both workers at once
    and the kill tests break the others. Stop the run rather than run them like that."""
    ungrouped = [i for i in ids if i.startswith("tests/integration/") and not i.endswith("@engines")]
    if ungrouped and node.config.getvalue("dist") == "loadgroup":  # type: ignore[attr-defined]
        pytest.exit(
            f"--dist loadgroup did not take effect ({ungrouped[0]} has no @engines suffix): this pytest and "
            "pytest-xdist do not work together; install the versions pyproject.toml pins",
            returncode=4,
        )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    if not (report.skipped and engines.in_ci()) or hasattr(report, "wasxfail"):
        return
    reason = str(report.longrepr[2]) if isinstance(report.longrepr, tuple) else str(report.longrepr)
    if engines.ENGINE_SKIP_PREFIX in reason or item.get_closest_marker("requires_engine") is not None:
        report.outcome = "failed"
        report.longrepr = f"CI=true: a skipped engine test is a failure ({reason})"


def _require(fn: object) -> None:
    try:
        fn()  # type: ignore[operator]
    except engines.EngineUnavailable as exc:
        pytest.skip(str(exc))


@dataclass(frozen=True)
class SlurmCluster:
    partition: str
    gpus: int
    start_seconds: float


@dataclass(frozen=True)
class RayCluster:
    address: str  # the Jobs API (dashboard) address, e.g. http://127.0.0.1:8265
    start_seconds: float


@pytest.fixture(scope="session")
def slurm_cluster() -> Iterator[SlurmCluster]:
    """A single-node Slurm 22.05 cluster on 127.0.0.1 with 2 fake GPUs (gres/gpu) and sacct."""
    started: list[float] = []
    _require(lambda: started.append(engines.acquire("slurm")))
    try:
        yield SlurmCluster(
            partition="debug", gpus=int(os.environ.get("SLURM_NGPU", "2")), start_seconds=started[0]
        )
    finally:
        engines.release("slurm")


@pytest.fixture(scope="session")
def ray_cluster() -> Iterator[RayCluster]:
    """A local Ray head on 127.0.0.1 (Jobs API on :8265)."""
    started: list[float] = []
    _require(lambda: started.append(engines.acquire("ray")))
    try:
        yield RayCluster(address=engines.RAY_ADDRESS, start_seconds=started[0])
    finally:
        engines.release("ray")


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """URL of a fresh PostgreSQL database for this session (dropped at the end) on 127.0.0.1."""
    _require(lambda: engines.acquire("pg"))
    base = engines.postgres_url_from_env()
    import psycopg

    name = f"tender_test_{os.getpid()}_{secrets.token_hex(3)}"
    try:
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        url = base.rsplit("/", 1)[0] + "/" + name
    except psycopg.Error:
        name, url = "", base  # the role may not create databases: share the base one
    try:
        yield url
    finally:
        if name:
            try:
                with psycopg.connect(base, autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            except psycopg.Error:
                pass
        engines.release("pg")


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Path of Debian's Chromium for Playwright (`executable_path=`)."""
    path: list[str] = []
    _require(lambda: path.append(str(engines.chromium_path())))
    return path[0]


@pytest.fixture(scope="session")
def focus_validator_path() -> Path:
    """The FinOps Foundation's focus-validator 1.0.0, in its own venv (tests/focus_validator.py)."""
    import focus_validator

    path: list[Path] = []
    _require(lambda: path.append(focus_validator.executable()))
    return path[0]
