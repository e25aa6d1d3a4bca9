"""Tender as a SkyPilot admin policy: `admin_policy: tender.integrations.skypilot.ContractPolicy`.

`ContractPolicy` needs the `skypilot` extra and is imported lazily, so the rest of this package (the
decision, task mapping and evaluation the REST endpoint shares) never imports `sky`.
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    if name == "ContractPolicy":
        try:
            from tender.integrations.skypilot.policy import ContractPolicy
        except ModuleNotFoundError as exc:
            if exc.name != "sky":
                raise
            raise ImportError(
                "tender.integrations.skypilot.ContractPolicy needs SkyPilot: pip install 'tender[skypilot]'"
            ) from None
        return ContractPolicy
    raise AttributeError(name)
