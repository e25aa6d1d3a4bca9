"""Slurm adapter: sbatch / squeue / sacct / scontrol / scancel through an injectable command runner.

1. `submit` renders the batch script (pure, `render.py`) and pipes it to `sbatch --parsable`; with a lease
   (`tender.fence`) the command runs under the fence wrapper (`exec python -m tender.fence.wrapper ...`).
2. `status` reads `sacct` (accounting: state, exit code, engine start/end, allocated GPUs) and falls back
   to `squeue` for attempts sacct does not show yet (it lags slurmctld by about a second) or at all.
3. `capacity` reads `scontrol show node -o`: GPUs per node (Gres) and in use (AllocTRES gres/gpu),
   and whether any node of the partition can run work. A controller that does not answer is `unreachable`.
"""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from tender.backends.process import CommandResult, Runner, run_command
from tender.backends.slurm.render import SlurmTarget, render_sbatch
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
    "REQUEUED": RunState.QUEUED,
    "CONFIGURING": RunState.RUNNING,
    "RUNNING": RunState.RUNNING,
    "COMPLETING": RunState.RUNNING,
    "SUSPENDED": RunState.RUNNING,
    "COMPLETED": RunState.SUCCEEDED,
    "FAILED": RunState.FAILED,
    "OUT_OF_MEMORY": RunState.FAILED,
    "TIMEOUT": RunState.FAILED,
    "CANCELLED": RunState.CANCELLED,
    "NODE_FAIL": RunState.LOST,
    "BOOT_FAIL": RunState.LOST,
    "PREEMPTED": RunState.LOST,
    "DEADLINE": RunState.FAILED,
}
_BAD_NODE = ("DOWN", "DRAIN", "NOT_RESPONDING", "FAIL", "INVAL", "POWER", "UNKNOWN", "FUTURE")
_UNREACHABLE = (
    "Unable to contact slurm controller",
    "Socket timed out",
    "Connection refused",
    "command not found",
)
_TIME_ENV = {"SLURM_TIME_FORMAT": "%s"}


def map_state(raw: str) -> RunState:
    return _STATES.get(raw.split()[0].rstrip("+") if raw.strip() else "", RunState.UNKNOWN)


def _epoch(raw: str) -> datetime | None:
    return datetime.fromtimestamp(int(raw), UTC) if raw.isdigit() and int(raw) > 0 else None


def _gpus_in_tres(tres: str) -> int | None:
    match = re.search(r"gres/gpu(?::[^=,]+)?=(\d+)", tres)
    return int(match.group(1)) if match else None


def _exit_code(raw: str) -> int | None:
    code, _, signal = raw.partition(":")
    if not code.isdigit():
        return None
    return 128 + int(signal) if signal.isdigit() and int(signal) and not int(code) else int(code)


def parse_sacct(text: str) -> dict[str, RunStatus]:
    """Rows of `sacct -n -X -P -o JobIDRaw,State,ExitCode,Start,End,AllocTRES,Reason` (epoch times)."""
    out: dict[str, RunStatus] = {}
    for line in text.splitlines():
        parts = line.split("|")
        if len(parts) < 7:
            continue
        handle, state, code, start, end, tres, reason = parts[:7]
        nodes = parts[7] if len(parts) > 7 else ""
        run_state = map_state(state)
        out[handle] = RunStatus(
            handle=handle,
            state=run_state,
            exit_code=_exit_code(code) if run_state.final else None,
            reason=state
            if run_state in {RunState.LOST, RunState.FAILED}
            else ("" if reason == "None" else reason),
            started_at=_epoch(start),
            ended_at=_epoch(end) if run_state.final else None,
            gpus=_gpus_in_tres(tres),
            node=nodes if nodes not in ("", "None assigned") else None,
        )
    return out


def parse_squeue(text: str) -> dict[str, RunStatus]:
    """Rows of `squeue -h -t all -o %i|%T|%r|%S|%e` (epoch times)."""
    out: dict[str, RunStatus] = {}
    for line in text.splitlines():
        parts = line.strip().split("|")
        if len(parts) < 5:
            continue
        handle, state, reason, start, end = parts[:5]
        run_state = map_state(state)
        out[handle] = RunStatus(
            handle=handle,
            state=run_state,
            reason="" if reason == "None" else reason,
            started_at=_epoch(start) if run_state is not RunState.QUEUED else None,
            ended_at=_epoch(end) if run_state.final else None,
        )
    return out


def parse_nodes(text: str, partition: str | None) -> CapacityReport:
    """`scontrol show node -o` -> GPUs total/free on usable nodes, or `degraded` with the nodes' states."""
    total = free = 0
    bad: list[str] = []
    seen = 0
    for line in text.splitlines():
        fields = dict(item.split("=", 1) for item in line.split() if "=" in item)
        if partition and partition not in fields.get("Partitions", "").split(","):
            continue
        seen += 1
        state = fields.get("State", "UNKNOWN")
        name = fields.get("NodeName", "?")
        gres_match = re.search(r"gpu(?::[^:(,]+)?:(\d+)", fields.get("Gres", ""))
        gpus = int(gres_match.group(1)) if gres_match else 0
        if any(flag in state for flag in _BAD_NODE):
            bad.append(f"node {name} {state}")
            continue
        used = _gpus_in_tres(fields.get("AllocTRES", "")) or 0
        total += gpus
        free += max(0, gpus - used)
    if seen == 0:
        where = f"partition {partition}" if partition else "the cluster"
        return CapacityReport(Reachability.DEGRADED, reason=f"no nodes in {where}")
    if total == 0 and bad:
        return CapacityReport(Reachability.DEGRADED, reason="; ".join(bad))
    return CapacityReport(Reachability.OK, total_gpus=total, free_gpus=free, reason="; ".join(bad))


