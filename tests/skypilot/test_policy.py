"""`ContractPolicy` with the real SkyPilot: task YAML files loaded by SkyPilot, run through the policy.

Expected clouds and regions come from examples/frontier-lab.yaml's clauses and `skypilot:` mappings:
primary-cloud = Azure (us-central -> centralus, eu-west -> westeurope), jv-datacenter = OCI
(us-south -> us-phoenix-1), rival-cloud-a = AWS, rival-cloud-b = GCP, neocloud-b = Nebius.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sky
from sky import exceptions
from sky.server.requests.request_names import AdminPolicyRequestName
from sky.utils import common_utils, dag_utils, schemas
from sky_helpers import EXAMPLE, TASKS, from_file, user_request, where

from tender.integrations.skypilot import ContractPolicy


@pytest.fixture(autouse=True)
def _example(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TENDER_SCENARIO", str(EXAMPLE))
    monkeypatch.setenv("TENDER_MONTH", "3")
    monkeypatch.delenv("TENDER_URL", raising=False)


def _apply(file: str, name: AdminPolicyRequestName = AdminPolicyRequestName.CLUSTER_LAUNCH) -> object:
    return ContractPolicy.validate_and_mutate(from_file(file, name)).task


def test_policy_is_a_sky_admin_policy() -> None:
    assert issubclass(ContractPolicy, sky.AdminPolicy)


@pytest.mark.parametrize("file", ["api_h100_anywhere.yaml", "api_h100_any_of.yaml"])
def test_api_serving_is_steered_to_the_primary_cloud(file: str) -> None:
    task = _apply(file)
    assert isinstance(task.resources, list)  # ordered: Tender's order
    assert where(task) == [
        ("Azure", "centralus", {"H100": 8}, False),
        ("Azure", "westeurope", {"H100": 8}, False),
    ]
    assert all(r.labels == {"tender.workload": "api-serving"} for r in task.resources)


def test_eu_task_goes_to_eu_regions_only() -> None:
    task = _apply("eu_inference.yaml")
    assert where(task) == [("Azure", "westeurope", {"H100": 8}, False)]
    assert [r.ports for r in task.resources] == [["8080"]]


def test_training_gb200_at_a_rival_is_rejected_rofr_pending() -> None:
    with pytest.raises(exceptions.UserRequestRejectedByPolicy) as caught:
        _apply("train_gb200_rival.yaml", AdminPolicyRequestName.JOBS_LAUNCH)
    message = str(caught.value)
    assert "rofr_pending [c-primary-rofr]" in message
    assert "rival-cloud-a/us-east GB200" in message


def test_training_gb200_in_an_ordered_list_keeps_only_what_the_contracts_allow() -> None:
    task = _apply("train_gb200_anywhere.yaml")
    # 18 nodes x 4 = 72 GB200: the campus (take-or-pay 3.40) before the holder (6.50); AWS dropped (ROFR)
    assert where(task) == [
        ("OCI", "us-phoenix-1", {"GB200": 4}, False),
        ("Azure", "centralus", {"GB200": 4}, False),
    ]
    assert task.num_nodes == 18


def test_first_ship_right(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the example has no first-ship clause: add one (primary-cloud, consumer-chat, months 17..24)
    text = EXAMPLE.read_text().replace(
        "\namendments:\n",
        "\n  - {id: c-primary-first-ship, type: first_ship, holder: primary-cloud, workloads: [consumer-chat],"
        " effective_from_month: 17, effective_to_month: 24}\namendments:\n",
        1,
    )
    variant = tmp_path / "first-ship.yaml"
    variant.write_text(text)
    monkeypatch.setenv("TENDER_SCENARIO", str(variant))
    monkeypatch.setenv("TENDER_MONTH", "18")
    with pytest.raises(
        exceptions.UserRequestRejectedByPolicy, match=r"first_ship_pending \[c-primary-first-ship\]"
    ):
        _apply("consumer_chat_rival.yaml", AdminPolicyRequestName.SERVE_UP)


def test_tasks_without_accelerators_pass_unchanged() -> None:
    request = from_file("cpu_only.yaml", AdminPolicyRequestName.JOBS_LAUNCH_CONTROLLER)
    before = list(request.task.resources)
    after = ContractPolicy.validate_and_mutate(request).task
    assert list(after.resources) == before


def test_unknown_workload_is_rejected_naming_the_label() -> None:
    with pytest.raises(exceptions.UserRequestRejectedByPolicy, match=r"unknown_workload.*tender\.workload"):
        _apply("unknown_workload.yaml")


def test_each_task_of_a_pipeline_is_its_own_request() -> None:
    dag = dag_utils.load_chain_dag_from_yaml(str(TASKS / "pipeline.yaml"))
    out = [
        ContractPolicy.validate_and_mutate(user_request(t, AdminPolicyRequestName.JOBS_LAUNCH)).task
        for t in dag.tasks
    ]
    assert [where(t)[0][:2] for t in out] == [("Azure", "centralus"), ("Azure", "westeurope")]


def test_rewritten_task_passes_skypilot_schema_validation_and_round_trips() -> None:
    for file in ("api_h100_any_of.yaml", "eu_inference.yaml", "train_gb200_anywhere.yaml"):
        task = _apply(file)
        config = task.to_yaml_config()
        config.pop("_user_specified_yaml", None)  # SkyPilot's own bookkeeping, outside its task schema
        common_utils.validate_schema(config, schemas.get_task_schema(), "Invalid task YAML: ")
        again = sky.Task.from_yaml_config(config)
        assert where(again) == where(task)


def test_bad_settings_are_one_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TENDER_MONTH", "30")
    with pytest.raises(ValueError, match=r"TENDER_MONTH=30 is outside frontier-lab-24m's horizon \(1..24\)"):
        _apply("eu_inference.yaml")


def test_decisions_go_to_the_audit_chain_when_a_database_is_configured(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    from tender.ledger.sql import Database, audit_store

    url = f"sqlite:///{tmp_path / 'tender.db'}"
    monkeypatch.setenv("TENDER_DATABASE_URL", url)
    _apply("eu_inference.yaml")
    with pytest.raises(exceptions.UserRequestRejectedByPolicy):
        _apply("train_gb200_rival.yaml", AdminPolicyRequestName.JOBS_LAUNCH)
    db = Database(url)
    with db.read() as session:
        rows = audit_store.records(session, after=-1, limit=10, kind="skypilot.decision")
        found = [json.loads(r.record)["data"] for r in rows]
        chain = audit_store.verify_chain(session)
    assert [(d["task"], d["rejected"], d["request_name"]) for d in found] == [
        ("eu-enterprise-inference", False, "launch"),
        ("pretrain-v6", True, "jobs.launch"),
    ]
    assert found[0]["allowed"][0]["infra"] == "azure/westeurope"
    assert found[1]["refused"][0]["code"] == "rofr_pending"
    assert chain.ok
    db.dispose()


@pytest.mark.parametrize(
    "name",
    [
        AdminPolicyRequestName.VALIDATE,
        AdminPolicyRequestName.OPTIMIZE,
        AdminPolicyRequestName.CLUSTER_EXEC,
        AdminPolicyRequestName.JOBS_LAUNCH,
        AdminPolicyRequestName.JOBS_LAUNCH_CLUSTER,
        AdminPolicyRequestName.SERVE_UP,
        AdminPolicyRequestName.SERVE_LAUNCH_REPLICA,
    ],
)
def test_every_request_kind_is_checked_the_same_way(name: AdminPolicyRequestName) -> None:
    assert where(_apply("eu_inference.yaml", name)) == [("Azure", "westeurope", {"H100": 8}, False)]
    with pytest.raises(exceptions.UserRequestRejectedByPolicy, match="rofr_pending"):
        _apply("train_gb200_rival.yaml", name)


def test_an_already_rewritten_task_is_rewritten_to_itself() -> None:
    # jobs.launch, then jobs.launch_cluster on the controller: the policy sees its own output again
    first = _apply("train_gb200_anywhere.yaml", AdminPolicyRequestName.JOBS_LAUNCH)
    again = ContractPolicy.validate_and_mutate(
        user_request(first, AdminPolicyRequestName.JOBS_LAUNCH_CLUSTER)
    ).task
    assert where(again) == where(first)
