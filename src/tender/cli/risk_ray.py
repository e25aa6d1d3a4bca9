"""`tender risk --ray ADDRESS`: the samples as Ray tasks on an existing cluster (the GCS `host:port`).

1. `ADDRESS` (`HOST:PORT`, `ray://HOST:PORT`, or `auto`: the cluster `ray.init(address="auto")` would
   join, looked up in Ray's order — `RAY_ADDRESS`, the last `ray start` here, the raylets running
   here — and resolved to its `HOST:PORT`; none found is one line, exit 2) is checked first with a
   plain TCP connect (2 s): an unreachable cluster is one line, exit 2;
2. `ray.init(address, runtime_env={"py_modules": [tender]})` ships this checkout's `tender` package, so
   the workers run the same code as the driver;
3. the scenario text goes to the object store once; each task loads it (cached per worker process)
   and evaluates one batch — the same pure `classes.evaluate_group` on the same batches the local
   pool runs (with `share`, one batch per future: `sourcing.risk.classes.batches`);
4. outcomes are put back in sample order; `ray.shutdown()` at the end, also on error.
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import tender
from tender.cli.risk_pool import Done
from tender.config.load import load_scenario_text
from tender.domain import Scenario
from tender.sourcing import PlanOptions
from tender.sourcing.risk.classes import batches, evaluate_group
from tender.sourcing.risk.evaluate import Outcome
from tender.sourcing.risk.first_stage import FirstStage
from tender.sourcing.risk.sampler import inputs

_CACHE: dict[str, Scenario] = {}
K = TypeVar("K")


class RayUnavailable(RuntimeError):
    """The Ray cluster at the address could not be reached or refused the driver."""


def resolve(address: str) -> str:
    """`auto`: the running cluster's GCS `HOST:PORT`, looked up in the order `ray.init(address="auto")`
    uses: `RAY_ADDRESS`; the address the last `ray start` here wrote (`/tmp/ray/ray_current_cluster`);
    the `--gcs-address` of the raylets running here (one cluster only). Any other address as given.
    (Done without importing Ray: Ray reads its node-IP setting once, at import, and `joined` must set
    it for a loopback cluster first.)"""
    if address != "auto":
        return address
    env = os.environ.get("RAY_ADDRESS", "")
    if env and env != "auto":
        return env
    current = Path(tempfile.gettempdir()) / "ray" / "ray_current_cluster"
    if current.is_file() and (text := current.read_text(encoding="utf-8").strip()):
        return text.splitlines()[0]
    found = sorted(_raylet_gcs_addresses())
    if not found:
        raise RayUnavailable(
            "--ray auto: no running Ray cluster found (none here, and RAY_ADDRESS is not set)"
        )
    if len(found) > 1:
        raise RayUnavailable(
            f"--ray auto: several Ray clusters run here ({', '.join(found)}); give one as --ray HOST:PORT"
        )
    return found[0]


def _raylet_gcs_addresses() -> set[str]:
    """The `--gcs-address=HOST:PORT` of every raylet process on this machine (Linux `/proc`)."""
    out: set[str] = set()
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            args = cmdline.read_bytes().split(b"\0")
        except OSError:
            continue  # the process ended, or is not ours to read
        if not args or not args[0].endswith(b"/raylet"):
            continue
        for arg in args:
            for word in arg.decode(errors="replace").split(" "):
                if word.startswith("--gcs-address=") and word.split("=", 1)[1] not in ("", "None"):
                    out.add(word.split("=", 1)[1])
    return out


def check_address(address: str) -> tuple[str, int]:
    """The cluster's host and port (`auto` resolved), after a TCP connect to it answered."""
    found = resolve(address)
    named = f"{address} (found {found})" if found != address else address
    host, _, port = found.removeprefix("ray://").rpartition(":")
    if not host or not port.isdigit():
        raise RayUnavailable(
            f"--ray: '{named}' is not HOST:PORT (the cluster's GCS address, e.g. 127.0.0.1:6379)"
        )
    try:
        with socket.create_connection((host, int(port)), timeout=2.0):
            pass
    except OSError as exc:
        raise RayUnavailable(f"--ray: no Ray cluster answers at {named} ({exc.strerror or exc})") from exc
    return host, int(port)


def _evaluate(
    text: str, name: str, first: FirstStage, seed: int, batch: list[int], options: PlanOptions
) -> list[Outcome]:
    key = hashlib.sha256(text.encode("utf-8")).hexdigest()
    if key not in _CACHE:
        _CACHE[key] = load_scenario_text(text, name)
    return evaluate_group(_CACHE[key], first, seed, batch, options)


@contextmanager
def joined(address: str) -> Iterator[Any]:
    """Join the cluster at `address` (checked first), shipping this checkout's `tender` package to the
    workers; yields the `ray` module and shuts the driver down at exit, also on error."""
    host, port = check_address(address)
    address = address if address != "auto" else f"{host}:{port}"
    if host in ("127.0.0.1", "localhost"):
        # a loopback cluster (tools/ci/ray-up.sh): keep 127.0.0.1 as this driver's node IP, else Ray
        # swaps in the first interface's address and never reaches the GCS
        os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
    import ray

    package = str(Path(tender.__file__).resolve().parent)
    try:
        ray.init(
            address=address,
            runtime_env={"py_modules": [package]},
            logging_level=logging.ERROR,
            log_to_driver=False,
            include_dashboard=False,
        )
    except Exception as exc:  # ray raises ConnectionError, RuntimeError, ValueError...
        raise RayUnavailable(f"--ray: cannot join the Ray cluster at {address}: {exc}") from exc
    try:
        yield ray
    finally:
        ray.shutdown()


def gather(
    ray: Any, pending: Mapping[Any, K], done: Done, size: Callable[[K], int] | None = None
) -> dict[K, Any]:
    """Each task's result under its key, as the tasks finish (`done(size(key))`, default 1, for each)."""
    results: dict[K, Any] = {}
    waiting = list(pending)
    while waiting:
        ready, waiting = ray.wait(waiting, num_returns=1)
        for ref in ready:
            results[pending[ref]] = ray.get(ref)
            done(size(pending[ref]) if size is not None else 1)
    return results


def run_ray(
    address: str,
    path: Path,
    sc: Scenario,
    first: FirstStage,
    seed: int,
    samples: int,
    options: PlanOptions,
    done: Done,
    share: bool = True,
) -> list[Outcome]:
    work = batches(inputs(sc), seed, samples, share)
    with joined(address) as ray:
        task: Any = ray.remote(num_cpus=1)(_evaluate)
        text = path.read_text(encoding="utf-8")
        text_ref, first_ref = ray.put(text), ray.put(first)
        pending = {
            task.remote(text_ref, str(path), first_ref, seed, b, options): n for n, b in enumerate(work)
        }
        results = gather(ray, pending, done, lambda n: len(work[n]))
    by_sample = {o.sample: o for batch in results.values() for o in batch}
    return [by_sample[i] for i in range(samples)]
