"""Each engine answers a real action: an sbatch job with fake GPUs, a Ray job, a SQL round trip."""

from __future__ import annotations

import subprocess
import time

import pytest


def test_slurm_runs_a_gpu_job(slurm_cluster: object, tmp_path: object) -> None:
    out = subprocess.run(
        ["sbatch", "--parsable", "--gres=gpu:2", "-o", "/dev/null", "--wrap", "echo $CUDA_VISIBLE_DEVICES"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    deadline = time.monotonic() + 60
    state = ""
    while time.monotonic() < deadline:
        state = subprocess.run(
            ["sacct", "-n", "-X", "-P", "-j", out, "-o", "State"], capture_output=True, text=True
        ).stdout.strip()
        if state in {"COMPLETED", "FAILED", "CANCELLED"}:
            break
        time.sleep(0.5)
    assert state == "COMPLETED"


def test_ray_runs_a_job(ray_cluster: object) -> None:
    from ray.job_submission import JobSubmissionClient

    client = JobSubmissionClient(ray_cluster.address)  # type: ignore[attr-defined]
    job = client.submit_job(entrypoint="echo ok")
    deadline = time.monotonic() + 60
    while not (status := client.get_job_status(job)).is_terminal() and time.monotonic() < deadline:
        time.sleep(0.5)
    assert str(status) == "SUCCEEDED"


def test_postgres_round_trip(postgres_url: str) -> None:
    psycopg = pytest.importorskip("psycopg")
    with psycopg.connect(postgres_url) as conn:
        conn.execute("CREATE TABLE t (x int)")
        conn.execute("INSERT INTO t VALUES (41)")
        assert conn.execute("SELECT x + 1 FROM t").fetchone() == (42,)


def test_chromium_present(chromium_path: str) -> None:
    assert chromium_path.endswith("chromium")
