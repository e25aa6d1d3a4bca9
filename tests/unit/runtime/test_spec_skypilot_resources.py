"""`tender run` reading SkyPilot task YAML: `any_of` / `ordered`, `num_nodes`, the `tender.workload`
label, and what is ignored — on the task files the SkyPilot policy tests use (tests/skypilot/tasks)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tender.config.errors import InputError
from tender.runtime.spec import parse_job_file, parse_job_text

TASKS = Path(__file__).resolve().parents[2] / "skypilot" / "tasks"


@pytest.mark.parametrize(
    ("file", "gpus", "types", "workload"),
    [
        ("api_h100_anywhere.yaml", 8, ("h100",), "api-serving"),
        ("api_h100_any_of.yaml", 8, ("h100",), "api-serving"),  # any_of entries inherit the top level
        ("eu_inference.yaml", 8, ("h100",), ""),  # no label: the policy uses the name; the runtime, none
        ("train_gb200_rival.yaml", 8, ("gb200",), ""),  # 2 nodes x 4; infra ignored
        ("train_gb200_anywhere.yaml", 72, ("gb200",), ""),  # 18 nodes x 4, ordered
    ],
)
def test_policy_task_files_run_as_one_gang(
    file: str, gpus: int, types: tuple[str, ...], workload: str
) -> None:
    spec = parse_job_file(str(TASKS / file))
    assert (spec.gpus, spec.accelerators, spec.workload) == (gpus, types, workload)


def test_candidates_contribute_their_accelerators_and_labels() -> None:
    text = (
        "name: t\nrun: x\nresources:\n  labels: {tender.workload_class: inference}\n"
        "  ordered:\n    - {infra: aws, accelerators: H100:8, use_spot: true}\n"
        "    - {cloud: gcp, region: us-central1, accelerators: {H200: 8}, labels: {tender.workload: api-serving}}\n"
    )
    spec = parse_job_text(text, "t.yaml")
    assert (spec.gpus, spec.accelerators, spec.workload, spec.workload_class) == (
        8,
        ("h100", "h200"),
        "api-serving",
        "inference",
    )


@pytest.mark.parametrize(
    ("text", "field"),
    [
        (
            "run: x\nresources:\n  any_of:\n    - {accelerators: H100:8}\n    - {accelerators: H200:4}\n",
            "resources.accelerators",
        ),
        ("run: x\nnum_nodes: 0\nresources:\n  accelerators: H100:1\n", "num_nodes"),
        ("run: x\nnum_nodes: 70000\nresources:\n  accelerators: H100:1\n", "num_nodes"),
        (
            "run: x\nnum_nodes: 9000\nresources:\n  accelerators: H100:8\n",
            "resources.accelerators",
        ),  # > 65536 GPUs
        ("run: x\nresources:\n  any_of:\n    - {accelerator: H100:8}\n", "resources.any_of[0].accelerator"),
    ],
)
def test_bad_resources_name_the_field(text: str, field: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_job_text(text, "t.yaml")
    assert caught.value.problems[0].path == field, caught.value.problems