class SlurmBackend:
    """Runs attempts as Slurm batch jobs (CLI tools on this machine, e.g. a login node)."""

    kind = "slurm"

    def __init__(
        self,
        target: SlurmTarget,
        runner: Runner = run_command,
        accounting: bool = True,
        lease: LeaseSettings | None = None,
    ) -> None:
        self.target = target
        self._run = runner
        self._accounting = accounting
        self.lease = lease

    def _checked(self, result: CommandResult, what: str) -> CommandResult:
        if result.returncode != 0 and any(s in result.stderr + result.stdout for s in _UNREACHABLE):
            raise EngineUnreachable(f"slurm: {what}: {result.last_error_line()}")
        return result

    def submit(self, request: RunRequest) -> str:
        Path(self.target.log_dir).mkdir(parents=True, exist_ok=True)
        os.chmod(self.target.log_dir, 0o1777)  # jobs may run as another user
        if self.lease is not None:
            self.lease.prepare(request.key)
            wrapped = self.lease.wrap_argv(request.key, ["bash", "-c", request.command])
            request = replace(request, command="exec " + shlex.join(wrapped))
        result = self._run(["sbatch", "--parsable"], stdin=render_sbatch(request, self.target))
        if result.returncode != 0:
            raise SubmitRefused(f"sbatch: {result.last_error_line()}")
        return result.stdout.strip().split(";")[0]

    def find(self, key: str) -> str | None:
        result = self._checked(self._run(["squeue", "-h", "-t", "all", "--name", key, "-o", "%i"]), "squeue")
        ids = result.stdout.split()
        if not ids and self._accounting:
            acct = self._run(["sacct", "-n", "-X", "-P", "--name", key, "-S", "now-7days", "-o", "JobIDRaw"])
            ids = acct.stdout.split() if acct.returncode == 0 else []
        return ids[-1] if ids else None

    def status(self, handles: Sequence[str]) -> Mapping[str, RunStatus]:
        if not handles:
            return {}
        ids = ",".join(handles)
        found: dict[str, RunStatus] = {}
        if self._accounting:
            fields = "JobIDRaw,State,ExitCode,Start,End,AllocTRES,Reason,NodeList"
            acct = self._run(["sacct", "-n", "-X", "-P", "-j", ids, "-o", fields], env=_TIME_ENV)
            if acct.returncode == 0:
                found = parse_sacct(acct.stdout)
        missing = [h for h in handles if h not in found]
        if missing:
            queue = self._checked(
                self._run(
                    ["squeue", "-h", "-t", "all", "-j", ",".join(missing), "-o", "%i|%T|%r|%S|%e"],
                    env=_TIME_ENV,
                ),
                "squeue",
            )
            live = parse_squeue(queue.stdout) if queue.returncode == 0 else {}
            for handle in missing:
                status = live.get(handle)
                if status is not None and status.state.final and self._accounting:
                    status = RunStatus(handle, RunState.RUNNING, reason="waiting for accounting")
                found[handle] = status or RunStatus(handle, RunState.UNKNOWN)
        return self._on_dead_nodes({h: found[h] for h in handles})

    def _on_dead_nodes(self, statuses: dict[str, RunStatus]) -> dict[str, RunStatus]:
        """A running job whose node stopped answering (slurmd killed, node down) is lost: Slurm would only
        notice after SlurmdTimeout, and its batch step may never report back."""
        running = [st for st in statuses.values() if st.state is RunState.RUNNING and st.node]
        if not running:
            return statuses
        result = self._run(["scontrol", "show", "node", "-o"])
        if result.returncode != 0:
            return statuses
        bad: dict[str, str] = {}
        for line in result.stdout.splitlines():
            fields = dict(item.split("=", 1) for item in line.split() if "=" in item)
            state = fields.get("State", "")
            if any(flag in state for flag in ("DOWN", "NOT_RESPONDING", "FAIL")):
                bad[fields.get("NodeName", "")] = state
        for st in running:
            dead = [f"node {n} {bad[n]}" for n in (st.node or "").split(",") if n in bad]
            if dead:
                statuses[st.handle] = replace(st, state=RunState.LOST, reason="; ".join(dead))
        return statuses

    def cancel(self, handle: str) -> None:
        self._checked(self._run(["scancel", handle]), "scancel")

    def logs(self, handle: str) -> str:
        path = Path(self.target.log_dir) / f"{handle}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def capacity(self) -> CapacityReport:
        result = self._run(["scontrol", "show", "node", "-o"])
        if result.returncode != 0:
            return CapacityReport(Reachability.UNREACHABLE, reason=f"slurm: {result.last_error_line()}")
        return parse_nodes(result.stdout, self.target.partition)
