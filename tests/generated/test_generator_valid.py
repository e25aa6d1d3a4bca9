"""The scenario generator: every seed validates, the same seed gives the same bytes, and the first
300 small seeds use every part of the scenario language a few times."""

from __future__ import annotations

import hashlib
import math
import os
import random
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from gen_common import Doc
from scenario_features import clauses, features
from scenario_gen import generate, to_yaml

from tender.config import InputError, load_scenario_text

SMALL = range(300)
MEDIUM = range(30)
AT_LEAST = 3  # occurrences over the 300 small seeds
REQUIRED = (
    *(f"kind:{k}" for k in ("hyperscaler", "joint_venture_campus", "neocloud", "marketplace", "owned")),
    *(
        f"clause:{t}"
        for t in (
            "rofr",
            "first_ship",
            "workload_exclusivity",
            "committed_spend",
            "take_or_pay",
            "reserved_capacity",
            "data_residency",
            "revenue_share",
        )
    ),
    *(f"amend:{a}" for a in ("terminate", "add_contract", "set_field")),
    *(f"set_field:{f}" for f in ("outbound_cap_usd", "total_usd", "response_window_days", "gpus")),
    *(f"add:{t}" for t in ("rofr", "committed_spend")),
    "reserved:billing:full_reservation_regardless_of_use",
    "reserved:billing:prepaid_upfront",
    "reserved:burst:on_demand",
    "reserved:burst:contract",
    "reserved:burst-on-null-rate",
    "reserved:no-region",
    "reserved:starts-mid-horizon",
    "right:on_expiry:deemed_declined",
    "right:on_expiry:deemed_exercised",
    "right:window-0",
    "right:match:match_best_offer",
    "right:match:accept_or_decline",
    "right:partial:True",
    "right:partial:False",
    "right:applies_to:new_capacity",
    "right:applies_to:all_capacity",
    *(f"right:scope:{k}" for k in ("workloads", "workload_classes", "gpus", "regions", "products")),
    "carve:existing_contracted_capacity",
    "carve:scoped",
    "carve:scoped-providers",
    "right:starts-mid-horizon",
    "right:ends-mid-horizon",
    "right:holder-with-new",
    "right:holder-without-new",
    "rights:two-holders",
    "commit:chained",
    "commit:chain-of-3",
    "exclusivity:workloads",
    "exclusivity:workload_classes",
    "revenue_share:cap",
    "campus_phases",
    "single_site",
    "new_capacity_offerable",
    "full_rack_only",
    "rack_size",
    "no-rack_size",
    "spot-only",
    "rate:catalog",
    *(f"rate-null:{k}" for k in ("contract", "on_demand", "spot")),
    *(f"lead_time:{n}" for n in range(4)),
    "step:zero-at-month-1",
    "step:to-zero",
    "step:rises",
    "step:falls",
    "demand:continuous_training",
    "demand:training_runs",
    "fleet:preemptible_ok",
    "fleet:regions_allowed",
    "run:tight-window",
    "run:multi-month",
    "run:several-gpu-types",
    "flag:demand-over-capacity",
    "flag:unservable-demand",
    "flag:invalid-script",
    *(f"response:{k}" for k in ("decline", "silent", "exercise", "exercise-all")),
    "forecast:revenue_forecast_usd",
    "forecast:revenue_forecast_usd_billions",
)


@pytest.fixture(scope="module")
def small_docs() -> dict[int, Doc]:
    return {seed: generate(seed) for seed in SMALL}


def _problems(doc: Doc, name: str) -> list[str]:
    try:
        load_scenario_text(to_yaml(doc), name)
    except InputError as exc:
        return [str(p) for p in exc.problems]
    return []


def test_small_seeds_all_load_without_problems(small_docs: dict[int, Doc]) -> None:
    bad = {seed: p for seed, doc in small_docs.items() if (p := _problems(doc, f"small-{seed}.yaml"))}
    assert bad == {}


def test_medium_seeds_all_load_without_problems() -> None:
    bad = {seed: p for seed in MEDIUM if (p := _problems(generate(seed, "medium"), f"medium-{seed}.yaml"))}
    assert bad == {}


