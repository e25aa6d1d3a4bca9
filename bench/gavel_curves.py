"""Gavel 1f6f02e's own simulator vs `tender simulate gavel --compat 1f6f02e` over the published rates.

Issue 16 item 2: average JCT vs input rate, single- and multi-GPU, for Gavel's fifo, fifo_perf and
max_min_fairness_perf (Tender: fifo, fifo_het, las_het), seed 0, 36:36:36, 360 s rounds, jobs
4000..4999, every point run by both simulators (as subprocesses; Gavel is never imported).

1. The rates are the OSDI 2020 artifact's (Gavel's EXPERIMENTS.md, Figures 8 and 9:
   `run_sweep_continuous.py ... -a 0.0 -b 6.0 -n 16` single-GPU and `-a 0.0 -b 3.0 -n 11
   --generate-multi-gpu-jobs` multi-GPU; the sweep script takes `np.linspace(a, b, n)` minus 0 and
   passes lam = 3600 / rate): `RATES` below, bit for bit the same floats.
2. Points are queued in `ORDER` (per curve: up to its knee first, then filling in; round-robin), or as
   `--only` lists them, and run by `--gavel-workers` threads for Gavel plus one for Tender; each child
   is one process whose CPU is its own `wait4` rusage (robust to the neighbours sharing the 2 cores; wall time is listed too).
3. Every child is capped at `--cap-s` wall seconds (default 900), and at `--stop-at` (UTC HH:MM: a
   child gets at most the time left until then; none starts in its last minute): a capped child is
   a row with `capped: true`, its `cap_s` and no JCT, never a value.
4. Each finished child is appended at once to `--out` (bench/results/gavel_curves.jsonl), so a
   partial sweep is usable and a restarted sweep skips what is there (Gavel rows by point, Tender
   rows by point and Tender commit; a capped row counts as done unless `--retry-capped`).
5. `--plot` rebuilds bench/results/gavel_curves_{single,multi}.svg and gavel_curves.html from the
   file (Gavel dashed with circles, Tender compat solid with squares, one colour per policy);
   `--table` prints the README table (Gavel JCT, Tender JCT, error %, both CPU s per point).

    nice -n 15 .venv/bin/python bench/gavel_curves.py --gavel-python /tmp/gavel-curves-venv/bin/python \\
        --gavel-scheduler /tmp/gavel-curves-sched --tender-src /tmp/COMMIT/src --stop-at 19:40
    .venv/bin/python bench/gavel_curves.py --plot --table

The run part imports only the standard library, so `--engines gavel` and `--engines tender` can run
as two processes (the Gavel one under the Gavel venv's python, as the README's sweep did).
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from gavel_points import CAP_S, POLICY, RATES, row_key

HERE = Path(__file__).resolve().parent
OUT = HERE / "results" / "gavel_curves.jsonl"
COMPAT_JSONL = HERE / "results" / "gavel_compat.jsonl"
# Per curve, the order its rates are run in: below and at the knee first (cheap, comparable), then
# the rest; FIFO points far past the knee last (saturated: Gavel then runs for many minutes and is
# likely capped). max-min degrades gracefully, so its higher rates come earlier.
_FIFO_SINGLE = (4.0, 3.2, 4.4, 2.4, 1.6, 3.6, 0.8, 2.8, 2.0, 1.2, 0.4, 4.8, 5.2, 5.6, 6.0)
_MMF_SINGLE = (4.0, 4.8, 3.2, 4.4, 2.4, 5.2, 1.6, 3.6, 0.8, 2.8, 2.0, 1.2, 0.4, 5.6, 6.0)
_FIFO_MULTI = (2.1, 1.5, 0.9, 1.8, 0.3, 1.2, 0.6, 2.4, 2.7, 3.0)
ORDER = {
    ("single", "fifo"): _FIFO_SINGLE,
    ("single", "fifo_perf"): _FIFO_SINGLE,
    ("single", "max_min_fairness_perf"): _MMF_SINGLE,
    ("multi", "fifo"): _FIFO_MULTI,
    ("multi", "fifo_perf"): _FIFO_MULTI,
    ("multi", "max_min_fairness_perf"): (2.1, 1.5, 2.4, 0.9, 1.8, 0.3, 1.2, 0.6, 2.7, 3.0),
}
RESULT = re.compile(r"Results: average JCT=([0-9.eE+-]+), utilization=([0-9.eE+-]+)")


@dataclass(frozen=True)
class Point:
    policy: str  # Gavel's name
    mode: str  # single | multi
    rate: float  # jobs/hour, the exact float Gavel's sweep uses

    @property
    def label(self) -> str:
        return f"{self.rate:.1f}"

    def base(self) -> dict[str, Any]:
        return {
            "policy": self.policy,
            "tender_policy": POLICY[self.policy],
            "mode": self.mode,
            "rate": self.rate,
            "rate_label": self.label,
        }


@dataclass(frozen=True)
class Child:
    returncode: int | None  # None: killed at the cap
    stdout: str
    stderr: str
    wall_s: float
    cpu_s: float


def exact_rate(mode: str, label: float) -> float:
    return next(r for r in RATES[mode] if abs(r - label) < 1e-9)


def queue_order() -> list[Point]:
    """Round-robin over the six curves, each in its ORDER, so a partial sweep covers every curve."""
    longest = max(len(o) for o in ORDER.values())
    out: list[Point] = []
    for i in range(longest):
        for (mode, policy), rates in ORDER.items():
            if i < len(rates):
                out.append(Point(policy, mode, exact_rate(mode, rates[i])))
    return out


def run_child(cmd: list[str], cwd: Path | None, env: dict[str, str] | None, timeout: float) -> Child:
    """One child process in its own session; killed (with its group) after `timeout` wall seconds."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=err, start_new_session=True)
        killed = threading.Event()

        def kill() -> None:
            killed.set()
            os.killpg(proc.pid, signal.SIGKILL)

        timer = threading.Timer(max(timeout, 1.0), kill)
        timer.start()
        _, status, usage = os.wait4(proc.pid, 0)
        timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - t0
        out.seek(0)
        err.seek(0)
        return Child(
            None if killed.is_set() else proc.returncode,
            out.read().decode(errors="replace"),
            err.read().decode(errors="replace"),
            wall,
            usage.ru_utime + usage.ru_stime,
        )


