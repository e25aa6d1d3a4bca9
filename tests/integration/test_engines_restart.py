"""SIGKILL the runtime (`tender agent`) mid-run on real engines; after a restart every job is accounted
for exactly once: one successful attempt, one usage row, no second engine run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from engines import write_pools
from tender.runtime.session import open_runtime


def _tender(*args: str) -> list[str]:
    return [sys.executable, "-m", "tender.cli", *args]


def test_sigkilled_agent_restarts_without_losing_or_duplicating(
    slurm_restored: object, ray_cluster: object, tmp_path: Path
) -> None:
    state = str(tmp_path / "state")
    pools = str(write_pools(tmp_path))
    ids = []
    for i in range(6):
        spec = tmp_path / f"job{i}.yaml"
        spec.write_text(f"name: r{i}\ncommand: sleep {3 + i % 3}\ngpus: 1\nworkload_class: research\n")
        ids.append(
            subprocess.run(
                _tender("run", str(spec), "--state", state, "--pools", pools),
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
        )
    agent_log = tmp_path / "agent.log"  # what the agent said, shown when it placed nothing
    with agent_log.open("w") as log:  # the agent keeps its own copy of the descriptor
        agent = subprocess.Popen(
            _tender("agent", "--state", state, "--interval", "0.5"),
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
    try:
        runtime = open_runtime(state)
        # 3 min: in a full local run the engines may just have been (re)started by an earlier test
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and len(runtime.store.open_attempts()) < 3:
            time.sleep(0.2)
        assert runtime.store.open_attempts(), f"the agent placed nothing: {agent_log.read_text()[-2000:]}"
    finally:  # SIGKILL is the point of the test; it also cleans up when the assertion above fails
        os.kill(agent.pid, signal.SIGKILL)
        agent.wait()
    killed_with = {j["id"]: j["state"] for j in runtime.store.jobs()}
    t0 = time.monotonic()
    subprocess.run(
        _tender("agent", "--state", state, "--interval", "0.5", "--until-idle"),
        check=True,
        timeout=300,
        capture_output=True,
    )
    print(f"states at SIGKILL: {killed_with}; restart drained in {time.monotonic() - t0:.1f} s")
    jobs = {j["id"]: j for j in runtime.store.jobs()}
    assert {j["state"] for j in jobs.values()} == {"succeeded"}, [
        (j["id"], j["reason"]) for j in jobs.values()
    ]
    assert sorted(jobs) == sorted(ids)
    usage = runtime.store.usage_rows()
    assert sorted(u["job_id"] for u in usage) == sorted(ids)  # metered exactly once each
    for job_id in ids:
        attempts = runtime.store.attempts_of(job_id)
        assert [a["state"] for a in attempts].count("succeeded") == 1, attempts
        for attempt in attempts:  # other outcomes: refused by the engine, or killed before submitting
            if attempt["state"] != "succeeded":
                assert attempt["state"] == "refused", attempt
                status = runtime.backend(attempt["pool_id"]).status([attempt["key"]])
                assert not status[attempt["key"]].state.final or status[attempt["key"]].exit_code != 0
