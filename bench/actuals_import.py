"""Benchmark `tender actuals import`: rows/s and peak RSS of streaming a large FOCUS file into SQLite
(and PostgreSQL with --pg: the tests' engine helper starts or finds it on 127.0.0.1), against a bare-Python floor measured in the same run:
`csv.reader` over the same file, counting rows.

Usage: .venv/bin/python bench/actuals_import.py [--rows 100000,400000] [--repeats 3] [--pg]
The synthetic file (cloud-export shaped: 24 columns, 3 of them x_ columns, ~270 bytes a row) is written
under /tmp. Every measurement runs in its own subprocess, so its peak RSS (VmHWM) is its own; the
two file sizes show whether memory grows with the file (it must not: the import streams).
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEADER = [
    "BillingAccountId", "BillingCurrency", "BillingPeriodStart", "BillingPeriodEnd", "ChargePeriodStart",
    "ChargePeriodEnd", "ChargeCategory", "ChargeDescription", "PricingCategory", "ProviderName", "RegionId",
    "ResourceId", "ServiceCategory", "SkuId", "ConsumedQuantity", "ConsumedUnit", "PricingQuantity",
    "PricingUnit", "BilledCost", "EffectiveCost", "ListCost", "x_UsageType", "x_Team", "x_Project",
]  # fmt: skip
SKUS = ("p5.48xlarge", "p4d.24xlarge", "p5.4xlarge", "p5e.48xlarge")


def generate(path: Path, rows: int, seed: int = 7) -> None:
    rnd = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(HEADER)
        for i in range(rows):
            month = 1 + i % 12
            day = 1 + (i // 12) % 28
            hour = (i // 336) % 24
            start = f"2026-{month:02d}-{day:02d}T{hour:02d}:00:00Z"
            end = f"2026-{month:02d}-{day:02d}T{hour:02d}:59:59Z"
            sku = SKUS[i % len(SKUS)]
            qty = Decimal(rnd.randint(1, 4000)) / 4
            cost = qty * Decimal("55.04")
            out.writerow([
                "acct-1", "USD", f"2026-{month:02d}-01T00:00:00Z", f"2026-{month:02d}-28T00:00:00Z", start, end,
                "Usage", f"{sku} usage", "Standard" if i % 3 else "Committed", "AWS", "us-east-1",
                f"i-{i:012x}", "Compute", sku, str(qty), "Hours", str(qty), "Hours", str(cost), str(cost),
                str(cost), f"USE1-BoxUsage:{sku}", f"team-{i % 7}", f"proj-{i % 31}",
            ])  # fmt: skip


def child_floor(path: Path) -> tuple[int, float]:
    t0 = time.perf_counter()
    with path.open(encoding="utf-8", newline="") as f:
        n = sum(1 for _ in csv.reader(f)) - 1
    return n, time.perf_counter() - t0


def child_import(path: Path, url: str) -> tuple[int, float]:
    from tender.ledger.actuals import import_file, load_mapping
    from tender.ledger.sql import Database, upgrade

    db = Database(url)
    upgrade(db)
    t0 = time.perf_counter()
    result = import_file(db, path, load_mapping(None), provider="aws")
    seconds = time.perf_counter() - t0
    db.dispose()
    assert result.added == result.read, result
    return result.read, seconds


def peak_rss_kb() -> int:
    """This process's own peak RSS: VmHWM (ru_maxrss on Linux keeps the forking parent's peak across exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def measure(kind: str, path: Path, url: str = "") -> tuple[float, float]:
    """rows/s and peak RSS (MB) of one subprocess run."""
    out = subprocess.run(
        [sys.executable, __file__, "--child", kind, str(path), url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    rows, seconds, rss_kb = int(out[0]), float(out[1]), int(out[2])
    return rows / seconds, rss_kb / 1024


def fresh_pg(base: str) -> str:
    import psycopg

    name = f"tender_bench_{os.getpid()}_{random.randrange(1 << 30)}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return base.rsplit("/", 1)[0] + "/" + name


def drop_pg(base: str, url: str) -> None:
    import psycopg

    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", default="100000,400000")
    parser.add_argument("--pg", action="store_true")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--child", nargs=3)
    args = parser.parse_args()
    if args.child:
        kind, path, url = args.child
        n, s = child_floor(Path(path)) if kind == "floor" else child_import(Path(path), url)
        print(n, s, peak_rss_kb())
        return
    pg = ""
    if args.pg:
        sys.path.insert(0, str(ROOT / "tests"))
        import engines  # type: ignore[import-not-found]

        engines.acquire("pg")
        pg = engines.postgres_url_from_env()
    try:
        run_all(args.rows, args.repeats, pg)
    finally:
        if args.pg:
            engines.release("pg")


def run_all(sizes: str, repeats: int, pg: str) -> None:
    print("| rows | file MB | run | rows/s (median) | peak RSS MB (median) | vs floor |")
    print("|---:|---:|---|---:|---:|---:|")
    for rows in (int(r) for r in sizes.split(",")):
        with tempfile.TemporaryDirectory(dir="/tmp") as tmp:
            path = Path(tmp) / "focus.csv"
            generate(path, rows)
            size = path.stat().st_size / 1e6
            runs: dict[str, list[tuple[float, float]]] = {"floor: csv.reader": [], "import, SQLite": []}
            if pg:
                runs["import, PostgreSQL"] = []
            for i in range(repeats):
                runs["floor: csv.reader"].append(measure("floor", path))
                runs["import, SQLite"].append(measure("import", path, f"sqlite:///{tmp}/b{i}.db"))
                if pg:
                    url = fresh_pg(pg)
                    try:
                        runs["import, PostgreSQL"].append(measure("import", path, url))
                    finally:
                        drop_pg(pg, url)
            floor = statistics.median(r for r, _ in runs["floor: csv.reader"])
            for name, got in runs.items():
                rate = statistics.median(r for r, _ in got)
                rss = statistics.median(m for _, m in got)
                print(
                    f"| {rows:,} | {size:,.0f} | {name} | {rate:,.0f} | {rss:,.0f} | {floor / rate:,.1f}x |"
                )


if __name__ == "__main__":
    main()