def gavel_cmd(python: str, point: Point) -> list[str]:
    """What bench/gavel_compat.py runs, at this point's exact rate (lam = 3600 / rate, as the sweep)."""
    return [
        python,
        "scripts/drivers/simulate_scheduler_with_generated_jobs.py",
        *("-c", "36:36:36", "-p", point.policy, "--seed", "0", "-i", "360", "-l", repr(3600.0 / point.rate)),
        *("-s", "4000", "-e", "5000", "--throughputs_file", "simulation_throughputs.json"),
        *("--solver", "ECOS"),
        *(["--generate-multi-gpu-jobs"] if point.mode == "multi" else []),
    ]


def tender_cmd(point: Point) -> list[str]:
    """`bench/_tender_point.py` (`run_gavel`, what `tender simulate gavel` runs) in compat mode."""
    return [
        sys.executable,
        str(HERE / "_tender_point.py"),
        POLICY[point.policy],
        repr(point.rate),
        point.mode,
        "1f6f02e",
    ]


def gavel_row(point: Point, child: Child, cap: float) -> dict[str, Any]:
    row = {**point.base(), "engine": "gavel-1f6f02e", "commit": "1f6f02e", "cap_s": cap}
    row.update(wall_s=round(child.wall_s, 2), cpu_s=round(child.cpu_s, 2), capped=child.returncode is None)
    match = RESULT.search(child.stderr)
    if child.returncode is None:
        row["avg_jct_hours"] = None
    elif child.returncode != 0 or match is None:
        row.update(avg_jct_hours=None, error=f"exit {child.returncode}: {child.stderr[-500:]}")
    else:
        row.update(avg_jct_hours=round(float(match.group(1)) / 3600.0, 4), utilization=float(match.group(2)))
    return row


def tender_row(point: Point, child: Child, cap: float, tree: str) -> dict[str, Any]:
    row = {**point.base(), "engine": "tender-compat", "commit": tree, "cap_s": cap}
    row.update(wall_s=round(child.wall_s, 2), cpu_s=round(child.cpu_s, 2), capped=child.returncode is None)
    if child.returncode is None:
        row["avg_jct_hours"] = None
    elif child.returncode != 0:
        row.update(avg_jct_hours=None, error=f"exit {child.returncode}: {child.stderr[-500:]}")
    else:
        s = json.loads(child.stdout.strip().splitlines()[-1])
        row.update(avg_jct_hours=s["avg_jct_hours"], sim_cpu_s=s["sim_cpu_seconds"])
        row.update(jobs_completed=s["jobs_completed"], lp_solves=s["lp_solves"], decisions=s["decisions"])
    return row


