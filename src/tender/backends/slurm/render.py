"""The sbatch script for one attempt, as a pure function of the request (golden-file tested)."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

from tender.ports import RunRequest

_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class SlurmTarget:
    partition: str | None = None
    log_dir: str = "/tmp/tender-slurm"
    gpu_type: str | None = None  # the GRES type the cluster advertises (None = untyped gres/gpu)
    account: str | None = None
    time_limit: str | None = None  # sbatch --time, e.g. "1:00:00"


def gres(gpus: int, gpu_type: str | None) -> str:
    return f"gpu:{gpu_type}:{gpus}" if gpu_type else f"gpu:{gpus}"


def render_sbatch(request: RunRequest, target: SlurmTarget) -> str:
    """1. directives  2. Tender's own environment  3. the user's environment  4. the command, verbatim."""
    lines = ["#!/bin/bash", f"#SBATCH --job-name={request.key}"]
    if target.partition:
        lines.append(f"#SBATCH --partition={target.partition}")
    if target.account:
        lines.append(f"#SBATCH --account={target.account}")
    if request.gpus > 0:
        lines.append(f"#SBATCH --gres={gres(request.gpus, target.gpu_type)}")
    if target.time_limit:
        lines.append(f"#SBATCH --time={target.time_limit}")
    lines += [
        f"#SBATCH --output={target.log_dir}/%j.log",
        f"#SBATCH --chdir={request.workdir or target.log_dir}",
        "#SBATCH --no-requeue",  # Tender decides where a lost attempt goes next
        f"#SBATCH --comment=tender:{request.job_id}:{request.attempt}",
        "",
        f"export TENDER_JOB_ID={shlex.quote(request.job_id)}",
        f"export TENDER_ATTEMPT={request.attempt}",
        f"export TENDER_RUN_KEY={shlex.quote(request.key)}",
    ]
    for name in sorted(request.env):
        if not _ENV_NAME.match(name):
            raise ValueError(f"environment variable name {name!r} is not a shell name")
        lines.append(f"export {name}={shlex.quote(request.env[name])}")
    lines += ["", request.command.rstrip("\n"), ""]
    return "\n".join(lines)
