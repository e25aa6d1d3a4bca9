"""Variant overlays (`tender.config.overlay`): merged onto the base, every problem at the overlay's
FILE:LINE:COL (counted by hand in the overlay texts below), or at the base's when the base's own
text is at fault."""

from __future__ import annotations

from pathlib import Path

import pytest

from tender.config import InputError, load_scenario
from tender.config.overlay import build, load_base, load_variant

REPO = Path(__file__).resolve().parents[3]
BASE = str(REPO / "examples" / "frontier-lab.yaml")
REGIMES = sorted((REPO / "examples" / "regimes").glob("*.yaml"))


def _variant(tmp_path: Path, text: str) -> str:
    path = tmp_path / "v.yaml"
    path.write_text(text)
    return str(path)


def _problems(tmp_path: Path, text: str) -> list[str]:
    path = _variant(tmp_path, text)
    with pytest.raises(InputError) as info:
        build(load_variant(load_base(BASE), path))
    return [str(p).replace(path, "V") for p in info.value.problems]


@pytest.mark.parametrize(
    ("label", "text", "want"),
    [
        (
            "remove-unknown-contract",
            "contracts:\n  remove: [c-eu-residency, c-nope]\n",
            "V:2:28: contracts.remove[1]: unknown contract 'c-nope': the base has no such contract",
        ),
        (
            "change-unknown-contract",
            "contracts:\n  change:\n    c-nope: {total_usd: 1}\n",
            "V:3:13: contracts.change.c-nope: unknown contract 'c-nope'",
        ),
        (
            "remove-unknown-amendment",
            "amendments:\n  remove: [a-nope]\n",
            "V:2:12: amendments.remove[0]: unknown amendment 'a-nope'",
        ),
        (
            "add-existing-id",
            "contracts:\n  add:\n    - {id: c-eu-residency, type: data_residency, workloads: [batch-inference], "
            "allowed_regions: [eu-west]}\n",
            "V:3:12: contracts.add[0].id: contract 'c-eu-residency' is already in the base",
        ),
        (
            "remove-still-amended",
            "contracts:\n  remove: [c-primary-rofr]\n",
            "V:2:12: contracts.remove[0]: the base's amendment 'a-rofr-for-commit' still changes contract "
            "'c-primary-rofr'",
        ),
        (
            "set-unknown-path",
            "set:\n  providers.nowhere.lead_time_months: 3\n",
            "V:2:3: set.providers.nowhere.lead_time_months: 'providers.nowhere.lead_time_months': providers has no "
            "'nowhere'",
        ),
        (
            "unknown-top-key",
            "variant: {name: x}\ncontract: {}\n",
            "V:2:1: contract: unknown field 'contract' (did you mean 'contracts'?)",
        ),
        (
            "bad-value-in-change",
            "contracts:\n  change:\n    c-primary-commit:\n      total_usd: -5\n",
            "V:4:18: contracts[1].total_usd: Input should be greater than 0",
        ),
    ],
)
def test_overlay_problem_is_located_in_the_overlay(tmp_path: Path, label: str, text: str, want: str) -> None:
    got = _problems(tmp_path, text)
    assert len(got) == 1, got
    assert got[0].startswith(want), got


def test_removal_reindexes_so_a_later_contract_is_still_located(tmp_path: Path) -> None:
    """Removing c-primary-api-exclusivity (base index 6) moves c-primary-revshare (base index 8) to
    index 7; a bad value the overlay wrote is reported at the new index and at the overlay's line 4,
    column 41 (4 spaces + `c-primary-revshare: {outbound_rate: ` is 40 characters)."""
    text = (
        "contracts:\n  remove: [c-primary-api-exclusivity]\n  change:\n"
        "    c-primary-revshare: {outbound_rate: 2}\n"
    )
    assert _problems(tmp_path, text)[0].startswith("V:4:41: contracts[7].outbound_rate:")


def test_a_problem_outside_the_overlay_is_reported_in_the_base(tmp_path: Path) -> None:
    """The overlay lowers c-primary-commit's total below the base's milestones: the problem is on the
    base's `milestones[0].cumulative_usd` (a path the overlay did not write), so it names the base file."""
    text = "contracts:\n  change:\n    c-primary-commit: {total_usd: 5}\n"
    got = _problems(tmp_path, text)
    assert got and all(p.startswith(f"{BASE}:") for p in got), got
    assert "milestones[0].cumulative_usd" in got[0]


def test_an_empty_overlay_is_the_base(tmp_path: Path) -> None:
    path = _variant(tmp_path, "variant: {name: same}\n")
    v = load_variant(load_base(BASE), path)
    assert v.name == "same"
    assert build(v) == load_scenario(BASE)


def test_set_changes_demand_and_rates(tmp_path: Path) -> None:
    text = (
        "set:\n  demand.training_runs.midtrain-v6.5.gpus: 20000\n"
        "  providers.primary-cloud.rates.GB200.contract: 6.10\n"
    )
    sc = build(load_variant(load_base(BASE), _variant(tmp_path, text)))
    run = next(r for r in sc.training_runs if r.id == "midtrain-v6.5")
    assert run.gpus == 20000
    assert str(sc.providers["primary-cloud"].rates["GB200"].contract) == "6.10"


@pytest.mark.parametrize("regime", REGIMES, ids=lambda p: p.stem)
def test_every_shipped_regime_loads_and_names_itself(regime: Path) -> None:
    v = load_variant(load_base(BASE), str(regime))
    assert v.name == regime.stem
    assert build(v).id == "frontier-lab-24m"
