"""tender.backends: execution engines behind the `tender.ports.Backend` port.

1. `make_backend(spec, state_dir, clock, gpus)` turns a provider's `BackendSpec` (`kind` + string options)
   into an adapter; a local or fake engine holds the pool's `gpus` unless its options name a count.
2. Adapters: `local` (processes), `slurm` (sbatch/squeue/sacct), `ray` (Jobs SDK), `fake` (unit tests).
3. Every real adapter runs its commands under the fence wrapper (`tender.fence`) with the runtime's
   `LeaseSettings`; a `lease_dir` option moves that engine's lease files (a path its nodes share).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from tender.backends.fake import FakeBackend
from tender.backends.local import LocalBackend
from tender.backends.ray import RayBackend
from tender.backends.slurm import SlurmBackend, SlurmTarget
from tender.domain.provider import BackendSpec
from tender.fence.lease import LeaseSettings
from tender.ports import Backend, Clock

KINDS = ("local", "slurm", "ray", "fake")


class UnknownBackend(ValueError):
    pass


def make_backend(
    spec: BackendSpec,
    state_dir: Path,
    clock: Clock | None = None,
    gpus: int | None = None,
    lease: LeaseSettings | None = None,
) -> Backend:
    """Build the adapter for `spec`; `state_dir` holds local attempts, Slurm logs and (by default) the
    lease files. `gpus` (the pool's size) is what a local or fake engine holds unless its own `gpus`
    option says otherwise."""
    options = dict(spec.options)
    lease = lease or LeaseSettings(state_dir / "leases")
    if options.get("lease_dir"):
        lease = replace(lease, root=Path(options["lease_dir"]))
    if spec.kind == "local":
        return LocalBackend(state_dir / "local", gpus=int(options.get("gpus", gpus or 0)), lease=lease)
    if spec.kind == "slurm":
        target = SlurmTarget(
            partition=options.get("partition") or None,
            log_dir=options.get("log_dir", str(state_dir / "slurm-logs")),
            gpu_type=options.get("gres_type") or None,
            account=options.get("account") or None,
            time_limit=options.get("time_limit") or None,
        )
        return SlurmBackend(
            target, accounting=options.get("accounting", "true").lower() != "false", lease=lease
        )
    if spec.kind == "ray":
        return RayBackend(options.get("address", "http://127.0.0.1:8265"), lease=lease)
    if spec.kind == "fake":
        if clock is None:
            raise UnknownBackend("the fake backend needs a clock")
        return FakeBackend(clock, gpus=int(options.get("gpus", gpus or 4)))
    raise UnknownBackend(f"unknown backend kind {spec.kind!r}; choose one of {', '.join(KINDS)}")


__all__ = [
    "KINDS",
    "FakeBackend",
    "LocalBackend",
    "RayBackend",
    "SlurmBackend",
    "SlurmTarget",
    "UnknownBackend",
    "make_backend",
]
