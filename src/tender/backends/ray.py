"""Ray adapter: the Ray Jobs SDK (`JobSubmissionClient`) against a cluster's dashboard address.

1. `submit` sends the command (under the fence wrapper, `tender.fence`, when the adapter has a lease) as
   the job entrypoint with `submission_id` = the attempt key (so a restarted
   runtime finds it), GPUs as `entrypoint_num_gpus`, the environment as `runtime_env.env_vars`.
2. `status` reads `get_job_info`: Ray's own start/end times (ms) are the metering source.
3. `capacity` reads the dashboard's `/api/cluster_status` (GPU used/total); no answer = `unreachable`.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import httpx

from tender.fence.lease import LeaseSettings
from tender.ports import (
    CapacityReport,
    EngineUnreachable,
    Reachability,
    RunRequest,
    RunState,
    RunStatus,
    SubmitRefused,
)

_STATES: Mapping[str, RunState] = {
    "PENDING": RunState.QUEUED,
    "RUNNING": RunState.RUNNING,
    "SUCCEEDED": RunState.SUCCEEDED,
    "FAILED": RunState.FAILED,
    "STOPPED": RunState.CANCELLED,
}
ClientFactory = Callable[[str], Any]


def _sdk_client(address: str) -> Any:
    from ray.job_submission import JobSubmissionClient

    return JobSubmissionClient(address)


def _ms(value: int | None) -> datetime | None:
    return datetime.fromtimestamp(value / 1000, UTC) if value else None


def to_status(handle: str, info: Any) -> RunStatus:
    """A Ray `JobDetails` -> RunStatus. A FAILED job without a driver exit code never ran its command: lost."""
    raw = str(getattr(info.status, "value", info.status))
    state = _STATES.get(raw, RunState.UNKNOWN)
    exit_code = getattr(info, "driver_exit_code", None)
    if state is RunState.FAILED and exit_code is None:
        state = RunState.LOST
    if state is RunState.SUCCEEDED and exit_code is None:
        exit_code = 0
    return RunStatus(
        handle=handle,
        state=state,
        exit_code=exit_code if state.final else None,
        reason=(info.message or "") if state in {RunState.FAILED, RunState.LOST} else "",
        started_at=_ms(info.start_time) if state is not RunState.QUEUED else None,
        ended_at=_ms(info.end_time) if state.final else None,
        gpus=int(info.entrypoint_num_gpus) if getattr(info, "entrypoint_num_gpus", None) else None,
    )


class RayBackend:
    kind = "ray"

    def __init__(
        self,
        address: str,
        client_factory: ClientFactory = _sdk_client,
        timeout: float = 5.0,
        lease: LeaseSettings | None = None,
    ) -> None:
        self.lease = lease
        self.address = address if "://" in address else f"http://{address}"
        self._factory = client_factory
        self._client: Any = None
        self._timeout = timeout

    def _sdk(self) -> Any:
        if self._client is None:
            try:
                self._client = self._factory(self.address)
            except Exception as exc:  # the SDK raises ConnectionError, RuntimeError, ...
                raise EngineUnreachable(f"ray {self.address}: {_one_line(exc)}") from None
        return self._client

    def submit(self, request: RunRequest) -> str:
        env = {
            "TENDER_JOB_ID": request.job_id,
            "TENDER_ATTEMPT": str(request.attempt),
            "TENDER_RUN_KEY": request.key,
            **request.env,
        }
        entrypoint = request.command
        if self.lease is not None:
            self.lease.prepare(request.key)
            entrypoint = "exec " + shlex.join(self.lease.wrap_argv(request.key, ["bash", "-c", entrypoint]))
        try:
            client = self._sdk()
            return str(
                client.submit_job(
                    entrypoint=entrypoint,
                    submission_id=request.key,
                    entrypoint_num_gpus=request.gpus or None,
                    runtime_env={
                        "env_vars": dict(env),
                        **({"working_dir": request.workdir} if request.workdir else {}),
                    },
                    metadata={"tender_job": request.job_id, "tender_attempt": str(request.attempt)},
                )
            )
        except EngineUnreachable as exc:
            raise SubmitRefused(str(exc)) from None
        except Exception as exc:
            self._client = None
            raise SubmitRefused(f"ray: {_one_line(exc)}") from None

    def find(self, key: str) -> str | None:
        try:
            self._sdk().get_job_info(key)
        except EngineUnreachable:
            raise
        except Exception as exc:
            if "does not exist" in str(exc) or "404" in str(exc):
                return None
            self._client = None
            raise EngineUnreachable(f"ray {self.address}: {_one_line(exc)}") from None
        return key

    def status(self, handles: Sequence[str]) -> Mapping[str, RunStatus]:
        out: dict[str, RunStatus] = {}
        for handle in handles:
            try:
                out[handle] = to_status(handle, self._sdk().get_job_info(handle))
            except EngineUnreachable:
                raise
            except Exception as exc:
                if "does not exist" in str(exc) or "404" in str(exc):
                    out[handle] = RunStatus(handle, RunState.UNKNOWN)
                    continue
                self._client = None
                raise EngineUnreachable(f"ray {self.address}: {_one_line(exc)}") from None
        return out

    def cancel(self, handle: str) -> None:
        try:
            self._sdk().stop_job(handle)
        except EngineUnreachable:
            raise
        except Exception as exc:
            if "does not exist" not in str(exc):
                raise EngineUnreachable(f"ray {self.address}: {_one_line(exc)}") from None

    def logs(self, handle: str) -> str:
        try:
            return str(self._sdk().get_job_logs(handle))
        except EngineUnreachable:
            raise
        except Exception as exc:
            return f"(no logs: {_one_line(exc)})"

    def capacity(self) -> CapacityReport:
        try:
            response = httpx.get(f"{self.address}/api/cluster_status", timeout=self._timeout)
            response.raise_for_status()
            usage = response.json()["data"]["clusterStatus"]["loadMetricsReport"]["usage"]
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
            return CapacityReport(Reachability.UNREACHABLE, reason=f"ray {self.address}: {_one_line(exc)}")
        used, total = (usage.get("GPU") or [0.0, 0.0])[:2]
        if not usage:
            return CapacityReport(Reachability.DEGRADED, reason=f"ray {self.address}: no nodes reported yet")
        return CapacityReport(Reachability.OK, total_gpus=int(total), free_gpus=max(0, int(total - used)))


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}".strip()
