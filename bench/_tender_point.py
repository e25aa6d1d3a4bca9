"""Child process of bench/gavel_compat.py: one `run_gavel` point (what `tender simulate gavel` runs),
printing its summary plus the CPU seconds of the simulation alone (`time.process_time`) and the
sha256 of the summary JSON (equal across commits = the same results)."""

from __future__ import annotations

import hashlib
import json
import sys
import time

from tender.placement import PolicyName
from tender.sim.experiments import run_gavel, silence_highs_banner


def main() -> None:
    policy, rate, multi, compat = sys.argv[1], float(sys.argv[2]), sys.argv[3] == "multi", sys.argv[4]
    silence_highs_banner()
    cpu0, wall0 = time.process_time(), time.perf_counter()
    result = run_gavel(
        {"v100": 36, "p100": 36, "k80": 36},
        rate,
        PolicyName(policy),
        seed=0,
        measure=(4000, 5000),
        multi_gpu=multi,
        compat=None if compat == "own" else compat,
    )
    cpu = round(time.process_time() - cpu0, 3)
    digest = hashlib.sha256(json.dumps(result.summary, sort_keys=True).encode()).hexdigest()
    summary = dict(result.summary, sim_cpu_seconds=cpu, summary_sha256=digest)
    summary["sim_wall_seconds"] = round(time.perf_counter() - wall0, 3)
    print(json.dumps(summary, sort_keys=True))


if __name__ == "__main__":
    main()
