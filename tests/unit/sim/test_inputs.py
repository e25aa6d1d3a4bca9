"""Trace and pool loaders, Gavel generator, CLI: good input and bad input (exit 2, file/line/field)."""

from __future__ import annotations

import itertools
import json
import math
import random
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tender.cli.app import app
from tender.config.errors import InputError
from tender.sim.gavel import JOB_TABLE, GavelWorkload, throughputs
from tender.sim.pools import load_pools_yaml, philly_pools, pools_from_plan
from tender.sim.traces import TraceError, load_trace, parse_trace

HEADER = "job_id,submit_time_s,duration_s,num_gpus,gpu_type,user_or_vc,status\n"
runner = CliRunner()


def test_packaged_philly_trace() -> None:
    trace = load_trace()
    assert len(trace.jobs) == 82_247
    assert sum(p.count for p in philly_pools()) == 2_816
    assert len(philly_pools(per_vc=True)) == 11


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("job_id,submit_time_s,num_gpus\nj,0,1\n", "t.csv:1: missing column(s) duration_s"),
        (HEADER + "j,0,-5,1,,vc,\n", "t.csv:2: duration_s must not be negative"),
        (HEADER + "j,0,abc,1,,vc,\n", "t.csv:2: duration_s must be a number, got 'abc'"),
        (HEADER + "j,0,5,0,,vc,\n", "t.csv:2: num_gpus must be a whole number >= 1"),
        (HEADER + "a,0,5,1,,vc,\na,1,5,1,,vc,\n", "t.csv:3: job_id 'a' is empty or repeated"),
        ("", "t.csv: empty trace"),
    ],
)
def test_bad_trace_names_the_row(text: str, message: str) -> None:
    with pytest.raises(TraceError) as info:
        parse_trace(text, "t.csv")
    assert message in str(info.value)


POOLS_OK = """\
pools:
  - id: az
    provider: azure
    region: us
    gpu: h100
    count: 16
    price_per_gpu_hour: "2.50"
  - id: spot
    provider: market
    region: eu
    gpu: h100
    count: 8
    price_per_gpu_hour: 1.10
    preemptible: true
rules:
  exclusivity: {gpt: azure}
  residency: {eu-data: [eu]}
faults:
  - {pool: spot, start_s: 100, end_s: 200, kind: spot}
"""


def test_pools_yaml(tmp_path: Path) -> None:
    path = tmp_path / "pools.yaml"
    path.write_text(POOLS_OK)
    loaded = load_pools_yaml(path)
    assert [p.id for p in loaded.pools] == ["az", "spot"]
    assert str(loaded.pools[1].price_per_gpu_hour) == "1.10"  # exact, as written
    assert loaded.rules.exclusivity == {"gpt": "azure"}
    assert loaded.faults[0].kind == "spot"


@pytest.mark.parametrize(
    ("edit", "where"),
    [
        (("count: 16", "count: -1"), ":6:12: pools[0].count"),
        (("gpu: h100\n    count: 8", "gpu: h100\n    count: 8\n    colour: red"), ":13:5: pools[1].colour"),
        (("pool: spot", "pool: nowhere"), ":19:12: faults[0].pool: unknown pool"),
    ],
)
def test_pools_yaml_errors_name_line_and_field(tmp_path: Path, edit: tuple[str, str], where: str) -> None:
    path = tmp_path / "pools.yaml"
    path.write_text(POOLS_OK.replace(*edit))
    with pytest.raises(InputError) as info:
        load_pools_yaml(path)
    assert f"{path}{where}" in str(info.value)


def test_pools_from_plan(tmp_path: Path) -> None:
    award = {"provider": "az", "region": "us", "gpu": "h100", "gpus": 64, "rate_usd_per_gpu_hour": "2.10"}
    plan = {"awards": [{**award, "month": 1}, {**award, "month": 1, "gpus": 32}, {**award, "month": 2}]}
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan))
    (p,) = pools_from_plan(path, 1)
    assert (p.id, p.count, str(p.price_per_gpu_hour)) == ("az/us/h100", 96, "2.10")
    path.write_text(json.dumps({"awards": [{"provider": "x"}]}))
    with pytest.raises(InputError, match=r"awards\[0\]\.region: missing"):
        pools_from_plan(path)


