"""`ContractPolicy`: the thin `sky.AdminPolicy` over `evaluate` (the only module that imports `sky`).

1. read Tender's settings from the environment (SkyPilot 0.14's config schema refuses unknown keys,
   so a `tender:` section in its config is not possible);
2. with `TENDER_URL`, hand SkyPilot's encoded request to that `tender serve` (`remote.py`);
   otherwise evaluate the task's YAML config against the scenario for the month;
3. rejected: raise `sky.exceptions.UserRequestRejectedByPolicy` with Tender's reason codes and clauses;
   allowed: replace the task's resources with the rewritten `ordered` list (SkyPilot's own parser
   builds them); a task with no accelerators passes unchanged;
4. with `TENDER_DATABASE_URL` set, each decision is a `skypilot.decision` record of the audit chain.
"""

from __future__ import annotations

from typing import Any

import sky
from sky import exceptions

from tender.integrations.skypilot import audit
from tender.integrations.skypilot.evaluate import evaluate
from tender.integrations.skypilot.settings import month_of, read_settings, scenario_at
from tender.integrations.skypilot.tasks import TaskError


class ContractPolicy(sky.AdminPolicy):  # type: ignore[misc]
    """Checks every SkyPilot request against the contracts in force and steers it to what they allow."""

    @classmethod
    def validate_and_mutate(cls, user_request: Any) -> Any:
        settings = read_settings()
        if settings.scenario is None:
            from tender.integrations.skypilot.remote import ask_server

            return ask_server(settings, user_request)
        scenario = scenario_at(settings.scenario)
        try:
            outcome = evaluate(
                user_request.task.to_yaml_config(), scenario, month_of(scenario, settings.month)
            )
        except TaskError as exc:
            raise exceptions.UserRequestRejectedByPolicy(f"tender: {exc}") from None
        db = audit.database()
        if db is not None:
            user = getattr(user_request.user, "name", None)
            name = getattr(user_request.request_name, "value", str(user_request.request_name))
            audit.record(db, outcome, scenario=scenario.id, request_name=name, user=user)
        if outcome.task is None:
            raise exceptions.UserRequestRejectedByPolicy(outcome.decision.message())
        if not outcome.decision.passthrough:
            user_request.task.set_resources(sky.Resources.from_yaml_config(outcome.task["resources"]))
        return sky.MutatedUserRequest(task=user_request.task, skypilot_config=user_request.skypilot_config)