def load(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


class Sweep:
    """The queue, the cap and the deadline; rows appended under a lock as each child finishes."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.lock = threading.Lock()
        self.tree = args.tender_src.parent.name if args.tender_src is not None else "worktree"
        done = load(args.out)
        self.have = {
            row_key(r)
            for r in done
            if (r["engine"] == "gavel-1f6f02e" or r["commit"] == self.tree)
            and not (args.retry_capped and r.get("capped"))
        }
        self.stop = self.deadline(args.stop_at)
        self.engines = set(args.engines.split(","))

    @staticmethod
    def deadline(text: str | None) -> float:
        if text is None:
            return float("inf")
        now = datetime.now(UTC)
        hour, minute = (int(x) for x in text.split(":"))
        stop = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
        return (stop if stop > now else stop + timedelta(days=1)).timestamp()  # HH:MM after midnight

    def budget(self) -> float | None:
        """Wall seconds the next child may take, or None when it would start too late to be useful."""
        left = self.stop - time.time()
        return None if left < 60 else min(self.args.cap_s, left)

    def append(self, row: dict[str, Any]) -> None:
        row["measured_at"] = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        with self.lock:
            with self.args.out.open("a") as fh:
                fh.write(json.dumps(row, sort_keys=True) + "\n")
            print(json.dumps(row), flush=True)

    def worker(self, engine: str, todo: queue.Queue[Point]) -> None:
        while True:
            try:
                point = todo.get_nowait()
            except queue.Empty:
                return
            cap = self.budget()
            if cap is None:
                return
            if engine == "gavel":
                sched = self.args.gavel_scheduler
                child = run_child(gavel_cmd(self.args.gavel_python, point), sched, None, cap)
                self.append(gavel_row(point, child, cap))
            else:
                src = self.args.tender_src
                env = {**os.environ, "PYTHONPATH": str(src)} if src is not None else None
                self.append(tender_row(point, run_child(tender_cmd(point), None, env, cap), cap, self.tree))

    def points(self) -> list[Point]:
        """`queue_order` within `--modes`; with `--only`, just those points, in the order given."""
        if self.args.only is None:
            return [p for p in queue_order() if p.mode in self.args.modes.split(",")]
        out = []
        for item in self.args.only.split(","):
            mode, policy, label = item.split("/")
            out.append(Point(policy, mode, exact_rate(mode, float(label))))
        return out

    def run(self) -> None:
        gavel: queue.Queue[Point] = queue.Queue()
        tender: queue.Queue[Point] = queue.Queue()
        for point in self.points():
            keys = {name: (name, point.mode, point.policy, round(point.rate, 6)) for name in ENGINES}
            if "gavel" in self.engines and keys["gavel-1f6f02e"] not in self.have:
                gavel.put(point)
            if "tender" in self.engines and keys["tender-compat"] not in self.have:
                tender.put(point)
        threads = []
        if "tender" in self.engines:
            threads.append(threading.Thread(target=self.worker, args=("tender", tender)))
        if "gavel" in self.engines:
            threads += [
                threading.Thread(target=self.worker, args=("gavel", gavel))
                for _ in range(self.args.gavel_workers)
            ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()


ENGINES = ("gavel-1f6f02e", "tender-compat")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--gavel-python", default=None, help="python of the venv built by the peer's setup.sh"
    )
    parser.add_argument("--gavel-scheduler", type=Path, default=None, help="writable copy of scheduler/")
    parser.add_argument(
        "--tender-src", type=Path, default=None, help="a `git archive` src/ in a dir named by commit"
    )
    parser.add_argument("--gavel-workers", type=int, default=1, help="Gavel children at a time")
    parser.add_argument("--cap-s", type=float, default=CAP_S, help="wall-second cap of one child")
    parser.add_argument("--stop-at", default=None, help="UTC HH:MM: no child runs past it")
    parser.add_argument(
        "--retry-capped", action="store_true", help="run again the points whose last child was capped or cut"
    )
    parser.add_argument("--modes", default="single,multi", help="single, multi or both (comma-separated)")
    parser.add_argument(
        "--only",
        default=None,
        help="MODE/POLICY/RATE,...: run just these points, in this order (e.g. multi/fifo_perf/2.7)",
    )
    parser.add_argument("--engines", default="gavel,tender", help="gavel, tender or both (comma-separated)")
    parser.add_argument("--out", type=Path, default=OUT, help="JSONL, one line per child")
    parser.add_argument("--plot", action="store_true", help="rebuild the SVGs and HTML from --out")
    parser.add_argument("--table", action="store_true", help="print the README table from --out")
    args = parser.parse_args()
    if args.plot or args.table:
        from gavel_curves_plot import plot, table  # tender's imports only here

        rows = load(args.out)
        if args.plot:
            plot(rows, args.out.parent)
        if args.table:
            print(table(rows))
        return
    if "gavel" in args.engines and (args.gavel_python is None or args.gavel_scheduler is None):
        parser.error("--gavel-python and --gavel-scheduler are required (or --engines tender)")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    Sweep(args).run()


if __name__ == "__main__":
    main()