def test_gavel_generator_follows_the_recipe() -> None:
    jobs = GavelWorkload(rate_per_hour=2.0, seed=0).jobs()
    first = [next(jobs) for _ in range(2000)]
    assert len(JOB_TABLE) == 26
    assert all(j.gpus == 1 for j in first)
    # Reproduce job 0 by hand from the documented streams.
    rng = random.Random(2)
    rng.uniform(0, 1)
    long_branch = rng.random() >= 0.8
    run_time = 60 * 10 ** rng.uniform(3, 4) if long_branch else 60 * 10 ** rng.uniform(1.5, 3)
    model, _ = rng.choice(JOB_TABLE)
    assert first[0].workload == model
    assert first[0].work == pytest.approx(run_time * throughputs()[(model, 1)]["v100"])
    gaps = [b.arrival - a.arrival for a, b in itertools.pairwise(first)]
    assert sum(gaps) / len(gaps) == pytest.approx(1800.0, rel=0.1)  # 2 jobs/hour
    assert first[1].arrival == pytest.approx(-math.log(1 - random.Random(3).random()) / (2.0 / 3600))
    multi = GavelWorkload(rate_per_hour=2.0, seed=0, multi_gpu=True).jobs()
    sizes = [next(multi).gpus for _ in range(2000)]
    assert set(sizes) == {1, 2, 4, 8} and 0.6 < sizes.count(1) / 2000 < 0.8


def test_cli_unknown_policy_exits_2() -> None:
    result = runner.invoke(app, ["simulate", "--policy", "sjf"])
    assert result.exit_code == 2
    assert "--policy: unknown policy 'sjf'" in result.output


def test_cli_bad_trace_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text(HEADER + "j,0,-1,1,,vc,\n")
    result = runner.invoke(app, ["simulate", "--trace", str(path)])
    assert result.exit_code == 2
    assert f"{path}:2: duration_s must not be negative" in result.output


def test_cli_trace_json_and_report_are_deterministic(tmp_path: Path) -> None:
    trace = tmp_path / "t.csv"
    trace.write_text(HEADER + "".join(f"j{i},{i * 50},{300 + i * 7},{1 + i % 3},,vc,\n" for i in range(40)))
    pools = tmp_path / "pools.yaml"
    pools.write_text(POOLS_OK)
    outputs = []
    for n in range(2):
        out, html = tmp_path / f"o{n}.json", tmp_path / f"r{n}.html"
        args = ["simulate", "--trace", str(trace), "--pools", str(pools), "--policy", "cost_het"]
        result = runner.invoke(app, [*args, "--json", str(out), "--report", str(html)])
        assert result.exit_code == 0, result.output
        data = json.loads(out.read_text())
        assert {"avg_jct_hours", "p99_jct_hours", "avg_queue_hours", "utilization", "cost_usd"} <= set(data)
        assert {"jobs_completed", "events_processed", "wall_seconds"} <= set(data)
        data.pop("wall_seconds")
        outputs.append((json.dumps(data, sort_keys=True), html.read_text()))
    assert outputs[0] == outputs[1]
    assert "<svg" in outputs[0][1] and "JCT CDF" in outputs[0][1]


def test_cli_gavel_compat_small_run_is_byte_identical(tmp_path: Path) -> None:
    docs = []
    for n in range(2):
        out = tmp_path / f"c{n}.json"
        args = ["simulate", "gavel", "--cluster", "v100=4,p100=4,k80=4", "--rate", "2", "--policy", "fifo"]
        result = runner.invoke(app, [*args, "--measure", "5:25", "--compat", "1f6f02e", "--json", str(out)])
        assert result.exit_code == 0, result.output
        data = json.loads(out.read_text())
        data.pop("wall_seconds")
        docs.append(json.dumps(data, sort_keys=True))
    assert docs[0] == docs[1]
    assert json.loads(docs[0])["compat"] == "1f6f02e" and json.loads(docs[0])["jobs_completed"] == 20


def test_cli_gavel_small_run(tmp_path: Path) -> None:
    out = tmp_path / "g.json"
    args = ["simulate", "gavel", "--cluster", "v100=8,p100=8,k80=8", "--rate", "0.3", "--policy", "las_het"]
    result = runner.invoke(app, [*args, "--measure", "5:15", "--json", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    assert data["jobs_measured"] == 10 and data["jobs_completed"] == 10 and data["lp_solves"] > 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--cluster", "a100=4"], "--cluster: Gavel measured only"),
        (["--cluster", "v100"], "--cluster: expected TYPE=COUNT"),
        (["--measure", "9:3"], "--measure: expected START:END"),
        (["--rate", "0"], "'--rate': must be greater than 0"),
        (["--compat", "c4fa400"], "--compat: unknown Gavel commit 'c4fa400'"),
        (["--compat", "1f6f02e", "--policy", "cost_het"], "--compat: Gavel has no cost_het"),
    ],
)
def test_cli_gavel_bad_flags(args: list[str], message: str) -> None:
    result = runner.invoke(app, ["simulate", "gavel", *args])
    assert result.exit_code == 2 and message in result.output


def test_cli_compare(tmp_path: Path) -> None:
    trace = tmp_path / "t.csv"
    trace.write_text(HEADER + "".join(f"j{i},{i * 50},{300 + i},1,,vc,\n" for i in range(10)))
    result = runner.invoke(app, ["simulate", "compare", "--trace", str(trace), "--policies", "fifo,fifo_het"])
    assert result.exit_code == 0, result.output
    assert "fifo | default" in result.output and "avg_jct_hours" in result.output
