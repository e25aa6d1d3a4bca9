"""Gavel's continuous-arrival workload (OSDI 2020), generated as its simulator does.

Recipe (`scheduler/utils.py` generate_job, `scheduler.py` _initialize_seeds): one
`random.Random(seed + 2)` stream draws, per job, `uniform(0, 1)` for the scale factor (drawn even
for single-GPU traces, then forced to 1), `random()` for the duration branch, `uniform(a, b)` for
the exponent, then `choice(JOB_TABLE)` (redrawn until distributed if the scale factor > 1).
Inter-arrival gaps come from `random.Random(seed + 3)` as -ln(1 - U) / lambda.
"""

from __future__ import annotations

import csv
import io
import math
import random
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from tender.placement import JobRequest, Pool
from tender.sim.traces import packaged_text

REFERENCE_GPU = "v100"
GPU_TYPES = ("k80", "p100", "v100")

# Gavel's JobTable, in its order: (model, distributed).
JOB_TABLE: tuple[tuple[str, bool], ...] = (
    *((f"ResNet-18 (batch size {b})", True) for b in (16, 32, 64, 128, 256)),
    *((f"ResNet-50 (batch size {b})", True) for b in (16, 32, 64, 128)),
    *((f"Transformer (batch size {b})", True) for b in (16, 32, 64, 128, 256)),
    *((f"LM (batch size {b})", True) for b in (5, 10, 20, 40, 80)),
    *((f"Recommendation (batch size {b})", False) for b in (512, 1024, 2048, 4096, 8192)),
    ("A3C", False),
    ("CycleGAN", False),
)

# The same 26 types in the order of Gavel commit 1f6f02e (the code behind the OSDI 2020 figures):
# A3C at index 14, before LM; CycleGAN last. `choice` draws an index, so the order decides the type.
JOB_TABLE_1F6F02E: tuple[tuple[str, bool], ...] = (
    *JOB_TABLE[:14],
    ("A3C", False),
    *JOB_TABLE[14:24],
    ("CycleGAN", False),
)

#: `--compat` values: which Gavel commit's behaviour to reproduce (None = Tender's own recipe).
COMPAT_COMMITS = ("1f6f02e",)


def job_table(compat: str | None) -> tuple[tuple[str, bool], ...]:
    """The job table `choice` draws from: Gavel's later head order, or 1f6f02e's under `--compat`."""
    if compat is None:
        return JOB_TABLE
    if compat == "1f6f02e":
        return JOB_TABLE_1F6F02E
    raise ValueError(f"unknown compat commit {compat!r}; choose one of {', '.join(COMPAT_COMMITS)}")


@cache
def throughputs() -> Mapping[tuple[str, int], Mapping[str, float]]:
    """Isolated steps/s per (job type, scale factor) per GPU type (packaged Gavel CSV)."""
    table: dict[tuple[str, int], dict[str, float]] = {}
    for row in csv.DictReader(io.StringIO(packaged_text("gavel_isolated_throughputs.csv"))):
        key = (row["job_type"], int(row["scale_factor"]))
        table.setdefault(key, {})[row["gpu_type"]] = float(row["steps_per_sec"])
    return table


def scale_factor(rng: random.Random) -> int:
    r = rng.uniform(0, 1)
    if 0.7 <= r <= 0.8:
        return 2
    if 0.8 <= r <= 0.95:
        return 4
    if r >= 0.95:
        return 8
    return 1


def duration_s(rng: random.Random) -> float:
    if rng.random() >= 0.8:
        return 60 * (10 ** rng.uniform(3, 4))
    return 60 * (10 ** rng.uniform(1.5, 3))


@dataclass(frozen=True)
class GavelWorkload:
    rate_per_hour: float
    seed: int = 0
    multi_gpu: bool = False
    compat: str | None = None  # "1f6f02e": that commit's job table order

    def jobs(self) -> Iterator[JobRequest]:
        """An endless stream of jobs `gavel-0000000`, `gavel-0000001`, ... in arrival order."""
        job_rng = random.Random(self.seed + 2)
        arrival_rng = random.Random(self.seed + 3)
        table = throughputs()
        types = job_table(self.compat)
        lam = self.rate_per_hour / 3600.0
        now = 0.0
        index = 0
        while True:
            sf = scale_factor(job_rng)
            run_time = duration_s(job_rng)
            if not self.multi_gpu:
                sf = 1
            while True:
                model, distributed = job_rng.choice(types)
                if sf == 1 or distributed:
                    break
            rates = {
                gpu: table[(model, sf)][gpu] for gpu in GPU_TYPES if table[(model, sf)].get(gpu, 0.0) > 0
            }
            yield JobRequest(
                id=job_id(index),
                gpus=sf,
                arrival=now,
                work=run_time * table[(model, sf)][REFERENCE_GPU],
                throughput=rates,
                workload=model,
            )
            index += 1
            now += -math.log(1.0 - arrival_rng.random()) / lam


def job_id(index: int) -> str:
    return f"gavel-{index:07d}"


# Nominal on-demand list prices per GPU-hour (2020: AWS p2.xlarge K80, GCP P100, AWS p3.2xlarge V100),
# only so that cost_het and the cost columns have something to rank; not part of Gavel's setup.
NOMINAL_PRICE = {"k80": Decimal("0.90"), "p100": Decimal("1.46"), "v100": Decimal("3.06")}


def gavel_pools(cluster: Mapping[str, int]) -> tuple[Pool, ...]:
    """One pool per GPU type, e.g. {"v100": 36, "p100": 36, "k80": 36}."""
    return tuple(
        Pool(
            id=gpu,
            provider="gavel",
            region="sim",
            gpu=gpu,
            count=n,
            price_per_gpu_hour=NOMINAL_PRICE.get(gpu, Decimal(0)),
            node_size=4,
        )
        for gpu, n in sorted(cluster.items())
        if n > 0
    )
