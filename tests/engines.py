"""Start, find and stop the real engines (Slurm, Ray, PostgreSQL, Chromium) for tests.

Flow (one engine; all of it under one machine-wide file lock so that concurrent pytest sessions agree):

1. `acquire(name)` checks whether the engine already answers (health probe).
2. If not, and this machine can run it (root, Debian tooling, the script exists), it runs
   `tools/ci/<name>-up.sh` and writes a marker "started by tests".
3. Either way this session registers itself as a user (a file named by its pid).
4. `release(name)` unregisters; when no live session uses the engine any more and the tests started
   it, it runs `tools/ci/<name>-down.sh`. An engine found running (CI, a developer's own) is never stopped.
5. Anything that prevents a start raises `EngineUnavailable` with a one-line reason; the fixtures turn it
   into a skip that `tests/conftest.py` turns into a failure under `CI=true`.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from tender.ports import Backend, CapacityReport, Reachability, RunRequest, RunStatus

if TYPE_CHECKING:
    from tender.runtime.driver import Runtime

REPO = Path(__file__).resolve().parents[1]
TOOLS = REPO / "tools" / "ci"
STATE = Path(os.environ.get("TENDER_ENGINE_STATE", "/tmp/tender-test-engines"))
ENGINE_SKIP_PREFIX = "engine unavailable:"
RAY_ADDRESS = "http://127.0.0.1:8265"
CHROMIUM = Path("/usr/bin/chromium")
DEFAULT_PG_URL = "postgresql://app:app@127.0.0.1:55432/appdb"


class EngineUnavailable(RuntimeError):
    """The engine is not running here and cannot be started; the message is one line."""


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@contextlib.contextmanager
def _lock() -> Iterator[None]:
    STATE.mkdir(parents=True, exist_ok=True)
    with open(STATE / "lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _run(
    cmd: list[str], *, timeout: float, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env, check=False)


# ---- health probes -----------------------------------------------------------------------


def slurm_healthy() -> bool:
    if shutil.which("sinfo") is None:
        return False
    try:
        ping = _run(["scontrol", "ping"], timeout=10)
        if ping.returncode != 0 or "UP" not in ping.stdout:
            return False
        states = _run(["sinfo", "-h", "-o", "%T"], timeout=10).stdout.split()
    except (OSError, subprocess.TimeoutExpired):
        return False
    return any(
        s.rstrip("*") in {"idle", "mixed", "allocated", "completing"} and not s.endswith("*") for s in states
    )


def _raylet_alive() -> bool:
    """A live (not zombie) process named `raylet`: after a test kills it, the head's Jobs API keeps
    answering for a while, but no task can run."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            head, tail = stat.read_text().split(") ", 1)  # "PID (COMM) STATE ..."
        except (OSError, ValueError):
            continue  # the process ended while we looked
        if head.split(" (", 1)[-1] == "raylet" and not tail.startswith("Z"):
            return True
    return False


def ray_healthy() -> bool:
    try:
        with urllib.request.urlopen(f"{RAY_ADDRESS}/api/version", timeout=2) as response:
            answers = bool(response.status == 200)
    except OSError:
        return False
    return answers and _raylet_alive()


def postgres_url_from_env() -> str:
    return os.environ.get("TENDER_TEST_DATABASE_URL", DEFAULT_PG_URL)


def postgres_healthy(url: str | None = None) -> bool:
    try:
        import psycopg
    except ImportError:
        return False
    try:
        with psycopg.connect(url or postgres_url_from_env(), connect_timeout=3) as conn:
            conn.execute("SELECT 1")
        return True
    except psycopg.Error:
        return False


PROBES = {"slurm": slurm_healthy, "ray": ray_healthy, "pg": postgres_healthy}


# ---- start / stop --------------------------------------------------------------------------


def _script_env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("RAY_VENV", sys.prefix)
    env.setdefault("RAY_TMP", "/tmp/ci-ray")
    env.setdefault("PGROOT", "/var/tmp/ci-pg")
    return env


def _can_start(name: str) -> None:
    script = TOOLS / f"{name}-up.sh"
    if not script.exists():
        raise EngineUnavailable(f"{ENGINE_SKIP_PREFIX} {name}: {script} is missing")
    if name in {"slurm", "pg"} and os.geteuid() != 0:
        raise EngineUnavailable(
            f"{ENGINE_SKIP_PREFIX} {name}: starting it needs root (tools/ci/{name}-up.sh)"
        )
    if name == "slurm" and shutil.which("sinfo") is None and shutil.which("apt-get") is None:
        raise EngineUnavailable(f"{ENGINE_SKIP_PREFIX} slurm: not installed and no apt-get to install it")
    if (
        name == "pg"
        and not Path("/usr/lib/postgresql/15/bin/initdb").exists()
        and shutil.which("apt-get") is None
    ):
        raise EngineUnavailable(
            f"{ENGINE_SKIP_PREFIX} postgresql: not installed and no apt-get to install it"
        )
    if name == "ray" and not (Path(sys.prefix) / "bin" / "ray").exists():
        raise EngineUnavailable(
            f"{ENGINE_SKIP_PREFIX} ray: no `ray` in {sys.prefix} (pip install 'ray[default]')"
        )


