"""Small builders for hand-made plan JSON documents (the shape `tender plan --json` writes).

The builder bills what needs no contract reading: every award priced contract / on_demand / spot
that is not at the holder of the notice it cites costs gpus x rate x 730 h. Anything else
(reservations, holder blocks, take-or-pay, revenue share, milestones, penalties) is passed in,
computed by hand in the test that uses it.
"""

from __future__ import annotations

import copy
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from tender.config import load_scenario
from tender.domain import Scenario

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
HOURS = 730
API_NEED = [5000 + 200 * i for i in range(12)]  # api-serving h100_eq, months 1..12
NOTICE_ID = "c-rofr:pretrain-x/GB200/rival-cloud-a:1"

Plan = dict[str, Any]


def minimal() -> Scenario:
    return load_scenario(str(REPO / "examples" / "minimal.yaml"))


def scenario(name: str) -> Scenario:
    return load_scenario(str(HERE / "scenarios" / name))


def money(value: Decimal | int | str) -> str:
    return f"{Decimal(value):.2f}"


def award(
    demand: str,
    provider: str,
    region: str,
    gpu: str,
    month: int,
    gpus: int,
    rate: str | None,
    pricing: str = "contract",
    clause: str | None = None,
    notice: str | None = None,
) -> dict[str, Any]:
    return {
        "demand": demand,
        "provider": provider,
        "region": region,
        "gpu": gpu,
        "month": month,
        "gpus": gpus,
        "rate_usd_per_gpu_hour": rate,
        "pricing": pricing,
        "clause": clause,
        "notice": notice,
    }


def rofr_notice(**changes: Any) -> dict[str, Any]:
    """The minimal example's notice: pretrain-x's 20,000 GB200 at rival-cloud-a, expired, all released."""
    notice: dict[str, Any] = {
        "id": NOTICE_ID,
        "need": "pretrain-x/GB200/rival-cloud-a",
        "clause": "c-rofr",
        "holder": "primary-cloud",
        "demand": "pretrain-x",
        "gpu": "GB200",
        "gpus": 20000,
        "region": "us-central",
        "start_month": 4,
        "duration_months": 4,
        "issued_at": "2026-07-01T00:00:00Z",
        "deadline": "2026-07-31T00:00:00Z",
        "responded_at": "2026-07-31T00:00:00Z",
        "status": "expired",
        "exercised_gpus": 0,
        "released_gpus": 20000,
        "terms": {
            "price": "5.20",
            "best_third_party_quote": "5.20",
            "best_third_party_provider": "rival-cloud-a",
        },
    }
    notice.update(changes)
    return notice


def api_serving_awards() -> list[dict[str, Any]]:
    """api-serving on primary-cloud's existing H100 at the contract rate 3.00, exactly its need."""
    return [
        award("api-serving", "primary-cloud", "us-central", "H100", m, API_NEED[m - 1], "3.00")
        for m in range(1, 13)
    ]


def pretrain_awards(provider: str = "rival-cloud-a", notice: str | None = NOTICE_ID) -> list[dict[str, Any]]:
    """pretrain-x: 20,000 GB200 in us-central, months 4-7, at 5.20, under the notice."""
    return [
        award("pretrain-x", provider, "us-central", "GB200", m, 20000, "5.20", notice=notice)
        for m in range(4, 8)
    ]


def _is_block(a: Mapping[str, Any], holders: Mapping[str, str]) -> bool:
    return a["notice"] is not None and holders.get(a["notice"]) == a["provider"]


def usage_bills(
    awards: Iterable[Mapping[str, Any]], notices: Iterable[Mapping[str, Any]]
) -> dict[tuple[str, int], Decimal]:
    holders = {n["id"]: n["holder"] for n in notices}
    bills: dict[tuple[str, int], Decimal] = defaultdict(Decimal)
    for a in awards:
        if (
            a["pricing"] in ("contract", "on_demand", "spot")
            and not _is_block(a, holders)
            and a["rate_usd_per_gpu_hour"]
        ):
            bills[(a["provider"], a["month"])] += a["gpus"] * Decimal(a["rate_usd_per_gpu_hour"]) * HOURS
    return bills


