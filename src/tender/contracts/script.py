"""Run a dated command script through the protocol and describe the outcome as JSON-ready data.

1. start from `initial_state(scenario)`;
2. apply each (instant, command) with `step`, collecting every event;
3. `outcome(state)` lists notices, awards and refused commands, sorted as they happened.
The audit chain over the events is built by `tender.ledger.audit` (an edge package).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from tender.contracts.protocol import initial_state, step
from tender.contracts.protocol_types import Command, Event, RofrState, iso, money_text
from tender.domain import Scenario


def run_script(
    scenario: Scenario, script: Iterable[tuple[datetime, Command]]
) -> tuple[RofrState, list[Event]]:
    """Apply every command in order; returns the final state and all events."""
    state = initial_state(scenario)
    events: list[Event] = []
    for at, command in script:
        state, new = step(state, command, at)
        events.extend(new)
    return state, events


def outcome(state: RofrState) -> dict[str, list[dict[str, object]]]:
    """`notices`, `awards` and `rejected` as plain JSON-ready lists (amounts as decimal strings)."""
    notices: list[dict[str, object]] = [
        {
            "id": n.id,
            "need": n.need,
            "holder": n.holder,
            "clause": n.clause,
            "kind": n.kind,
            "cause": n.cause,
            "issued_at": iso(n.issued_at),
            "deadline": iso(n.deadline),
            "status": n.status.value,
            "gpus": n.gpus,
            "exercised_gpus": n.exercised_gpus,
            "released_gpus": n.released_gpus,
            "signed_gpus": n.signed_gpus,
            "terms": {
                "price": money_text(n.price),
                "best_third_party_quote": money_text(n.best_quote) or None,
                "best_third_party_provider": n.best_quote_provider,
            },
            "close_by": iso(n.close_by) if n.close_by else None,
        }
        for n in state.notices
    ]
    awards: list[dict[str, object]] = [
        {
            "need": a.need,
            "provider": a.provider,
            "gpus": a.gpus,
            "price": money_text(a.price),
            "clause": a.clause,
            "notice": a.notice,
            "at": iso(a.at),
        }
        for a in state.awards
    ]
    rejected: list[dict[str, object]] = [
        {
            "at": iso(r.at),
            "command": r.command,
            "need": r.need,
            "reason": r.reason,
            "clause": r.clause,
            "message": r.message,
        }
        for r in state.rejected
    ]
    return {"notices": notices, "awards": awards, "rejected": rejected}
