"""Golden files for the sbatch script. Regenerate with TENDER_UPDATE_GOLDEN=1 after an intended change."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tender.backends.slurm.render import SlurmTarget, render_sbatch
from tender.ports import RunRequest

GOLDEN = Path(__file__).parent / "golden"

CASES = {
    "plain": (RunRequest("tender-j1-1", "j1", 1, "python train.py --steps 10", gpus=0), SlurmTarget()),
    "gpus_partition_env": (
        RunRequest(
            "tender-j2-3",
            "j2",
            3,
            "echo $CUDA_VISIBLE_DEVICES\nsleep 1\n",
            gpus=2,
            env={"B": "two words", "A": "it's"},
            workdir="/srv/work",
        ),
        SlurmTarget(partition="debug", log_dir="/var/tmp/tl", time_limit="1:00:00"),
    ),
    "typed_gres_account": (
        RunRequest("tender-j3-1", "j3", 1, "true", gpus=4),
        SlurmTarget(gpu_type="a100", account="lab"),
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_render_matches_golden(name: str) -> None:
    request, target = CASES[name]
    text = render_sbatch(request, target)
    path = GOLDEN / f"{name}.sbatch"
    if os.environ.get("TENDER_UPDATE_GOLDEN") == "1":
        path.write_text(text)
    assert text == path.read_text()


def test_render_is_pure() -> None:
    request, target = CASES["gpus_partition_env"]
    assert render_sbatch(request, target) == render_sbatch(request, target)


def test_bad_env_name_is_refused() -> None:
    with pytest.raises(ValueError, match="shell name"):
        render_sbatch(RunRequest("k", "j", 1, "true", gpus=0, env={"A B": "x"}), SlurmTarget())