def milestone(
    contract: str, by_month: int, cumulative: int, drawdown: int, shortfall: int = 0
) -> dict[str, Any]:
    return {
        "contract": contract,
        "provider": "primary-cloud",
        "by_month": by_month,
        "cumulative_usd": money(cumulative),
        "drawdown_usd": money(drawdown),
        "shortfall_usd": money(shortfall),
    }


def build_plan(
    awards: list[dict[str, Any]],
    notices: list[dict[str, Any]],
    *,
    unmet: list[dict[str, Any]] | None = None,
    milestones: list[dict[str, Any]] | None = None,
    extra_bills: Mapping[tuple[str, int], int | Decimal] | None = None,
    revenue: Mapping[tuple[str, int], int | Decimal] | None = None,
    shortfall_penalty: int | Decimal = 0,
    unmet_penalty: int | Decimal = 0,
    chain: Sequence[tuple[str, str, int]] = (),
    drawdowns: Mapping[tuple[str, str, int], int | Decimal] | None = None,
) -> Plan:
    """A plan document whose ledger, totals, bound and baseline agree with the amounts given.

    `chain` ((commitment, provider, total), in drawdown order) fills each commitment with its
    provider's billed spend, month by month, up to its total, the rest to the next (every category
    counts: the scenarios here bill commitment providers at contract rates only); `drawdowns`
    ((commitment, provider, month) -> drawn) says it instead. Either becomes the commitments' rows."""
    bills = usage_bills(awards, notices)
    for key, amount in (extra_bills or {}).items():
        bills[key] += Decimal(amount)
    if drawdowns is None:
        drawdowns = fill_chain(bills, chain)
    shares = {key: Decimal(v) for key, v in (revenue or {}).items()}
    keys = sorted(set(bills) | set(shares), key=lambda k: (k[1], k[0]))
    ledger = [
        {
            "month": m,
            "provider": p,
            "contract_id": None,
            "gpu_hours": "0",
            "billed_cost_usd": money(bills.get((p, m), Decimal(0))),
            "effective_cost_usd": money(bills.get((p, m), Decimal(0))),
            "commitment_status": "none",
            "commitment_drawdown_usd": "0.00",
            "shortfall_accrual_usd": "0.00",
            "revenue_share_usd": money(shares.get((p, m), Decimal(0))),
        }
        for p, m in keys
    ]
    ledger += [
        {
            "month": m,
            "provider": p,
            "contract_id": c,
            "gpu_hours": "0",
            "billed_cost_usd": "0.00",
            "effective_cost_usd": "0.00",
            "commitment_status": "used",
            "commitment_drawdown_usd": money(amount),
            "shortfall_accrual_usd": "0.00",
            "revenue_share_usd": "0.00",
        }
        for (c, p, m), amount in sorted(
            (drawdowns or {}).items(), key=lambda kv: (kv[0][2], kv[0][1], kv[0][0])
        )
    ]
    breakdown = {
        "compute": money(sum(bills.values(), Decimal(0))),
        "revenue_share": money(sum(shares.values(), Decimal(0))),
        "shortfall_penalty": money(shortfall_penalty),
        "unmet_penalty": money(unmet_penalty),
    }
    total = money(sum((Decimal(v) for v in breakdown.values()), Decimal(0)))
    return {
        "schema": "tender.plan/1",
        "scenario": "test",
        "seed": 0,
        "start_month": "2026-07",
        "horizon_months": 12,
        "status": "optimal",
        "gap": 0.0,
        "awards": awards,
        "notices": notices,
        "unmet": unmet or [],
        "ledger": ledger,
        "milestones": milestones or [],
        "infeasibilities": [],
        "protocol_rejections": [],
        "cost_breakdown_usd": breakdown,
        "cost_total_usd": total,
        "lower_bound_usd": total,
        "baseline_cost_usd": total,
    }


# primary-cloud's api-serving spend, API_NEED x 3.00 x 730 h: 10,950,000 / 11,388,000 / 11,826,000 /
# 12,264,000 / 12,702,000 / 13,140,000 / ... / 15,768,000 in months 1..12. c-commit (50M) takes months
# 1-4 and 50,000,000 - 46,428,000 = 3,572,000 of month 5.
C_COMMIT_DRAWN = {
    **{("c-commit", "primary-cloud", m): API_NEED[m - 1] * 3 * HOURS for m in range(1, 5)},
    ("c-commit", "primary-cloud", 5): 3_572_000,
}