def run_up(name: str, timeout: float = 600) -> str:
    """Run tools/ci/<name>-up.sh; returns its stdout. Raises EngineUnavailable with the script's last line."""
    try:
        done = _run([str(TOOLS / f"{name}-up.sh")], timeout=timeout, env=_script_env())
    except subprocess.TimeoutExpired:
        raise EngineUnavailable(
            f"{ENGINE_SKIP_PREFIX} {name}: {name}-up.sh took over {timeout:.0f} s"
        ) from None
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines() or done.stdout.strip().splitlines() or ["no output"]
        # the script's own line first, then the last line of the log it may have tailed
        said = lines[0] if len(lines) == 1 else f"{lines[0]} ... {lines[-1]}"
        raise EngineUnavailable(
            f"{ENGINE_SKIP_PREFIX} {name}: {name}-up.sh failed ({done.returncode}): {said}"
        )
    return done.stdout


def run_down(name: str, timeout: float = 120) -> None:
    _run([str(TOOLS / f"{name}-down.sh")], timeout=timeout, env=_script_env())


def _users(name: str) -> Path:
    path = STATE / f"{name}.users"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _live_users(name: str) -> list[int]:
    live = []
    for entry in _users(name).iterdir():
        pid = int(entry.name)
        try:
            os.kill(pid, 0)
            live.append(pid)
        except ProcessLookupError:
            entry.unlink(missing_ok=True)
        except PermissionError:
            live.append(pid)
    return live


def acquire(name: str) -> float:
    """Make sure engine `name` runs; returns the seconds spent starting it (0.0 when it was running)."""
    with _lock():
        started = 0.0
        if not PROBES[name]():
            _can_start(name)
            t0 = time.monotonic()
            run_up(name)
            started = time.monotonic() - t0
            (STATE / f"{name}.started").write_text(str(os.getpid()))
        (_users(name) / str(os.getpid())).touch()
        return started


def release(name: str) -> None:
    """Unregister this session; stop the engine if tests started it and nobody else uses it."""
    with _lock():
        (_users(name) / str(os.getpid())).unlink(missing_ok=True)
        marker = STATE / f"{name}.started"
        if marker.exists() and not _live_users(name):
            run_down(name)
            marker.unlink(missing_ok=True)


def ensure_slurm_up() -> None:
    """Restart whatever Slurm daemon is down (after a test killed one); keeps the user registration."""
    with _lock():
        if not slurm_healthy():
            run_up("slurm")


def ensure_ray_up() -> None:
    """Restart the Ray head when its Jobs API does not answer (after a test killed a Ray daemon)."""
    with _lock():
        if not ray_healthy():
            run_down("ray")
            run_up("ray")


def chromium_path() -> Path:
    if not CHROMIUM.exists():
        raise EngineUnavailable(
            f"{ENGINE_SKIP_PREFIX} chromium: {CHROMIUM} missing (tools/ci/chromium-install.sh)"
        )
    return CHROMIUM


# ---- the runtime on real engines (tests/integration/test_engines_*.py) ----------------------------------

POOLS_YAML = """\
pools:
  - id: slurm-ci
    provider: owned-cluster
    gpu: h100
    gpus: 2
    backend: {kind: slurm, partition: debug}
  - id: ray-ci
    provider: neocloud
    gpu: h100
    gpus: 2
    backend: {kind: ray, address: "http://127.0.0.1:8265"}
exclusivity:
  training: owned-cluster
"""


class Paused:
    """Wraps a real backend; while `paused`, reports it degraded so the scheduler leaves it alone."""

    def __init__(self, inner: Backend) -> None:
        self.inner = inner
        self.kind = inner.kind
        self.paused = True

    @property
    def lease(self) -> object:  # the inner engine's fence settings (tender.runtime.fencing reads them)
        return getattr(self.inner, "lease", None)

    def submit(self, request: RunRequest) -> str:
        return self.inner.submit(request)

    def find(self, key: str) -> str | None:
        return self.inner.find(key)

    def status(self, handles: Sequence[str]) -> Mapping[str, RunStatus]:
        return self.inner.status(handles)

    def cancel(self, handle: str) -> None:
        self.inner.cancel(handle)

    def logs(self, handle: str) -> str:
        return self.inner.logs(handle)

    def capacity(self) -> CapacityReport:
        if self.paused:
            return CapacityReport(Reachability.DEGRADED, reason="paused by the test")
        return self.inner.capacity()


def tick_until(runtime: Runtime, done: object, timeout: float, interval: float = 0.5) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        runtime.tick()
        if done():  # type: ignore[operator]
            return
        time.sleep(interval)
    raise AssertionError(
        f"not done after {timeout} s: {[(j['id'], j['state'], j['reason']) for j in runtime.store.jobs()]}"
    )


def all_final(runtime: Runtime) -> bool:
    return not runtime.store.jobs(["queued", "running"])


def sacct_gpu_seconds(job_id: str) -> float:
    out = subprocess.run(
        ["sacct", "-n", "-X", "-P", "-j", job_id, "-o", "ElapsedRaw,AllocTRES"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    elapsed, tres = out.split("|")
    gpus = next((int(t.split("=")[1]) for t in tres.split(",") if t.startswith("gres/gpu")), 0)
    return float(elapsed) * gpus


def ray_gpu_seconds(address: str, submission_id: str, gpus: int) -> float:
    from ray.job_submission import JobSubmissionClient

    info = JobSubmissionClient(address).get_job_info(submission_id)
    return (info.end_time - info.start_time) / 1000 * gpus


def write_pools(tmp: Path) -> Path:
    path = tmp / "pools.yaml"
    path.write_text(POOLS_YAML)
    return path
