"""Local adapter: each attempt is a detached process on this machine (laptops, tests).

1. `submit` writes `<state_dir>/<key>/` and starts a wrapper in its own session: it records the start time,
   runs the command (output to `log`), then records the end time and exit code. The handle is the key.
2. `status` reads those files, so a restarted runtime still sees attempts started before it died; a
   wrapper that vanished without an exit code is `lost`.
3. `capacity` is the configured GPU count minus the GPUs of attempts still running.
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

from tender.ports import CapacityReport, Reachability, RunRequest, RunState, RunStatus, SubmitRefused

_WRAPPER = """\
date +%s.%N > "$D/started"
(cd "$W" && exec bash -c "$CMD") > "$D/log" 2>&1 < /dev/null
rc=$?
date +%s.%N > "$D/ended.tmp"
mv "$D/ended.tmp" "$D/ended"
echo "$rc" > "$D/rc.tmp" && mv "$D/rc.tmp" "$D/rc"
"""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/status") as handle:
            return not any(line.startswith("State:") and "Z" in line.split()[1] for line in handle)
    except OSError:
        return False


def _time(path: Path) -> datetime | None:
    try:
        return datetime.fromtimestamp(float(path.read_text().strip()), UTC)
    except (OSError, ValueError):
        return None


class LocalBackend:
    kind = "local"

    def __init__(self, state_dir: str | Path, gpus: int = 0) -> None:
        self.state_dir = Path(state_dir)
        self.gpus = gpus

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
        env = {
            **os.environ,
            **request.env,
            "TENDER_JOB_ID": request.job_id,
            "TENDER_ATTEMPT": str(request.attempt),
            "D": str(run_dir.resolve()),
            "W": request.workdir or str(run_dir.resolve()),
            "CMD": request.command,
        }
        if request.gpus and "CUDA_VISIBLE_DEVICES" not in request.env:  # the runtime assigns them per engine
            env["CUDA_VISIBLE_DEVICES"] = ",".join(str(i) for i in range(request.gpus))
        # Double fork: the wrapper is detached from this process (a restarted runtime finds it by its files).
        launcher = subprocess.run(
            ["bash", "-c", 'setsid bash -c "$WRAPPER" < /dev/null > /dev/null 2>&1 & echo $!'],
            env={**env, "WRAPPER": _WRAPPER},
            capture_output=True,
            text=True,
            check=True,
        )
        (run_dir / "pid").write_text(launcher.stdout.strip())
        return request.key

    def find(self, key: str) -> str | None:
        return key if (self._dir(key) / "pid").exists() else None

    def _one(self, handle: str) -> RunStatus:
        run_dir = self._dir(handle)
        if not (run_dir / "pid").exists():
            return RunStatus(handle, RunState.UNKNOWN)
        started = _time(run_dir / "started")
        gpus = int(json.loads((run_dir / "request.json").read_text()).get("gpus", 0))
        if (run_dir / "cancelled").exists():
            return RunStatus(
                handle,
                RunState.CANCELLED,
                started_at=started,
                ended_at=_time(run_dir / "cancelled") or started,
                gpus=gpus,
            )
        if (run_dir / "rc").exists():
            code = int((run_dir / "rc").read_text().strip() or "1")
            state = RunState.SUCCEEDED if code == 0 else RunState.FAILED
            return RunStatus(
                handle,
                state,
                exit_code=code,
                started_at=started,
                ended_at=_time(run_dir / "ended"),
                gpus=gpus,
            )
        if _alive(int((run_dir / "pid").read_text())):
            return RunStatus(handle, RunState.RUNNING, started_at=started, gpus=gpus)
        return RunStatus(
            handle,
            RunState.LOST,
            reason="process vanished without an exit code",
            started_at=started,
            ended_at=None,  # unknown: the runtime bills it up to when it noticed (tender.runtime.meter 1b)
            gpus=gpus,
        )

    def status(self, handles: Sequence[str]) -> Mapping[str, RunStatus]:
        return {handle: self._one(handle) for handle in handles}

    def cancel(self, handle: str) -> None:
        run_dir = self._dir(handle)
        if not (run_dir / "pid").exists() or (run_dir / "rc").exists():
            return
        (run_dir / "cancelled").write_text(f"{datetime.now(UTC).timestamp():.6f}")
        pid = int((run_dir / "pid").read_text())
        if _alive(pid):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGTERM)

    def logs(self, handle: str) -> str:
        path = self._dir(handle) / "log"
        return path.read_text(errors="replace") if path.exists() else ""

    def capacity(self) -> CapacityReport:
        used = 0
        if self.state_dir.exists():
            for run_dir in self.state_dir.iterdir():
                if (run_dir / "pid").exists() and self._one(run_dir.name).state is RunState.RUNNING:
                    used += int(json.loads((run_dir / "request.json").read_text()).get("gpus", 0))
        return CapacityReport(Reachability.OK, total_gpus=self.gpus, free_gpus=max(0, self.gpus - used))
