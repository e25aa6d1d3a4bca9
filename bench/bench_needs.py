"""`GET /api/v1/needs` with many needs: one list read, before and after batching the needs' notices.

A source tree is given (`--src`, default this repository's `src/`), so an older commit can be measured the
same way (`git archive COMMIT src | tar -x -C /tmp/old`, then `--src /tmp/old/src`). Everything, setup
included, goes through that tree's own `tender` (CLI and API), so its own migrations apply.

1. start `tender serve` from that tree on a fresh SQLite file; make admin and planner tokens (`tender token
   create`), upload the minimal scenario, raise `--needs` needs (each issues one ROFR notice);
2. time `GET /healthz` (the baseline, no auth, no database) and `GET /api/v1/needs?limit=1000` (every need
   with its notices in one response) `--reads` times each, one keep-alive client; report medians, the
   ratio to the baseline, and the response size.

    .venv/bin/python bench/bench_needs.py [--src DIR] [--needs 500] [--reads 20]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
MINIMAL = (REPO / "examples" / "minimal.yaml").read_text(encoding="utf-8")


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _tender(src: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", "from tender.cli.app import main; main()", *args]
    return subprocess.run(
        command, env={**env, "PYTHONPATH": str(src)}, capture_output=True, text=True, check=True
    )


def _need(scenario: int, i: int) -> dict[str, object]:
    need = {
        "id": f"bench-{i}",
        "workload": "pretrain-x",
        "workload_class": "training",
        "gpu": "GB200",
        "gpus": 72,
        "region": "us-central",
        "start": "2026-10-01",
        "months": 4,
        "price": "6.5",
    }
    return {
        "scenario": scenario,
        "need": need,
        "quotes": [{"provider": "rival-cloud-a", "price": "5.2", "gpus": 72}],
    }


def _median_ms(client: httpx.Client, path: str, reads: int) -> tuple[float, int]:
    times, size = [], 0
    for _ in range(reads):
        started = time.perf_counter()
        r = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        assert r.status_code == 200, r.text[:200]
        size = len(r.content)
    return statistics.median(times), size


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--src", type=Path, default=REPO / "src")
    parser.add_argument("--needs", type=int, default=500)
    parser.add_argument("--reads", type=int, default=20)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-needs-"))
    env = {**os.environ, "TENDER_HOME": str(tmp), "TENDER_DATABASE_URL": f"sqlite:///{tmp / 'tender.db'}"}
    _tender(args.src, env, "db", "upgrade")
    tok = {
        role: _tender(args.src, env, "token", "create", "--role", role).stdout.split()[-1]
        for role in ("admin", "planner")
    }
    port = _port()
    server = subprocess.Popen(
        [sys.executable, "-c", "from tender.cli.app import main; main()", "serve", "--port", str(port)],
        env={**env, "PYTHONPATH": str(args.src)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        planner = {"Authorization": f"Bearer {tok['planner']}"}
        with httpx.Client(base_url=base, headers=planner, timeout=60) as client:
            admin = {"Authorization": f"Bearer {tok['admin']}"}
            scenario = client.post(
                "/api/v1/scenarios", json={"name": "m.yaml", "yaml": MINIMAL}, headers=admin
            ).json()["id"]
            for i in range(args.needs):
                r = client.post("/api/v1/needs", json=_need(scenario, i))
                assert r.status_code == 201, r.text[:300]
            baseline, _ = _median_ms(client, "/healthz", args.reads)
            needs, size = _median_ms(client, "/api/v1/needs?limit=1000", args.reads)
            listed = len(client.get("/api/v1/needs?limit=1000").json())
    finally:
        server.terminate()
        server.wait(15)
    print(f"src {args.src}: {listed} needs listed, {size:,} bytes")
    print(
        f"GET /healthz median {baseline:.1f} ms; GET /api/v1/needs median {needs:.1f} ms ({needs / baseline:.0f}x)"
    )


if __name__ == "__main__":
    main()