def fill_chain(
    bills: Mapping[tuple[str, int], Decimal], chain: Sequence[tuple[str, str, int]]
) -> dict[tuple[str, str, int], Decimal]:
    drawn: dict[tuple[str, str, int], Decimal] = {}
    left = {c: Decimal(total) for c, _p, total in chain}
    for (provider, month), amount in sorted(bills.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        for c, p, _total in chain:
            take = min(amount, left[c]) if p == provider else Decimal(0)
            if take > 0:
                drawn[(c, provider, month)] = take
                left[c] -= take
                amount -= take
    return drawn


def minimal_plan(awards: list[dict[str, Any]] | None = None, **kwargs: Any) -> Plan:
    """A clean plan of examples/minimal.yaml, built by hand.

    api-serving: sum of needs 73,200 GPU-months x 3.00 x 730 h = 160,308,000.00 (primary-cloud);
    pretrain-x: 20,000 x 5.20 x 730 h = 75,920,000.00 a month at rival-cloud-a, months 4-7 = 303,680,000.00;
    compute = cost = 463,988,000.00. c-commit: primary-cloud's spend passes 50M in month 5, so by
    month 12 it has drawn 50,000,000.00 and nothing is short.
    """
    kwargs.setdefault("notices", [rofr_notice()])
    kwargs.setdefault("milestones", [milestone("c-commit", 12, 50_000_000, 50_000_000)])
    kwargs.setdefault("chain", [("c-commit", "primary-cloud", 50_000_000)])
    chosen = api_serving_awards() + pretrain_awards() if awards is None else awards
    return build_plan(chosen, **kwargs)


def variety_fleet_awards() -> list[dict[str, Any]]:
    """batch and eu-chat: 100 reserved H100 each at neo eu-west, every month, at the contract rate 2.00."""
    return [
        award(d, "neo", "eu-west", "H100", m, 100, "2.00", pricing="reserved", clause="c-res")
        for m in range(1, 13)
        for d in ("batch", "eu-chat")
    ]


# variety.yaml charges not billed per award (hand computed):
#   c-res: 500 reserved H100 x 2.00 x 730 h = 730,000.00 at neo every month, used or not;
#   c-top: campus delivers 720 GB200, nothing used: 720 x 730 h x 50 % = 262,800 GPU-h x 3.00 = 788,400.00 a month.
VARIETY_FIXED = {
    **{("neo", m): 730_000 for m in range(1, 13)},
    **{("campus", m): Decimal("788400") for m in range(1, 13)},
}
# c-rev: 10 % of 1,000,000.00 a month = 100,000.00, capped at 250,000.00 in all: months 1-3 = 100k, 100k, 50k.
VARIETY_REVENUE = {("primary-cloud", 1): 100_000, ("primary-cloud", 2): 100_000, ("primary-cloud", 3): 50_000}


# c-commit-2 (after c-commit, contract spend only) takes the rest of month 5, 12,702,000 - 3,572,000 =
# 9,130,000, and all of months 6-12: 110,308,000 in all.
VARIETY_DRAWN = {
    **C_COMMIT_DRAWN,
    ("c-commit-2", "primary-cloud", 5): 9_130_000,
    **{("c-commit-2", "primary-cloud", m): API_NEED[m - 1] * 3 * HOURS for m in range(6, 13)},
}


def variety_plan(awards: list[dict[str, Any]] | None = None, **kwargs: Any) -> Plan:
    """A clean plan of scenarios/variety.yaml: the minimal plan plus the two small fleets on the reservation.

    compute = 160,308,000 (primary) + 303,680,000 (rival) + 12 x 730,000 (neo) + 12 x 788,400 (campus)
            = 482,208,800.00; revenue share 250,000.00.
    Drawdown: c-commit takes primary-cloud's first 50,000,000.00; c-commit-2 (after c-commit) takes the
    remaining 160,308,000 - 50,000,000 = 110,308,000.00 of its 200,000,000.00 due by month 12:
    shortfall 89,692,000.00, penalty 50 % = 44,846,000.00. Cost 482,208,800 + 250,000 + 44,846,000 = 527,304,800.00.
    """
    kwargs.setdefault("notices", [rofr_notice()])
    kwargs.setdefault(
        "milestones",
        [
            milestone("c-commit", 12, 50_000_000, 50_000_000),
            milestone("c-commit-2", 12, 200_000_000, 110_308_000, 89_692_000),
        ],
    )
    kwargs.setdefault("extra_bills", VARIETY_FIXED)
    kwargs.setdefault(
        "chain", [("c-commit", "primary-cloud", 50_000_000), ("c-commit-2", "primary-cloud", 200_000_000)]
    )
    kwargs.setdefault("revenue", VARIETY_REVENUE)
    kwargs.setdefault("shortfall_penalty", 44_846_000)
    chosen = api_serving_awards() + pretrain_awards() + variety_fleet_awards() if awards is None else awards
    return build_plan(chosen, **kwargs)


def exercised_notice() -> dict[str, Any]:
    """The holder answered on 2026-07-21 and took all 20,000 GB200: a block usable months max(4, 1 + 2) = 4..7."""
    return rofr_notice(
        status="exercised", exercised_gpus=20000, released_gpus=0, responded_at="2026-07-21T00:00:00Z"
    )


BLOCK_DRAWN = {
    **{("c-commit", "primary-cloud", m): API_NEED[m - 1] * 3 * HOURS for m in range(1, 4)},
    ("c-commit", "primary-cloud", 4): 15_836_000,
    ("c-commit-2", "primary-cloud", 4): 72_348_000,
    ("c-commit-2", "primary-cloud", 5): 88_622_000,
    ("c-commit-2", "primary-cloud", 6): 39_030_000,
}


def block_plan(extra: list[dict[str, Any]] | None = None) -> Plan:
    """variety.yaml with pretrain-x on the holder's exercised block (clean).

    The block is billed 20,000 x 5.20 x 730 h = 75,920,000.00 in months 4-7 whether used or not; the
    awards on it are not billed again. primary-cloud spends 160,308,000 + 303,680,000 = 463,988,000.00,
    so c-commit-2 gets its 200,000,000.00 (in month 6) and nothing is short; cost = 482,208,800 + 250,000.
    Drawdown: by month 3 34,164,000; month 4 spends 12,264,000 + 75,920,000 = 88,184,000: c-commit takes
    15,836,000 (to 50M), c-commit-2 the other 72,348,000; month 5 88,622,000 (to 160,970,000); month 6
    the last 39,030,000 (BLOCK_DRAWN).
    """
    block = {("primary-cloud", m): 75_920_000 for m in range(4, 8)}
    awards = api_serving_awards() + pretrain_awards("primary-cloud") + variety_fleet_awards() + (extra or [])
    return variety_plan(
        awards,
        notices=[exercised_notice()],
        extra_bills={**VARIETY_FIXED, **block},
        milestones=[
            milestone("c-commit", 12, 50_000_000, 50_000_000),
            milestone("c-commit-2", 12, 200_000_000, 200_000_000),
        ],
        shortfall_penalty=0,
    )


def run_award(provider: str, region: str, month: int, gpus: int = 100, gpu: str = "GB200") -> dict[str, Any]:
    return award("r1", provider, region, gpu, month, gpus, "2.00")


def runs_plan(awards: list[dict[str, Any]], **kwargs: Any) -> Plan:
    """scenarios/runs.yaml: r1 needs 100 GPUs for 2 contiguous months within 2..5 (each month 100 x 2.00 x 730 = 146,000.00)."""
    kwargs.setdefault("notices", [])
    return build_plan(awards, **kwargs)


def changed(plan: Plan, path: str, value: Any) -> Plan:
    """A copy with one field replaced; `path` like `awards.3.gpus` or `cost_breakdown_usd.compute`."""
    out = copy.deepcopy(plan)
    *parents, last = path.split(".")
    node: Any = out
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node[key]
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value
    return out


def plus(amount: str, delta: str) -> str:
    return money(Decimal(amount) + Decimal(delta))
