"""Building SkyPilot `UserRequest`s from task YAML files with SkyPilot's own loaders."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sky
from sky.server.requests.request_names import AdminPolicyRequestName
from sky.utils import dag_utils

TASKS = Path(__file__).resolve().parent / "tasks"
ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "frontier-lab.yaml"


def user_request(task: Any, name: AdminPolicyRequestName = AdminPolicyRequestName.CLUSTER_LAUNCH) -> Any:
    return sky.UserRequest(task=task, skypilot_config=sky.Config(), request_name=name)


def from_file(file: str, name: AdminPolicyRequestName = AdminPolicyRequestName.CLUSTER_LAUNCH) -> Any:
    dag = dag_utils.load_chain_dag_from_yaml(str(TASKS / file))
    (task,) = dag.tasks
    return user_request(task, name)


def where(task: Any) -> list[tuple[str, str | None, dict[str, int], bool]]:
    """(cloud, region, accelerators, use_spot) of each of the task's resources, in SkyPilot's order."""
    return [
        (str(r.cloud), r.region, dict(r.accelerators or {}), bool(r.use_spot)) for r in list(task.resources)
    ]
