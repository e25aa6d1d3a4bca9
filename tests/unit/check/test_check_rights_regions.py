"""Rights rules added with the generator's findings: a notice releases capacity in its own region
only; a refused scripted answer is the script's mistake (reported, not a plan violation)."""

from __future__ import annotations

from pathlib import Path

from check_builders import changed, minimal, minimal_plan, rofr_notice

from tender.check import check_plan
from tender.config import load_scenario_text

MINIMAL = Path(__file__).resolve().parents[3] / "examples" / "minimal.yaml"
REFUSED = "respond pretrain-x/GB200/rival-cloud-a: not_block_multiple (c-rofr) 100 is not a multiple of 2304"


def codes(found: list) -> list[str]:  # type: ignore[type-arg]
    return sorted({str(v.code) for v in found})


def test_a_notice_for_another_region_releases_nothing_here() -> None:
    plan = minimal_plan(notices=[rofr_notice(region="us-east")])  # the run is at us-central
    assert codes(check_plan(minimal(), plan)) == ["rofr_no_notice"]


def test_the_hand_built_plan_is_clean_with_its_own_region() -> None:
    assert check_plan(minimal(), minimal_plan()) == []


def test_a_refused_scripted_answer_is_not_a_plan_violation() -> None:
    scripted = load_scenario_text(
        MINIMAL.read_text() + "rofr_responses:\n  - {need: pretrain-x, exercise_gpus: 100}\n", "scripted.yaml"
    )
    plan = changed(minimal_plan(), "protocol_rejections", [REFUSED])
    assert check_plan(scripted, plan) == []
    assert codes(check_plan(minimal(), plan)) == ["protocol_rejection"]  # no script: the planner's own
