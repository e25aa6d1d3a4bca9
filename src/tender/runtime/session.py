"""Open the runtime in a state directory: the SQLite file, the pools it was configured with, the backends.

1. `--pools FILE` (pools YAML) or `--scenario FILE` (providers with a `backend`) sets the configuration,
   which is kept in the database; later commands without either reuse it.
2. The database is `<state>/runtime.db` unless `TENDER_RUNTIME_DATABASE_URL` names another.
"""

from __future__ import annotations

import os
from pathlib import Path

from tender.config import load_scenario
from tender.ports import Clock
from tender.runtime.clock import SystemClock
from tender.runtime.driver import Runtime
from tender.runtime.pools import RuntimeConfig, from_json, from_scenario, load_pools_file, to_json
from tender.runtime.store import Store

DEFAULT_STATE = ".tender"


class NotConfigured(Exception):
    pass


def state_dir(value: str | None) -> Path:
    return Path(value or os.environ.get("TENDER_RUNTIME_DIR") or DEFAULT_STATE)


def open_runtime(
    state: str | None,
    pools: str | None = None,
    scenario: str | None = None,
    clock: Clock | None = None,
    lost_after: float = 60.0,
) -> Runtime:
    """Raises `tender.config.InputError` for a bad pools/scenario file and `NotConfigured` when none is known."""
    directory = state_dir(state)
    directory.mkdir(parents=True, exist_ok=True)
    url = os.environ.get("TENDER_RUNTIME_DATABASE_URL") or f"sqlite:///{directory.resolve() / 'runtime.db'}"
    store = Store(url)
    config: RuntimeConfig | None = None
    if pools:
        config = load_pools_file(pools)
    elif scenario:
        config = from_scenario(load_scenario(scenario))
    if config is not None:
        store.put_setting("config", to_json(config))
    else:
        saved = store.get_setting("config")
        if saved is None:
            store.close()
            raise NotConfigured(
                f"no pools configured in {directory}: pass --pools FILE or --scenario FILE once"
            )
        config = from_json(saved)
    return Runtime(store, config, clock or SystemClock(), directory, lost_after=lost_after)
