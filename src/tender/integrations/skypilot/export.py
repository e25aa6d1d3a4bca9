"""A runtime job as a SkyPilot task (`tender jobs export --skypilot JOB`), no `sky` needed.

1. `name` <- the job id (SkyPilot's cluster-name rules: lower case, digits, '-'; other characters
   become '-'), `run` <- the job's command, `envs` <- its environment;
2. `resources.accelerators` <- `{NAME: gpus}` with the catalog's (SkyPilot's) spelling of the
   accelerator, or `[NAME:gpus, ...]` when the job allows several types, none when it allows any;
3. `resources.labels` <- `tender.workload: <workload, else its class>`, so the same policy
   (`ContractPolicy`) recognises it when it is launched through SkyPilot;
4. `num_nodes: 1`: a Tender job is one gang on one engine. Not carried: `max_retries` (SkyPilot's
   retries belong to managed jobs' `job_recovery`), the pool it ran on, its attempts.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from tender.catalog import canonical_gpu


def _name(job_id: str) -> str:
    cleaned = re.sub(r"[^a-z0-9-]+", "-", job_id.lower()).strip("-")
    return (cleaned if cleaned[:1].isalpha() else f"job-{cleaned}")[:63].rstrip("-") or "job"


def task_of(job: Mapping[str, Any]) -> dict[str, Any]:
    types = [t for t in str(job["gpu_types"]).split(",") if t]
    names = [canonical_gpu(t) or t for t in types]
    gpus = int(job["gpus"])
    resources: dict[str, Any] = {}
    if len(names) == 1:
        resources["accelerators"] = {names[0]: gpus}
    elif names:
        resources["accelerators"] = [f"{n}:{gpus}" for n in names]
    resources["labels"] = {"tender.workload": job["workload"] or job["workload_class"]}
    task: dict[str, Any] = {"name": _name(str(job["id"])), "num_nodes": 1, "resources": resources}
    env = json.loads(job["env"] or "{}")
    if env:
        task["envs"] = {str(k): str(v) for k, v in sorted(env.items())}
    task["run"] = str(job["command"])
    return task
