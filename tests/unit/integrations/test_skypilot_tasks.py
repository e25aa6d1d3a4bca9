"""Task config <-> request, the rewrite, settings, and the scenario's `skypilot:` section (no `sky`)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from skypilot_cases import EXAMPLE, example

from tender.config import InputError, load_scenario_text
from tender.integrations.skypilot.evaluate import evaluate
from tender.integrations.skypilot.settings import PolicyConfigError, month_of, read_settings, scenario_at
from tender.integrations.skypilot.tasks import TaskError, request_of, rewrite  # noqa: F401


def test_every_accelerator_form_and_where() -> None:
    config = {
        "name": "x",
        "num_nodes": 2,
        "resources": {
            "labels": {"tender.workload": "api-serving"},
            "cpus": "8+",
            "any_of": [
                {"infra": "aws/us-east-1/us-east-1a", "accelerators": "H100:8"},
                {"cloud": "azure", "region": "eastus", "accelerators": {"H200": 8}},
                {"infra": "*/westeurope", "gpus": ["H100:8", "A100:8"], "use_spot": True},
                {"infra": "gcp", "accelerators": "H100"},
            ],
        },
    }
    r = request_of(config, 3)
    assert (r.name, r.workload, r.num_nodes, r.month) == ("x", "api-serving", 2, 3)
    assert [(a.accelerators, a.cloud, a.region, a.use_spot, a.index) for a in r.asks] == [
        ((("H100", 8),), "aws", "us-east-1", False, 0),
        ((("H200", 8),), "azure", "eastus", False, 1),
        ((("H100", 8), ("A100", 8)), None, "westeurope", True, 2),
        ((("H100", 1),), "gcp", None, False, 3),
    ]


def test_workload_falls_back_to_the_task_name() -> None:
    assert request_of(
        {"name": "eu-enterprise-inference", "resources": {"accelerators": "H100:1"}}, 1
    ).workload == ("eu-enterprise-inference")


@pytest.mark.parametrize(
    ("resources", "field"),
    [
        ({"accelerators": "H100:0.5"}, "resources.accelerators"),
        ({"accelerators": "H100:many"}, "resources.accelerators"),
        ({"any_of": [{"accelerators": 7}]}, "resources.any_of[0].accelerators"),
    ],
)
def test_unreadable_accelerators_name_the_field(resources: dict[str, object], field: str) -> None:
    with pytest.raises(TaskError, match=field.replace("[", r"\[").replace("]", r"\]")):
        request_of({"name": "x", "resources": resources}, 1)


def test_rewrite_keeps_the_task_and_replaces_where_and_what() -> None:
    task = {
        "name": "serve",
        "run": "python serve.py",
        "envs": {"A": "1"},
        "resources": {
            "labels": {"tender.workload": "api-serving"},
            "ports": 8080,
            "infra": "aws/us-east-1/us-east-1a",
            "instance_type": "p5.48xlarge",
            "any_of": [{"accelerators": "H100:8", "disk_size": 512}],
        },
    }
    # the task names AWS, where api-serving may not go: rejected
    assert evaluate(task, example(), 3).task is None
    free = {**task, "resources": dict(task["resources"])}  # type: ignore[dict-item]
    del free["resources"]["infra"]
    rewritten = evaluate(free, example(), 3).task
    assert rewritten is not None
    assert rewritten["run"] == task["run"] and rewritten["envs"] == {"A": "1"}
    assert rewritten["resources"] == {
        "labels": {"tender.workload": "api-serving"},
        "ports": 8080,
        "ordered": [
            {"disk_size": 512, "infra": "azure/centralus", "accelerators": {"H100": 8}, "use_spot": False},
            {"disk_size": 512, "infra": "azure/westeurope", "accelerators": {"H100": 8}, "use_spot": False},
        ],
    }
    assert free["resources"]["any_of"] == [{"accelerators": "H100:8", "disk_size": 512}]  # input untouched


def test_a_rejection_has_no_task() -> None:
    out = evaluate(
        {"name": "pretrain-v6", "resources": {"infra": "aws", "accelerators": "GB200:72"}}, example(), 3
    )
    assert out.task is None and out.record()["refused"] == [
        {
            "provider": "rival-cloud-a",
            "region": "us-east",
            "gpu": "GB200",
            "code": "rofr_pending",
            "clause": "c-primary-rofr",
        }
    ]


def test_settings() -> None:
    with pytest.raises(PolicyConfigError, match="TENDER_SCENARIO"):
        read_settings({})
    with pytest.raises(PolicyConfigError, match="TENDER_MONTH"):
        read_settings({"TENDER_SCENARIO": "x", "TENDER_MONTH": "three"})
    with pytest.raises(PolicyConfigError, match="TENDER_TOKEN"):
        read_settings({"TENDER_URL": "http://127.0.0.1:1"})
    s = read_settings({}, {"scenario": "a.yaml", "month": 4})
    assert (s.scenario, s.month) == ("a.yaml", 4)
    scenario = example()
    assert month_of(scenario, None, datetime(2026, 12, 1, tzinfo=UTC)) == 6  # 2026-07 is month 1
    with pytest.raises(PolicyConfigError, match="outside"):
        month_of(scenario, 25)
    with pytest.raises(PolicyConfigError, match="outside"):
        month_of(scenario, None, datetime(2030, 1, 1, tzinfo=UTC))


def test_a_bad_scenario_file_is_named_with_line_and_column(tmp_path: Path) -> None:
    bad = tmp_path / "s.yaml"
    bad.write_text(EXAMPLE.read_text().replace("{cloud: AWS,", "{cloud: Amazon,", 1))
    with pytest.raises(
        PolicyConfigError, match=r"s\.yaml:\d+:\d+: providers\.rival-cloud-a\.skypilot\.cloud"
    ):
        scenario_at(str(bad))
    assert scenario_at(str(EXAMPLE)) is scenario_at(str(EXAMPLE))  # loaded once


def _problems(text: str) -> list[tuple[int, int, str, str]]:
    with pytest.raises(InputError) as caught:
        load_scenario_text(text, "s.yaml")
    return [(p.line, p.column, p.path, p.message) for p in caught.value.problems]


def test_skypilot_section_is_validated_with_positions() -> None:
    text = EXAMPLE.read_text()
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if "skypilot: {cloud: AWS" in ln)
    found = _problems(text.replace("{cloud: AWS,", "{cloud: Amazon,", 1))
    assert found[0][0] == line and found[0][2] == "providers.rival-cloud-a.skypilot.cloud"
    assert "unknown SkyPilot cloud 'Amazon'" in found[0][3] and "AWS" in found[0][3]
    found = _problems(text.replace("regions: {us-east: [us-east-1],", "regions: {eu-west: [us-east-1],", 1))
    assert found[0][2] == "providers.rival-cloud-a.skypilot.regions.eu-west"
    assert "not one of this provider's regions" in found[0][3]
    found = _problems(text.replace("{cloud: AWS,", "{cloud: AWS, zone: a,", 1))
    assert found[0][2] == "providers.rival-cloud-a.skypilot.zone" and found[0][3].startswith("unknown field")
    data = yaml.safe_load(text)
    assert data["providers"]["primary-cloud"]["skypilot"]["cloud"] == "Azure"


def test_without_the_extra_the_package_imports_and_the_policy_names_the_extra() -> None:
    import importlib.util

    import tender.integrations.skypilot as package

    if importlib.util.find_spec("sky") is not None:  # the SkyPilot venv: tests/skypilot covers it
        return
    with pytest.raises(ImportError, match=r"pip install 'tender\[skypilot\]'"):
        _ = package.ContractPolicy