def test_sizes_keep_their_bounds(small_docs: dict[int, Doc]) -> None:
    for doc in small_docs.values():
        assert 6 <= doc["scenario"]["horizon_months"] <= 12
        assert 2 <= len(doc["providers"]) <= 7
        assert 2 <= len(doc["gpu_catalog"]) <= 5  # 2-4, plus the unservable accelerator now and then
    medium = [generate(seed, "medium") for seed in range(5)]
    assert all(len(d["providers"]) >= 5 for d in medium)


def test_same_seed_same_bytes_whatever_the_global_random_state() -> None:
    for seed in range(20):
        random.seed(1)
        first = to_yaml(generate(seed))
        random.seed(2)
        assert to_yaml(generate(seed)) == first
    assert to_yaml(generate(7, "medium")) == to_yaml(generate(7, "medium"))


def test_seeds_and_sizes_give_different_scenarios() -> None:
    texts = {to_yaml(generate(seed)) for seed in range(50)}
    assert len(texts) == 50
    assert to_yaml(generate(3)) != to_yaml(generate(3, "medium"))


def test_same_bytes_in_another_process_with_another_hash_seed() -> None:
    def digests() -> str:
        return "\n".join(hashlib.sha256(to_yaml(generate(s)).encode()).hexdigest() for s in range(15))

    here = Path(__file__).resolve().parent
    code = (
        "import hashlib, sys; sys.path.insert(0, sys.argv[1]); from scenario_gen import generate, to_yaml; "
        "print('\\n'.join(hashlib.sha256(to_yaml(generate(s)).encode()).hexdigest() for s in range(15)))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run(
        [sys.executable, "-c", code, str(here)], capture_output=True, text=True, env=env, check=True
    )
    assert out.stdout.strip() == digests()


def test_yaml_keeps_exact_decimals() -> None:
    doc = generate(0)
    scenario = load_scenario_text(to_yaml(doc), "gen-0.yaml")
    for pid, p in doc["providers"].items():
        for gpu, r in p["rates"].items():
            for key in ("contract", "spot"):
                if isinstance(r.get(key), float):
                    assert str(getattr(scenario.providers[pid].rates[gpu], key)) == repr(r[key])


def test_every_feature_occurs_a_few_times(small_docs: dict[int, Doc]) -> None:
    counts: Counter[str] = Counter()
    for doc in small_docs.values():
        counts.update(features(doc))
    rare = {name: counts[name] for name in REQUIRED if counts[name] < AT_LEAST}
    assert rare == {}


def _block_and_partial(doc: Doc, holder: str | None) -> tuple[int, bool]:
    """The lcm of the blocks (as amended too) of every right an answer naming `holder` reaches,
    and whether all of them allow a partial exercise."""
    rights = [
        c for c, _ in clauses(doc) if c["type"] in ("rofr", "first_ship") and holder in (None, c["holder"])
    ]
    ids = {c["id"] for c in rights}
    blocks = [int(c.get("min_exercise_block_gpus", 1)) for c in rights]
    blocks += [
        int(ch["value"])
        for a in doc.get("amendments", [])
        for ch in a["changes"]
        if ch["action"] == "set_field" and ch["field"] == "min_exercise_block_gpus" and ch["contract"] in ids
    ]
    partial = all(c.get("partial_exercise", c["type"] == "rofr") for c in rights)
    return math.lcm(*blocks), partial


def test_scripted_exercises_are_whole_blocks_unless_flagged(small_docs: dict[int, Doc]) -> None:
    """A scripted answer reaches every right of the holder it names (every right when it names none)
    and is taken as written: a partial exercise must be whole blocks of each, or the scenario says
    "invalid-script"; an answer without `exercise_gpus` takes all that is noticed."""
    flagged = partial_answers = 0
    for seed, doc in small_docs.items():
        whole = []
        for r in doc.get("rofr_responses", []):
            if "exercise_gpus" in r:
                block, partial = _block_and_partial(doc, r.get("holder"))
                whole.append(partial and r["exercise_gpus"] % block == 0)
                partial_answers += 1
        if "invalid-script" in doc["scenario"]["description"]:
            flagged += 1
            assert not all(whole), seed
        else:
            assert all(whole), seed
    assert flagged >= AT_LEAST
    assert partial_answers - flagged >= AT_LEAST
