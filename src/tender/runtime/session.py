"""Open the runtime: its database (the server's, by default), the pools it was configured with, the backends.

1. The database, first that is set: `--database-url`; `--state DIR` (`DIR/runtime.db`);
   `TENDER_RUNTIME_DATABASE_URL`; `TENDER_RUNTIME_DIR` (`DIR/runtime.db`); then exactly what `tender serve`
   uses (`tender.ledger.sql.resolve_url`: `TENDER_DATABASE_URL`, else `$TENDER_HOME/tender.db`), so
   `tender serve` and `tender agent` on one machine share jobs and ledger with no flags.
2. The state directory (local attempts' files, Slurm logs): `--state`, `TENDER_RUNTIME_DIR`, else
   `$TENDER_HOME/runtime` (default `~/.local/share/tender/runtime`). The default is created with its
   parents; a directory the user named only when its parent exists.
3. `--pools FILE` (pools YAML) or `--scenario FILE` (providers with a `backend`) sets the configuration,
   which is kept in the database; later commands without either reuse it. A file that gives no pool
   is refused (it would silently replace the stored pools with none) unless `allow_no_pools`.
4. `open_state` gives the store and configuration (enough to queue or list jobs, no backend is built);
   `open_runtime` adds the backends and the driver.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from tender.clocks import SystemClock
from tender.config.yamlpos import read_text
from tender.ledger.sql import resolve_url, tender_home
from tender.ports import Clock
from tender.runtime.driver import Runtime
from tender.runtime.pools import RuntimeConfig, from_json, from_scenario, load_pools_file, to_json
from tender.runtime.store import Store

STATE_FILE = "runtime.db"


class NotConfigured(Exception):
    pass


def state_dir(value: str | None) -> Path:
    """Where local attempts and Slurm logs live (step 2)."""
    return Path(value or os.environ.get("TENDER_RUNTIME_DIR") or tender_home() / "runtime")


def database_url(database: str | None = None, state: str | None = None) -> str:
    """The runtime's database URL (step 1)."""
    if database:
        return resolve_url(database)
    if state:
        return f"sqlite:///{Path(state).resolve() / STATE_FILE}"
    if os.environ.get("TENDER_RUNTIME_DATABASE_URL"):
        return resolve_url(os.environ["TENDER_RUNTIME_DATABASE_URL"])
    if os.environ.get("TENDER_RUNTIME_DIR"):
        return f"sqlite:///{Path(os.environ['TENDER_RUNTIME_DIR']).resolve() / STATE_FILE}"
    return resolve_url(None)


def _make_state_dir(directory: Path, explicit: bool) -> None:
    """The default state directory is created with its parents; one the user named only if its parent
    exists (a mistyped path is an error, never a tree of new folders)."""
    try:
        directory.mkdir(parents=not explicit, exist_ok=True)
    except FileNotFoundError:
        raise NotConfigured(
            f"state directory {directory}: folder {directory.parent} does not exist (create it first)"
        ) from None
    except OSError as exc:
        raise NotConfigured(
            f"state directory {directory}: cannot create it ({exc.strerror or exc})"
        ) from None


@dataclass
class State:
    store: Store
    config: RuntimeConfig
    directory: Path

    def close(self) -> None:
        self.store.close()


def open_state(
    state: str | None,
    pools: str | None = None,
    scenario: str | None = None,
    database: str | None = None,
    allow_no_pools: bool = False,
) -> State:
    """Raises `tender.config.InputError` for a bad pools/scenario file and `NotConfigured` when none is known,
    or when the file gives no pool at all (it would replace the stored pools with none) unless
    `allow_no_pools`."""
    directory = state_dir(state)
    config: RuntimeConfig | None = None
    if pools:
        config = load_pools_file(pools)
    elif scenario:
        config = from_scenario(read_text(scenario), scenario)
    if config is not None and not config.pools and not allow_no_pools:
        kept = "the stored pools are unchanged (`tender agent --allow-no-pools` stores none)"
        if pools:
            raise NotConfigured(f"--pools {pools}: gives no pools (it lists no pool); {kept}")
        raise NotConfigured(
            f"{scenario}:1:1: providers: no provider names a `backend:`, so this scenario gives no pool to run "
            "jobs on; add e.g. `backend: {kind: local, gpus: 2}` to a provider (see examples/local-lab.yaml); "
            f"{kept}"
        )
    _make_state_dir(directory, explicit=bool(state or os.environ.get("TENDER_RUNTIME_DIR")))
    url = database_url(database, state)
    store = Store(url)
    if config is not None:
        store.put_setting("config", to_json(config))
    else:
        saved = store.get_setting("config")
        if saved is None:
            store.close()
            shown = url.split("@")[-1]
            raise NotConfigured(f"no pools configured in {shown}: pass --pools FILE or --scenario FILE once")
        config = from_json(saved)
    if not config.pools and not allow_no_pools:
        store.close()
        raise NotConfigured(
            "the configuration has no pool: pass --pools FILE or --scenario FILE with a `backend:`"
        )
    return State(store, config, directory)


def open_runtime(
    state: str | None,
    pools: str | None = None,
    scenario: str | None = None,
    clock: Clock | None = None,
    lost_after: float = 60.0,
    database: str | None = None,
    allow_no_pools: bool = False,
) -> Runtime:
    """`open_state` plus the backends and the driver (`tender agent`, `pools`, `logs`)."""
    opened = open_state(state, pools, scenario, database, allow_no_pools)
    return Runtime(
        opened.store, opened.config, clock or SystemClock(), opened.directory, lost_after=lost_after
    )
