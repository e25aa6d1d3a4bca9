"""The Slurm client against a scripted command runner: parsing, states, refusals, unreachable controller."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

import pytest

from tender.backends.process import CommandResult
from tender.backends.slurm.client import SlurmBackend, map_state, parse_nodes, parse_sacct
from tender.backends.slurm.render import SlurmTarget
from tender.ports import EngineUnreachable, Reachability, RunRequest, RunState, SubmitRefused


class Script:
    def __init__(self, answers: Mapping[str, CommandResult]) -> None:
        self.answers = answers
        self.calls: list[tuple[list[str], str | None]] = []

    def __call__(
        self, argv: Sequence[str], *, stdin: str | None = None, env: Mapping[str, str] | None = None
    ) -> CommandResult:
        self.calls.append((list(argv), stdin))
        return self.answers.get(argv[0], CommandResult(0, "", ""))


DOWN = CommandResult(1, "", "slurm_load_node error: Unable to contact slurm controller (connect failure)")


@pytest.mark.parametrize(
    ("raw", "state"),
    [
        ("PENDING", RunState.QUEUED),
        ("RUNNING", RunState.RUNNING),
        ("COMPLETED", RunState.SUCCEEDED),
        ("FAILED", RunState.FAILED),
        ("CANCELLED by 0", RunState.CANCELLED),
        ("NODE_FAIL", RunState.LOST),
        ("CANCELLED+", RunState.CANCELLED),
        ("WHATEVER", RunState.UNKNOWN),
    ],
)
def test_map_state(raw: str, state: RunState) -> None:
    assert map_state(raw) is state


def test_parse_sacct_reads_times_gpus_and_exit_codes() -> None:
    rows = parse_sacct(
        "7|COMPLETED|0:0|1700000000|1700000042|billing=1,cpu=1,gres/gpu=2,mem=256M,node=1|None\n"
        "8|FAILED|3:0|1700000000|1700000001|cpu=1|NonZeroExitCode\n"
        "9|NODE_FAIL|0:0|1700000000|1700000005|gres/gpu:a100=1|NodeDown\n"
        "10|PENDING|0:0|Unknown|Unknown||Resources\n"
    )
    assert rows["7"].state is RunState.SUCCEEDED and rows["7"].gpus == 2 and rows["7"].elapsed_seconds == 42
    assert rows["7"].started_at == datetime.fromtimestamp(1700000000, UTC)
    assert rows["8"].exit_code == 3 and rows["8"].state is RunState.FAILED
    assert rows["9"].state is RunState.LOST and rows["9"].gpus == 1
    assert (
        rows["10"].state is RunState.QUEUED
        and rows["10"].started_at is None
        and rows["10"].reason == "Resources"
    )


def test_parse_nodes_counts_free_gpus_and_degraded_nodes() -> None:
    ok = parse_nodes(
        "NodeName=vm State=MIXED Gres=gpu:2 AllocTRES=cpu=1,gres/gpu=1 Partitions=debug\n", "debug"
    )
    assert (ok.status, ok.total_gpus, ok.free_gpus) == (Reachability.OK, 2, 1)
    down = parse_nodes(
        "NodeName=vm State=DOWN+NOT_RESPONDING Gres=gpu:2 AllocTRES= Partitions=debug\n", "debug"
    )
    assert down.status is Reachability.DEGRADED and "NOT_RESPONDING" in down.reason
    assert parse_nodes("NodeName=vm State=IDLE Partitions=other\n", "debug").status is Reachability.DEGRADED


def test_submit_pipes_the_rendered_script_and_returns_the_job_id(tmp_path: object) -> None:
    runner = Script({"sbatch": CommandResult(0, "42\n", "")})
    backend = SlurmBackend(SlurmTarget(partition="debug", log_dir=str(tmp_path)), runner=runner)
    assert backend.submit(RunRequest("tender-a-1", "a", 1, "echo hi", gpus=2)) == "42"
    argv, stdin = runner.calls[0]
    assert argv == ["sbatch", "--parsable"] and stdin is not None and "--gres=gpu:2" in stdin


def test_submit_refusal_names_slurms_reason(tmp_path: object) -> None:
    runner = Script(
        {"sbatch": CommandResult(1, "", "sbatch: error: Requested node configuration is not available")}
    )
    backend = SlurmBackend(SlurmTarget(log_dir=str(tmp_path)), runner=runner)
    with pytest.raises(SubmitRefused, match="Requested node configuration"):
        backend.submit(RunRequest("k", "a", 1, "true", gpus=99))


def test_unreachable_controller_is_a_report_not_a_traceback() -> None:
    backend = SlurmBackend(SlurmTarget(), runner=Script({"scontrol": DOWN, "squeue": DOWN, "sacct": DOWN}))
    report = backend.capacity()
    assert report.status is Reachability.UNREACHABLE and "Unable to contact slurm controller" in report.reason
    with pytest.raises(EngineUnreachable):
        backend.status(["1"])


def test_status_waits_for_accounting_when_squeue_already_says_done() -> None:
    runner = Script(
        {"sacct": CommandResult(0, "", ""), "squeue": CommandResult(0, "5|COMPLETED|None|1|2\n", "")}
    )
    status = SlurmBackend(SlurmTarget(), runner=runner).status(["5", "6"])
    assert status["5"].state is RunState.RUNNING and status["6"].state is RunState.UNKNOWN


def test_with_a_lease_the_script_execs_the_fence_wrapper_around_the_command(tmp_path: object) -> None:
    import shlex
    from pathlib import Path

    from tender.fence.lease import LeaseSettings

    lease = LeaseSettings(Path(str(tmp_path)) / "leases", lease=7.0, renew=1.5, grace=4.0, python="/opt/py")
    script = Script({"sbatch": CommandResult(0, "42\n", "")})
    backend = SlurmBackend(SlurmTarget(log_dir=str(tmp_path)), runner=script, lease=lease)
    backend.submit(RunRequest("tender-x-1", "x", 1, "echo 'a b' && sleep 1", gpus=1))
    last = [line for line in (script.calls[0][1] or "").splitlines() if line][-1]
    argv = shlex.split(last)
    assert argv[:4] == ["exec", "/opt/py", "-m", "tender.fence.wrapper"]
    assert argv[argv.index("--dir") + 1] == str((lease.root / "tender-x-1").resolve())
    assert argv[argv.index("--lease") + 1 :][:5] == ["7.0", "--renew", "1.5", "--grace", "4.0"]
    assert argv[-4:] == ["--", "bash", "-c", "echo 'a b' && sleep 1"]  # the command, verbatim
    assert (lease.root / "tender-x-1" / "timings").exists()
