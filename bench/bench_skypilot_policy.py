"""p50/p99 of Tender's SkyPilot admin policy per request, against SkyPilot's own request parsing.

Runs in the SkyPilot venv (`tools/ci/skypilot-venv.sh`): `.venv/skypilot/bin/python bench/bench_skypilot_policy.py`.
On examples/frontier-lab.yaml (month 3), for each task file of tests/skypilot/tasks (GPU tasks only),
in the same run and process, N rounds of:

1. baseline: SkyPilot parsing the request: `sky.Task.from_yaml_config(config)` (schema validation,
   Resources objects) — what SkyPilot does for every request before any policy runs;
2. policy: `ContractPolicy.validate_and_mutate(UserRequest(task))` on a fresh task (the scenario file
   loaded once, as in a long-lived API server; a rejection counts as an answered request), which
   includes SkyPilot parsing the rewritten resources;
3. decision only: `evaluate(task config)` (Tender's part, no `sky` objects).

Prints a Markdown table (ms per request; ratio of medians to the baseline). Timings use
`time.perf_counter_ns`; requests interleave (baseline, policy, decision) so drift hits all three.
"""

from __future__ import annotations

import contextlib
import os
import statistics
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TASKS = ROOT / "tests" / "skypilot" / "tasks"
FILES = (
    "api_h100_anywhere.yaml",
    "api_h100_any_of.yaml",
    "eu_inference.yaml",
    "train_gb200_rival.yaml",
    "train_gb200_anywhere.yaml",
)
ROUNDS = int(os.environ.get("ROUNDS", "300"))


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    os.environ.setdefault("SKYPILOT_DISABLE_USAGE_COLLECTION", "1")
    os.environ["TENDER_SCENARIO"] = str(ROOT / "examples" / "frontier-lab.yaml")
    os.environ["TENDER_MONTH"] = "3"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import sky
        import yaml
        from sky import exceptions
        from sky.server.requests.request_names import AdminPolicyRequestName

        from tender.config import load_scenario
        from tender.integrations.skypilot import ContractPolicy
        from tender.integrations.skypilot.evaluate import evaluate

    scenario = load_scenario(os.environ["TENDER_SCENARIO"])
    configs = [yaml.safe_load((TASKS / f).read_text()) for f in FILES]
    times: dict[str, list[float]] = {"baseline": [], "policy": [], "decision": []}
    ContractPolicy.validate_and_mutate(  # warm-up: first scenario load
        sky.UserRequest(
            task=sky.Task.from_yaml_config(configs[0]),
            skypilot_config=sky.Config(),
            request_name=AdminPolicyRequestName.CLUSTER_LAUNCH,
        )
    )
    for _ in range(ROUNDS):
        for config in configs:
            t0 = time.perf_counter_ns()
            task = sky.Task.from_yaml_config(dict(config))
            t1 = time.perf_counter_ns()
            request = sky.UserRequest(
                task=task, skypilot_config=sky.Config(), request_name=AdminPolicyRequestName.CLUSTER_LAUNCH
            )
            t2 = time.perf_counter_ns()
            with contextlib.suppress(exceptions.UserRequestRejectedByPolicy):
                ContractPolicy.validate_and_mutate(request)
            t3 = time.perf_counter_ns()
            evaluate(dict(config), scenario, 3)
            t4 = time.perf_counter_ns()
            times["baseline"].append((t1 - t0) / 1e6)
            times["policy"].append((t3 - t2) / 1e6)
            times["decision"].append((t4 - t3) / 1e6)
    base = statistics.median(times["baseline"])
    print(
        f"skypilot {sky.__version__}, python {sys.version.split()[0]}, {ROUNDS} rounds x {len(FILES)} tasks"
    )
    print("| step | requests | p50 ms | p99 ms | max ms | p50 / baseline |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, label in (
        ("baseline", "baseline: SkyPilot parses the task (`Task.from_yaml_config`)"),
        ("policy", "`ContractPolicy.validate_and_mutate`"),
        ("decision", "Tender's decision only (`evaluate`)"),
    ):
        v = times[name]
        print(
            f"| {label} | {len(v)} | {statistics.median(v):.2f} | {_pct(v, 0.99):.2f} | {max(v):.2f} "
            f"| {statistics.median(v) / base:.1f}x |"
        )


if __name__ == "__main__":
    main()
