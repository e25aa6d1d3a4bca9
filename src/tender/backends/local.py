"""Local adapter: each attempt is a detached process on this machine (laptops, tests).

1. `submit` writes `<state_dir>/<key>/` (request, `pid`, `log`) and starts the fence wrapper
   (`python -m tender.fence.wrapper`, `tender.fence`) in its own session; the wrapper records the command's
   start, end and exit code in the attempt's lease directory and kills the whole tree when its lease is
   revoked or lapses. The handle is the key.
2. `status` reads those files, so a restarted runtime still sees attempts started before it died: the
   wrapper's record is final; a live wrapper or keeper is running; neither alive nor a record is `lost`.
3. `cancel` signals the wrapper's process group even when its leader is gone, and the command's own
   group when no wrapper process is left to do it.
4. `capacity` is the configured GPU count minus the GPUs of attempts that may still hold them.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

from tender.clocks import SystemClock
from tender.fence.lease import LeaseSettings, read_pids, read_record, revoke, started_at
from tender.ports import CapacityReport, Reachability, RunRequest, RunState, RunStatus, SubmitRefused

_WALL = SystemClock()  # the wrapper stamps its files with the wall time: so does a cancel
# Detach: the background job of a non-interactive bash is no group leader, so setsid execs in place
# and $! is the wrapper's pid (a restarted runtime finds the attempt by its files).
_LAUNCH = 'cd "$1" || exit 1; log=$2; shift 2; setsid "$@" < /dev/null > "$log" 2>&1 & echo $!'


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/status") as handle:
            return not any(line.startswith("State:") and "Z" in line.split()[1] for line in handle)
    except OSError:
        return False


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _stamp(value: float | None) -> datetime | None:
    return datetime.fromtimestamp(value, UTC) if value is not None else None


class LocalBackend:
    kind = "local"

    def __init__(self, state_dir: str | Path, gpus: int = 0, lease: LeaseSettings | None = None) -> None:
        self.state_dir = Path(state_dir)
        self.gpus = gpus
        self.lease = lease or LeaseSettings(self.state_dir / "leases")

    def _dir(self, handle: str) -> Path:
        if "/" in handle or handle in {"", ".", ".."}:
            raise ValueError(f"bad local handle {handle!r}")
        return self.state_dir / handle

    def submit(self, request: RunRequest) -> str:
        run_dir = self._dir(request.key)
        try:
            run_dir.mkdir(parents=True, exist_ok=False)
        except FileExistsError:
            raise SubmitRefused(
                f"local: attempt {request.key} exists already", infrastructure=False
            ) from None
        (run_dir / "request.json").write_text(json.dumps({"job_id": request.job_id, "gpus": request.gpus}))
        self.lease.prepare(request.key)
        env = {
            **os.environ,
            **request.env,
            "TENDER_JOB_ID": request.job_id,
            "TENDER_ATTEMPT": str(request.attempt),
            "TENDER_RUN_KEY": request.key,
        }
        if request.gpus and "CUDA_VISIBLE_DEVICES" not in request.env:  # the runtime assigns them per engine
            env["CUDA_VISIBLE_DEVICES"] = ",".join(str(i) for i in range(request.gpus))
        workdir = request.workdir or str(run_dir.resolve())
        argv = self.lease.wrap_argv(request.key, ["bash", "-c", request.command])
        launcher = subprocess.run(
            ["bash", "-c", _LAUNCH, "launch", workdir, str((run_dir / "log").resolve()), *argv],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        (run_dir / "pid").write_text(launcher.stdout.strip())
        return request.key

    def find(self, key: str) -> str | None:
        return key if (self._dir(key) / "pid").exists() else None

    def _pids(self, handle: str) -> list[int]:
        """The wrapper, then (once it started them) the keeper."""
        pids = [int((self._dir(handle) / "pid").read_text())]
        keeper = read_pids(self.lease.dir(handle)).get("keeper")
        return pids + ([keeper] if keeper else [])

    def _holds(self, handle: str) -> bool:
        """May this attempt still run anything? (no record, and a wrapper process or its command lives)"""
        lease_dir = self.lease.dir(handle)
        if read_record(lease_dir) is not None:
            return False
        pgid = read_pids(lease_dir).get("command_pgid")
        return any(_alive(p) for p in self._pids(handle)) or (pgid is not None and _group_alive(pgid))

    def _one(self, handle: str) -> RunStatus:
        run_dir = self._dir(handle)
        if not (run_dir / "pid").exists():
            return RunStatus(handle, RunState.UNKNOWN)
        lease_dir = self.lease.dir(handle)
        gpus = int(json.loads((run_dir / "request.json").read_text()).get("gpus", 0))
        record = read_record(lease_dir)
        if record is not None:
            started, ended = _stamp(record.started), _stamp(record.ended)
            if record.exited:
                state = RunState.SUCCEEDED if record.rc == 0 else RunState.FAILED
            elif (run_dir / "cancelled").exists():
                state = RunState.CANCELLED
            else:
                state = RunState.LOST
            reason = "" if record.exited or state is RunState.CANCELLED else record.cause
            return RunStatus(
                handle,
                state,
                exit_code=record.rc,
                reason=reason,
                started_at=started,
                ended_at=ended,
                gpus=gpus,
            )
        started = _stamp(started_at(lease_dir))
        if self._holds(handle):
            return RunStatus(handle, RunState.RUNNING, started_at=started, gpus=gpus)
        if (run_dir / "cancelled").exists():  # cancelled before its wrapper got going
            ended = _stamp(float((run_dir / "cancelled").read_text()))
            return RunStatus(handle, RunState.CANCELLED, started_at=started, ended_at=ended, gpus=gpus)
        return RunStatus(
            handle,
            RunState.LOST,
            reason="wrapper vanished without a record",
            started_at=started,
            ended_at=None,  # unknown: the runtime bills it up to the last lease renewal (runtime.meter)
            gpus=gpus,
        )

    def status(self, handles: Sequence[str]) -> Mapping[str, RunStatus]:
        return {handle: self._one(handle) for handle in handles}

    def cancel(self, handle: str) -> None:
        run_dir = self._dir(handle)
        if not (run_dir / "pid").exists() or read_record(self.lease.dir(handle)) is not None:
            return
        now = _WALL.now().timestamp()  # the real clock: the wrapper compares it with its own time
        (run_dir / "cancelled").write_text(f"{now:.6f}")
        revoke(self.lease.dir(handle), now)  # a wrapper that misses the signal sees this at its next renewal
        wrapper, *rest = self._pids(handle)
        for kill, target in ((os.killpg, wrapper), (os.kill, wrapper)):  # the group, even without its leader
            with contextlib.suppress(ProcessLookupError, PermissionError):
                kill(target, signal.SIGTERM)
        if any(_alive(p) for p in [wrapper, *rest]):
            return  # a wrapper process kills the command's tree and writes the record
        pgid = read_pids(self.lease.dir(handle)).get("command_pgid")
        if pgid is not None:  # both wrapper processes were killed: nobody else will
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pgid, signal.SIGKILL)

    def logs(self, handle: str) -> str:
        path = self._dir(handle) / "log"
        return path.read_text(errors="replace") if path.exists() else ""

    def capacity(self) -> CapacityReport:
        used = 0
        if self.state_dir.exists():
            for run_dir in self.state_dir.iterdir():
                if (run_dir / "pid").exists() and self._holds(run_dir.name):
                    used += int(json.loads((run_dir / "request.json").read_text()).get("gpus", 0))
        return CapacityReport(Reachability.OK, total_gpus=self.gpus, free_gpus=max(0, self.gpus - used))
