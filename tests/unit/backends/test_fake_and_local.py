"""The fake backend (clock-driven) and the local backend (real processes, short)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tender.backends import FakeBackend, LocalBackend, UnknownBackend, make_backend
from tender.clocks import ManualClock
from tender.domain.provider import BackendSpec
from tender.ports import EngineUnreachable, Reachability, RunRequest, RunState, SubmitRefused


def test_fake_runs_for_its_duration_then_succeeds() -> None:
    clock = ManualClock()
    fake = FakeBackend(clock, gpus=4, durations={"a": 10})
    handle = fake.submit(RunRequest("tender-a-1", "a", 1, "x", gpus=2))
    assert fake.status([handle])[handle].state is RunState.RUNNING
    assert fake.capacity().free_gpus == 2
    clock.advance(10)
    status = fake.status([handle])[handle]
    assert status.state is RunState.SUCCEEDED and status.elapsed_seconds == 10
    assert fake.capacity().free_gpus == 4


def test_fake_lose_refuse_and_unreachable() -> None:
    clock = ManualClock()
    fake = FakeBackend(clock)
    handle = fake.submit(RunRequest("k1", "a", 1, "x", gpus=1))
    fake.lose(handle, "slurmd killed")
    assert fake.status([handle])[handle].state is RunState.LOST
    fake.refuse = "no"
    with pytest.raises(SubmitRefused):
        fake.submit(RunRequest("k2", "a", 2, "x", gpus=1))
    fake.reachable = False
    assert fake.capacity().status is Reachability.UNREACHABLE
    with pytest.raises(EngineUnreachable):
        fake.status([handle])


def _wait_final(backend: LocalBackend, handle: str) -> RunState:
    for _ in range(100):
        state = backend.status([handle])[handle].state
        if state.final:
            return state
        time.sleep(0.05)
    return state


def test_local_runs_a_process_and_survives_a_new_adapter(tmp_path: Path) -> None:
    backend = LocalBackend(tmp_path, gpus=2)
    handle = backend.submit(
        RunRequest("tender-l-1", "l", 1, "echo $TENDER_JOB_ID $CUDA_VISIBLE_DEVICES", gpus=2)
    )
    assert _wait_final(backend, handle) is RunState.SUCCEEDED
    assert backend.logs(handle) == "l 0,1\n"
    again = LocalBackend(tmp_path, gpus=2)  # a restarted runtime reads the same files
    assert again.find("tender-l-1") == handle
    assert again.status([handle])[handle].exit_code == 0
    assert again.find("tender-l-9") is None


def test_local_failure_and_cancel(tmp_path: Path) -> None:
    backend = LocalBackend(tmp_path)
    failing = backend.submit(RunRequest("f", "f", 1, "exit 3", gpus=0))
    assert _wait_final(backend, failing) is RunState.FAILED
    sleeper = backend.submit(RunRequest("s", "s", 1, "sleep 30", gpus=0))
    backend.cancel(sleeper)
    assert _wait_final(backend, sleeper) is RunState.CANCELLED


def test_make_backend_kinds(tmp_path: Path) -> None:
    assert make_backend(BackendSpec("local", {"gpus": "2"}), tmp_path).kind == "local"
    assert make_backend(BackendSpec("slurm", {"partition": "debug"}), tmp_path).kind == "slurm"
    assert make_backend(BackendSpec("ray", {"address": "127.0.0.1:1"}), tmp_path).kind == "ray"
    with pytest.raises(UnknownBackend, match="choose one of"):
        make_backend(BackendSpec("k8s"), tmp_path)


def test_ray_unreachable_is_a_report(tmp_path: Path) -> None:
    report = make_backend(BackendSpec("ray", {"address": "127.0.0.1:1"}), tmp_path).capacity()
    assert report.status is Reachability.UNREACHABLE and "127.0.0.1:1" in report.reason


def test_local_cancel_reaches_the_command_when_both_wrapper_processes_are_gone(tmp_path: Path) -> None:
    import os
    import signal

    from tender.fence.lease import read_pids

    backend = LocalBackend(tmp_path)
    handle = backend.submit(RunRequest("k", "k", 1, f"echo $$ > {tmp_path}/cmd; exec sleep 30", gpus=0))
    for _ in range(200):
        pids = read_pids(backend.lease.dir(handle))
        if pids and (tmp_path / "cmd").exists() and (tmp_path / "cmd").read_text().strip():
            break
        time.sleep(0.05)
    command = int((tmp_path / "cmd").read_text())
    for role in ("keeper", "wrapper"):  # both at once: nobody is left to kill the command's tree
        os.kill(pids[role], signal.SIGKILL)
    time.sleep(0.3)
    assert Path(f"/proc/{command}").exists()
    assert backend.status([handle])[handle].state is RunState.RUNNING  # its group still holds the GPUs
    backend.cancel(handle)  # the leader is dead: the groups are signalled anyway
    for _ in range(100):
        try:
            if Path(f"/proc/{command}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z":
                break
        except OSError:
            break  # gone
        time.sleep(0.05)
    else:
        raise AssertionError("the command survived the cancel")
    assert _wait_final(backend, handle) is RunState.CANCELLED
