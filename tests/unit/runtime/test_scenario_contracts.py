"""Scenario pools in the live runtime: the contract engine decides, month by month (not a hand-made map)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from tender.backends import FakeBackend
from tender.clocks import ManualClock
from tender.placement import JobRequest, Reason
from tender.runtime.driver import Runtime
from tender.runtime.pools import from_json, from_scenario, to_json
from tender.runtime.spec import JobSpec
from tender.runtime.store import Store

MINIMAL = (Path(__file__).resolve().parents[3] / "examples" / "minimal.yaml").read_text()
# Both clouds run jobs; the API is exclusive to primary-cloud only until month 6 (a bounded clause, which the
# runtime's old hand-made map ignored), and a research workload must stay in us-east.
TEXT = (
    MINIMAL.replace(
        "    lead_time_months: 2\n", "    lead_time_months: 2\n    backend: {kind: fake, gpus: 2}\n"
    )
    .replace(
        "  rival-cloud-a:\n    kind: hyperscaler\n",
        "  rival-cloud-a:\n    kind: hyperscaler\n    backend: {kind: fake, gpus: 2}\n",
    )
    .replace("    workloads: [api-serving]\n", "    workloads: [api-serving]\n    effective_to_month: 6\n")
    .replace(
        "\ndemand:\n",
        "  - {id: c-east, type: data_residency, workloads: [east-research], allowed_regions: [us-east]}\n\ndemand:\n",
    )
    .replace(
        "  training_runs:\n",
        "    - {id: east-research, workload_class: research, allowed_gpus: [H100],"
        " h100_eq: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]}\n  training_runs:\n",
    )
)
PRIMARY, RIVAL_EAST = "primary-cloud/H100/us-central", "rival-cloud-a/H100/us-east"


def _epoch(month_start: datetime) -> float:
    return month_start.timestamp()


def test_exclusivity_and_residency_come_from_the_contract_engine_by_month() -> None:
    config = from_json(to_json(from_scenario(TEXT, "s.yaml")))  # survives the round trip through the store
    calendar_start = datetime(2026, 7, 1, tzinfo=UTC)
    pools = {p.id: p.placement_pool() for p in config.pools}
    api = JobRequest(
        "api-1",
        1,
        0.0,
        1.0,
        gpu_types=frozenset({"h100"}),
        workload_class="inference",
        workload="api-serving",
    )
    research = JobRequest(
        "r-1", 1, 0.0, 1.0, gpu_types=frozenset({"h100"}), workload_class="research", workload="east-research"
    )
    month_2 = config.rules(_epoch(calendar_start.replace(month=8)))
    assert month_2(api, pools[PRIMARY]).ok
    refused = month_2(api, pools[RIVAL_EAST])
    assert refused.reason is Reason.EXCLUSIVE_TO_OTHER and refused.clause == "c-api-exclusive"
    assert month_2(research, pools[RIVAL_EAST]).ok
    assert month_2(research, pools[PRIMARY]).reason is Reason.RESIDENCY
    month_8 = config.rules(_epoch(datetime(2027, 2, 1, tzinfo=UTC)))  # the exclusivity ended after month 6
    assert month_8(api, pools[RIVAL_EAST]).ok


def test_an_exclusive_job_never_lands_on_a_rival_pool(tmp_path: Path) -> None:
    # only the rival's pools run jobs here: the one free H100 pool is a rival's
    rival_only = TEXT.replace(
        "    lead_time_months: 2\n    backend: {kind: fake, gpus: 2}\n", "    lead_time_months: 2\n"
    )
    config = from_scenario(rival_only, "s.yaml")
    assert PRIMARY not in {p.id for p in config.pools}
    clock = ManualClock(datetime(2026, 8, 1, tzinfo=UTC))
    backends = {p.id: FakeBackend(clock, gpus=2, default_seconds=100) for p in config.pools}
    store = Store(f"sqlite:///{tmp_path / 'rt.db'}")
    runtime = Runtime(store, config, clock, tmp_path, backends=backends, lost_after=30)
    job = runtime.submit(JobSpec("api", "true", 1, ("h100",), "inference", "api-serving"))
    other = runtime.submit(JobSpec("batch", "true", 1, ("h100",), "inference", "east-research"))
    runtime.tick()
    assert {j["id"]: j["state"] for j in store.jobs()}[other] == "running"  # the pool itself was free
    [row] = [j for j in store.jobs() if j["id"] == job]
    assert runtime.store.attempts_of(job) == []  # never placed on the rival's free pool
    # no pool it may use exists at all here, so it is refused up front, with the contract's reason
    assert row["state"] == "rejected" and "exclusive_to_other" in row["reason"], row
