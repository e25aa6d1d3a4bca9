"""Child process of bench/bench_simulate.py `--baseline-src`: one full Philly replay (fifo, one pool of
2,816 GPUs) from whatever `tender` is on PYTHONPATH, printing the replay's CPU seconds
(`time.process_time`, trace load excluded) and the sha256 of its summary JSON plus every job's
(first start, finish, pools) (equal across commits = the same results; a commit whose runs lack
`ran_on` hashes None for it, so its digest differs by construction)."""

from __future__ import annotations

import hashlib
import json
import time

from tender.placement import Policy, PolicyName
from tender.sim.experiments import run_trace
from tender.sim.pools import philly_pools
from tender.sim.traces import load_trace


def main() -> None:
    trace = load_trace()
    cpu0 = time.process_time()
    result = run_trace(trace.jobs, philly_pools(False), Policy(PolicyName.FIFO))
    cpu = time.process_time() - cpu0
    runs = {
        k: [r.first_start, r.finish, getattr(r, "ran_on", None)]
        for k, r in sorted(result.outcome.runs.items())
    }
    text = json.dumps([result.summary, runs, result.outcome.timeline], sort_keys=True, default=str)
    print(json.dumps({"cpu_s": round(cpu, 3), "sha256": hashlib.sha256(text.encode()).hexdigest()}))


if __name__ == "__main__":
    main()
