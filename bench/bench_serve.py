"""Load benchmark for `tender serve`: requests/s and p99 latency for reading and answering ROFR notices.

The server is a separate process (`tender serve` on 127.0.0.1); this process is the client, with a pool of
threads each holding a keep-alive connection. Run on SQLite (a file) and PostgreSQL (a fresh database on
the throwaway cluster from tools/ci/pg-up.sh, when it answers).

    .venv/bin/python bench/bench_serve.py [--reads 2000] [--answers 300] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import os
import platform
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import httpx

from tender.ledger.sql import Database, token_store, upgrade

REPO = Path(__file__).resolve().parents[1]
MINIMAL = (REPO / "examples" / "minimal.yaml").read_text(encoding="utf-8")
PG_BASE = os.environ.get("TENDER_TEST_DATABASE_URL", "postgresql://app:app@127.0.0.1:55432/appdb")


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _tokens(url: str) -> dict[str, str]:
    db = Database(url)
    upgrade(db)
    out = {}
    with db.write() as session:
        for role in ("admin", "planner", "provider:primary-cloud"):
            r, subject = token_store.parse_role(role)
            out[role] = token_store.create(
                session, role=r, subject=subject, now=datetime.now(UTC), created_by="bench"
            ).token
    db.dispose()
    return out


def _timed(
    pool: ThreadPoolExecutor, jobs: list[tuple[str, str, dict[str, object] | None, str]]
) -> tuple[float, list[float], int]:
    clients: dict[int, httpx.Client] = {}

    def one(job: tuple[str, str, dict[str, object] | None, str]) -> tuple[float, int]:
        import threading

        ident = threading.get_ident()
        if ident not in clients:  # one keep-alive client per thread (setdefault would build one per call)
            clients[ident] = httpx.Client(timeout=60)
        client = clients[ident]
        method, url, body, token = job
        started = time.perf_counter()
        r = client.request(method, url, json=body, headers={"Authorization": f"Bearer {token}"})
        return time.perf_counter() - started, r.status_code

    started = time.perf_counter()
    results = list(pool.map(one, jobs))
    wall = time.perf_counter() - started
    for c in clients.values():
        c.close()
    errors = sum(1 for _, code in results if code >= 400)
    return wall, [t for t, _ in results], errors


def p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[98] if len(values) >= 100 else max(values)


def run(url: str, label: str, reads: int, answers: int, concurrency: int) -> list[str]:
    tok = _tokens(url)
    port = _port()
    base = f"http://127.0.0.1:{port}"
    log = open(Path(tempfile.gettempdir()) / f"bench-serve-{label}.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from tender.cli.app import main; main()",
            "serve",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env={**os.environ, "TENDER_DATABASE_URL": url},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:  # up = migrated
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        admin, planner, holder = tok["admin"], tok["planner"], tok["provider:primary-cloud"]
        sc = httpx.post(
            f"{base}/api/v1/scenarios",
            json={"name": "minimal.yaml", "yaml": MINIMAL},
            headers={"Authorization": f"Bearer {admin}"},
        ).json()["id"]
        with ThreadPoolExecutor(concurrency) as pool:
            needs = [
                (
                    "POST",
                    f"{base}/api/v1/needs",
                    {
                        "scenario": sc,
                        "need": {
                            "id": f"b{i}",
                            "workload": "w",
                            "workload_class": "training",
                            "gpu": "GB200",
                            "gpus": 4608,
                            "region": "us-central",
                            "start": "2026-10-01",
                            "months": 2,
                            "price": "6.5",
                        },
                        "quotes": [{"provider": "rival-cloud-a", "price": "5.2", "gpus": 4608}],
                    },
                    planner,
                )
                for i in range(answers)
            ]
            wall_n, lat_n, err_n = _timed(pool, needs)
            # Baselines in the same run: the cheapest request (no auth, no database), then one notice.
            wall_b, lat_b, err_b = _timed(pool, [("GET", f"{base}/healthz", None, holder)] * reads)
            one = [
                ("GET", f"{base}/api/v1/notices/c-rofr:b{i % answers}:1", None, holder) for i in range(reads)
            ]
            wall_o, lat_o, err_o = _timed(pool, one)
            reads_jobs = [("GET", f"{base}/api/v1/notices?status=open", None, holder)] * reads
            wall_r, lat_r, err_r = _timed(pool, reads_jobs)
            answer_jobs = [
                (
                    "POST",
                    f"{base}/api/v1/notices/c-rofr:b{i}:1/respond",
                    {"action": "exercise", "gpus": 2304} if i % 2 else {"action": "decline"},
                    holder,
                )
                for i in range(answers)
            ]
            wall_a, lat_a, err_a = _timed(pool, answer_jobs)
        check = httpx.get(f"{base}/api/v1/audit/verify", headers={"Authorization": f"Bearer {admin}"}).json()
        assert check["ok"], check
        rows = []
        for name, wall, lat, err, n in (
            ("baseline: GET /healthz", wall_b, lat_b, err_b, reads),
            ("read one notice", wall_o, lat_o, err_o, reads),
            (f"read open notices (list of {answers})", wall_r, lat_r, err_r, reads),
            ("answer a notice (exercise part / decline)", wall_a, lat_a, err_a, answers),
            ("raise a need (issues 1 notice)", wall_n, lat_n, err_n, answers),
        ):
            rows.append(
                f"| {label} | {name} | {n} | {n / wall:,.0f} | {statistics.median(lat) * 1000:.1f} | "
                f"{p99(lat) * 1000:.1f} | {err} |"
            )
        return rows
    finally:
        proc.terminate()
        proc.wait(20)
        log.close()


def _pg_fresh() -> tuple[str, str] | None:
    try:
        import psycopg

        name = f"tender_bench_{secrets.token_hex(3)}"
        with psycopg.connect(PG_BASE, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return PG_BASE.rsplit("/", 1)[0] + "/" + name, name
    except Exception as exc:
        print(f"PostgreSQL not reachable at {PG_BASE} ({exc}); run tools/ci/pg-up.sh", file=sys.stderr)
        return None


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reads", type=int, default=2000)
    ap.add_argument("--answers", type=int, default=300)
    ap.add_argument("--concurrency", type=int, default=8)
    args = ap.parse_args()
    print(
        f"machine: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"client: {args.concurrency} threads, keep-alive; server: 1 uvicorn process"
    )
    print("| database | operation | requests | req/s | p50 ms | p99 ms | errors |")
    print("|---|---|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        for row in run(f"sqlite:///{tmp}/bench.db", "SQLite", args.reads, args.answers, args.concurrency):
            print(row, flush=True)
    fresh = _pg_fresh()
    if fresh:
        url, name = fresh
        try:
            for row in run(url, "PostgreSQL 15", args.reads, args.answers, args.concurrency):
                print(row, flush=True)
        finally:
            import psycopg

            with psycopg.connect(PG_BASE, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
