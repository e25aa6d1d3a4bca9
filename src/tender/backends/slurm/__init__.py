"""Slurm: the batch script rendered as a pure function (`render`), the CLI tools in a thin client (`client`)."""

from tender.backends.slurm.client import SlurmBackend
from tender.backends.slurm.render import SlurmTarget, render_sbatch

__all__ = ["SlurmBackend", "SlurmTarget", "render_sbatch"]
