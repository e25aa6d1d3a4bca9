"""tender.contracts: clause evaluation, the ROFR / first-ship protocol, and money under contracts.

Pure core: no I/O, no clock reads; every function takes the instant (`at` / `now`) it is about.

- `clauses_at(scenario, month_or_instant)` / `clause_timeline(scenario)`: clauses in force, amendments
  applied (never retroactively).
- `eligibility(scenario, need, provider_id, at, state=None) -> Verdict` and `eligibility_all(...)`:
  may a `Need` go to a provider; every "no" has a `Reason` code and the clause id.
- `rofr_in_scope(scenario, need, provider_id, at)`: the right whose holder must be noticed first.
- `initial_state(scenario)`, `step(state, command, now) -> (state, events)`: the protocol.
  Commands: `NewNeed`, `QuoteReceived`, `HolderResponse`, `Tick`, `ThirdPartySigned`,
  `ThirdPartyFellThrough`, `ClauseTerminated`. State: `notices`, `awards`, `rejected`, `quotes`.
- `run_script(scenario, [(at, command), ...])`, `outcome(state)`: run a dated script, describe the result.
- `command_from(kind, body)` (`commands.py`): a command from plain data (stored commands, case events).
- `tender.contracts.money`: `drawdown`, `take_or_pay`, `reserved_cost`, `revenue_share`.

The protocol (its commands, notices, events and state, `protocol_types`; its engine
`command_from`, `command_name`, `initial_state`, `step`, `run_script`, `outcome`) loads on first use
of one of those names (`__getattr__`), not with the package: a plan's first pass reads clauses,
rights (`rights`) and money only, and `tender plan` loads the protocol while HiGHS solves it.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

from tender.contracts.eligibility import (
    carve_out_for,
    eligibility,
    eligibility_all,
    in_right_scope,
    rights_in_scope,
    rofr_in_scope,
)
from tender.contracts.money import (
    CommitmentMonth,
    DeliveryMonth,
    ReservedMonth,
    RevenueShareMonth,
    Spend,
    TakeOrPayMonth,
    drawdown,
    reserved_cost,
    revenue_share,
    revenue_share_versions,
    take_or_pay,
)
from tender.contracts.need import Need, Reason, Verdict
from tender.contracts.rights import NoticeStatus, Right
from tender.contracts.timeline import clause_timeline, clauses_at

if TYPE_CHECKING:
    from tender.contracts.commands import command_from
    from tender.contracts.protocol import command_name, initial_state, step
    from tender.contracts.protocol_types import (
        Award,
        ClauseTerminated,
        Command,
        Event,
        HolderResponse,
        NewNeed,
        Notice,
        Quote,
        QuoteReceived,
        Rejection,
        RightWindow,
        RofrState,
        ThirdPartyFellThrough,
        ThirdPartySigned,
        Tick,
        iso,
    )
    from tender.contracts.script import outcome, run_script

    AmendmentApplied = ClauseTerminated  # the command an amendment that ends a right produces

_PROTOCOL = "tender.contracts.protocol_types"
_LAZY = {
    "command_from": "tender.contracts.commands",
    "command_name": "tender.contracts.protocol",
    "initial_state": "tender.contracts.protocol",
    "step": "tender.contracts.protocol",
    "outcome": "tender.contracts.script",
    "run_script": "tender.contracts.script",
    **dict.fromkeys(
        (
            "Award",
            "ClauseTerminated",
            "Command",
            "Event",
            "HolderResponse",
            "NewNeed",
            "Notice",
            "Quote",
            "QuoteReceived",
            "Rejection",
            "RightWindow",
            "RofrState",
            "ThirdPartyFellThrough",
            "ThirdPartySigned",
            "Tick",
            "iso",
        ),
        _PROTOCOL,
    ),
}


def __getattr__(name: str) -> Any:
    """The protocol's names, loaded on first use (the module docstring). `AmendmentApplied` is
    `ClauseTerminated`: the command an amendment that ends a right produces."""
    if name == "AmendmentApplied":
        name = "ClauseTerminated"
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "AmendmentApplied",
    "Award",
    "ClauseTerminated",
    "Command",
    "CommitmentMonth",
    "DeliveryMonth",
    "Event",
    "HolderResponse",
    "Need",
    "NewNeed",
    "Notice",
    "NoticeStatus",
    "Quote",
    "QuoteReceived",
    "Reason",
    "Rejection",
    "ReservedMonth",
    "RevenueShareMonth",
    "Right",
    "RightWindow",
    "RofrState",
    "Spend",
    "TakeOrPayMonth",
    "ThirdPartyFellThrough",
    "ThirdPartySigned",
    "Tick",
    "Verdict",
    "carve_out_for",
    "clause_timeline",
    "clauses_at",
    "command_from",
    "command_name",
    "drawdown",
    "eligibility",
    "eligibility_all",
    "in_right_scope",
    "initial_state",
    "iso",
    "outcome",
    "reserved_cost",
    "revenue_share",
    "revenue_share_versions",
    "rights_in_scope",
    "rofr_in_scope",
    "run_script",
    "step",
    "take_or_pay",
]
