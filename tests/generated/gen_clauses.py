"""Clauses, amendments, scripted ROFR answers and the revenue forecast of a generated scenario.

Flow (`build`): 1. priority rights (rofr, first_ship; one or two holders, some starting or ending
mid-horizon); 2. the other clause types; 3. `rofr_behavior` for holders; 4. amendments (terminate,
add_contract, set_field) at mid-horizon months, tracking what is still in force; 5. scripted answers
(valid, and now and then a deliberately invalid one flagged "invalid-script"); 6. the forecast.

Rules kept so every scenario validates: ids are unique; two rights of one type and holder never
overlap in months (crossrefs rejects that for `contracts:`, and an amendment adding one is kept to
the same rule); milestones grow and stay within `total_usd`, also after a `set_field`; an amendment
only terminates or changes a clause still in force in its month; `drawdown_order` names a commitment.
"""

from __future__ import annotations

import math
from typing import Any

from gen_common import CLASSES, Ctx, Doc, cents, milli

RIGHTS = ("rofr", "first_ship")
MUST_INCLUDE = (
    "gpu_type",
    "gpus",
    "region",
    "start_month",
    "duration_months",
    "price",
    "best_third_party_quote",
)
SPEND = ("compute_contract", "compute_on_demand", "compute_spot", "capacity_blocks")
BLOCKS = (1, 8, 64, 72, 144, 512, 2304)
NUMERIC_SET = {"revenue_share": 4, "committed_spend": 2, "rofr": 1, "first_ship": 1, "reserved_capacity": 2}
HOURS = 730


def build(ctx: Ctx) -> Doc:
    """Fill `ctx.contracts` and `ctx.amendments`; return the other top-level sections to add."""
    _rights(ctx)
    for p, make in ((0.35, _exclusivity), (0.35, _take_or_pay), (0.3, _residency), (0.3, _revenue_share)):
        if ctx.chance(p):
            ctx.contracts.append(make(ctx, 1))
    _commitments(ctx)
    for _ in range(ctx.pick((0, 0, 1, 1, 2))):
        ctx.contracts.append(_reservation(ctx, 1))
    if ctx.chance(0.04):
        ctx.contracts.append(_revenue_share(ctx, 1))  # a second revenue share
    _amendments(ctx)
    _behaviors(ctx)
    extra: Doc = {}
    responses = _responses(ctx)
    if responses:
        extra["rofr_responses"] = responses
    extra.update(_forecast(ctx))
    if ctx.chance(0.05):
        extra["ledger_columns"] = ["month", "provider", "billed_cost_usd"]
    return extra


# -- shared pieces -------------------------------------------------------------------------------
def _effective(ctx: Ctx, c: Doc, start: int, p_mid: float = 0.3) -> None:
    """Maybe start and/or end the clause mid-horizon (never before `start`)."""
    if start > 1:  # added by an amendment: starts with it unless it says later
        if ctx.chance(0.3):
            c["effective_from_month"] = ctx.month(start, min(ctx.horizon, start + 2))
    elif ctx.chance(p_mid):
        mode = ctx.pick(("from", "to", "both"))
        if mode != "to":
            c["effective_from_month"] = ctx.month(2)
        if mode != "from":
            lo = max(start, c.get("effective_from_month", 1))
            c["effective_to_month"] = ctx.month(lo, ctx.horizon - 1) if lo < ctx.horizon else lo
    elif ctx.chance(0.1):
        c["effective_from_month"] = 1
    if start > 1 and ctx.chance(0.2):
        c["effective_to_month"] = ctx.month(c.get("effective_from_month", start))
    if "effective_to_month" not in c and ctx.chance(0.04):
        c["effective_to_month"] = ctx.horizon + ctx.rng.randint(1, 12)  # ends after the horizon


def _first(c: Doc, start: int) -> int:
    return int(c.get("effective_from_month", start))


def _last(c: Doc) -> int:
    return int(c.get("effective_to_month") or 10**9)


def _overlap(a: Doc, b: Doc) -> bool:
    return _first(a, 1) <= _last(b) and _first(b, 1) <= _last(a)


def _provider_with_capacity(ctx: Ctx, prefer: tuple[str, ...] = ()) -> str | None:
    have = [pid for pid in ctx.providers if ctx.pairs(pid)]
    liked = [pid for pid in have if ctx.providers[pid]["kind"] in prefer]
    pool = liked if liked and ctx.chance(0.7) else have
    return ctx.pick(pool) if pool else None


def _rate_of(p: Doc, gpu: str) -> float:
    r = p.get("rates", {}).get(gpu, {})
    for key in ("contract", "on_demand", "spot"):
        if isinstance(r.get(key), float):
            return float(r[key])
    return 3.0  # a catalog price: about what the catalog lists


# -- 1. priority rights --------------------------------------------------------------------------
def _rights(ctx: Ctx) -> None:
    pids = list(ctx.providers)
    hypers = [p for p in pids if ctx.providers[p]["kind"] == "hyperscaler"]
    if ctx.chance(0.65):
        holders = ctx.rng.sample(pids, min(len(pids), 2 if ctx.chance(0.3) else 1))
        if hypers and ctx.chance(0.6):
            holders[0] = ctx.pick(hypers)
            holders = list(dict.fromkeys(holders))
        for holder in holders:
            right = _right(ctx, "rofr", holder, 1)
            ctx.contracts.append(right)
            if ctx.horizon >= 4 and ctx.chance(0.15):  # the same holder's next right, end to end
                cut = ctx.month(2, ctx.horizon - 1)
                right["effective_from_month"] = 1
                right["effective_to_month"] = cut
                later = _right(ctx, "rofr", holder, 1)
                later.pop("effective_to_month", None)
                later["effective_from_month"] = cut + 1
                ctx.contracts.append(later)
    if ctx.chance(0.3):
        ctx.contracts.append(_right(ctx, "first_ship", ctx.pick(pids), 1))


def _right(ctx: Ctx, kind: str, holder: str, start: int) -> Doc:
    c: Doc = {"id": ctx.new_id(f"c-{kind.replace('_', '-')}"), "type": kind, "holder": holder}
    if ctx.chance(0.6):
        c["applies_to"] = "all_capacity" if ctx.chance(0.4) else "new_capacity"
    ids = ctx.demand_ids()
    if kind == "first_ship" and ids and ctx.chance(0.8):
        c["products"] = ctx.some(ids, 1, 2)
    if ids and ctx.chance(0.2):
        c["workloads"] = ctx.some(ids, 1, 2)
    if ctx.chance(0.2):
        c["workload_classes"] = ctx.some(CLASSES, 1, 2)
    if ctx.chance(0.2):
        c["gpus"] = ctx.some(ctx.catalog, 1, 2)
    if ctx.chance(0.15):
        c["regions"] = ctx.some(ctx.regions, 1, 2)
    if ctx.chance(0.6):
        c["carve_outs"] = _carve_outs(ctx)
    if ctx.chance(0.4):
        c["notice"] = {"must_include": ctx.some(MUST_INCLUDE, 1)}
    if ctx.chance(0.85):
        c["response_window_days"] = 0 if ctx.chance(0.2) else ctx.rng.randint(1, 45)
    if ctx.chance(0.7):
        c["match_mode"] = ctx.pick(("match_best_offer", "accept_or_decline"))
    if ctx.chance(0.7):
        c["partial_exercise"] = ctx.chance(0.6)
    if ctx.chance(0.7):
        c["min_exercise_block_gpus"] = ctx.pick(BLOCKS)
    if ctx.chance(0.7):
        c["on_expiry"] = ctx.pick(("deemed_declined", "deemed_exercised"))
    if ctx.chance(0.5):
        c["third_party_close_window_days"] = ctx.rng.randint(0, 90)
    if ctx.chance(0.5):
        c["reoffer_if_terms_improve_pct"] = ctx.pick((0, 5, 10, cents(250)))
    if ctx.chance(0.1):
        c["resembles"] = "an illustrative right"
    _effective(ctx, c, start)
    return c


def _carve_outs(ctx: Ctx) -> list[Any]:
    out: list[Any] = []
    if ctx.chance(0.6):
        out.append("existing_contracted_capacity")
    pids = list(ctx.providers)
    for _ in range(ctx.pick((0, 1, 1, 2))):
        shape = ctx.pick(("class-at", "workloads", "gpus-at", "regions", "classes"))
        if shape == "class-at":
            out.append({"workload_class": ctx.pick(CLASSES), "providers": ctx.some(pids, 1, 2)})
        elif shape == "workloads" and ctx.demand_ids():
            out.append({"workloads": ctx.some(ctx.demand_ids(), 1, 2)})
        elif shape == "gpus-at":
            out.append({"gpus": ctx.some(ctx.catalog, 1, 1), "providers": ctx.some(pids, 1, 2)})
        elif shape == "regions":
            out.append({"regions": ctx.some(ctx.regions, 1, 1)})
        else:
            out.append({"workload_classes": ctx.some(CLASSES, 1, 2)})
    return out


# -- 2. the other clause types -------------------------------------------------------------------
def _exclusivity(ctx: Ctx, start: int) -> Doc:
    c: Doc = {
        "id": ctx.new_id("c-excl"),
        "type": "workload_exclusivity",
        "provider": ctx.pick(list(ctx.providers)),
    }
    ids = ctx.demand_ids()
    if ids and ctx.chance(0.7):
        c["workloads"] = ctx.some(ids, 1, 2)
    if "workloads" not in c or ctx.chance(0.2):
        c["workload_classes"] = ctx.some(CLASSES, 1, 1)
    _effective(ctx, c, start)
    return c


def _take_or_pay(ctx: Ctx, start: int) -> Doc:
    pid = _provider_with_capacity(ctx, ("joint_venture_campus", "owned")) or ctx.pick(list(ctx.providers))
    c: Doc = {"id": ctx.new_id("c-top"), "type": "take_or_pay", "provider": pid}
    c["term_months"] = ctx.rng.randint(1, 2 * ctx.horizon)
    if ctx.chance(0.8):
        c["minimum_pct_of_delivered_capacity"] = ctx.pick((100, 90, 50, 0, cents(7550)))
    if ctx.chance(0.3):
        c["price_source"] = "provider_rates"
    if ctx.chance(0.5):
        c["delivery_slip_relief"] = ctx.chance(0.5)
    gpus = list(dict.fromkeys(g for g, _ in ctx.pairs(pid)))
    if gpus and ctx.chance(0.4):
        c["gpu"] = ctx.pick(gpus)
    _effective(ctx, c, start)
    return c


def _residency(ctx: Ctx, start: int) -> Doc:
    ids = ctx.demand_ids()
    c: Doc = {"id": ctx.new_id("c-res"), "type": "data_residency"}
    c["workloads"] = ctx.some(ids, 1, 2)
    c["allowed_regions"] = ctx.some(ctx.regions, 1, 2)
    _effective(ctx, c, start, 0.15)
    return c


def _revenue_share(ctx: Ctx, start: int) -> Doc:
    c: Doc = {"id": ctx.new_id("c-revshare"), "type": "revenue_share"}
    c["counterparty"] = ctx.pick(list(ctx.providers))
    c["outbound_rate"] = milli(ctx.rng.randint(0, 300))
    if ctx.chance(0.6):
        c["outbound_cap_usd"] = ctx.rng.randint(1, 500) * 1_000_000
    if ctx.chance(0.3):
        c["inbound_rate"] = milli(ctx.rng.randint(0, 100))
    if ctx.chance(0.6):
        c["settlement"] = ctx.pick(("monthly_in_arrears", "quarterly_in_arrears", "annually"))
    _effective(ctx, c, start, 0.15)
    return c


def _monthly_spend(ctx: Ctx, pid: str) -> float:
    p = ctx.providers[pid]
    return sum(ctx.peak(pid, g, r) * _rate_of(p, g) * HOURS for g, r in ctx.pairs(pid))


def _commitments(ctx: Ctx) -> None:
    if ctx.chance(0.5):
        pid = _provider_with_capacity(ctx, ("hyperscaler",)) or ctx.pick(list(ctx.providers))
        ctx.contracts.append(_commitment(ctx, pid, None, 1))
    if ctx.chance(0.2):  # a drawdown chain of 2-3 commitments on one provider
        pid = _provider_with_capacity(ctx) or ctx.pick(list(ctx.providers))
        previous: str | None = None
        for _ in range(ctx.rng.randint(2, 3)):
            c = _commitment(ctx, pid, previous, 1)
            ctx.contracts.append(c)
            previous = c["id"]


def _commitment(ctx: Ctx, pid: str, after: str | None, start: int) -> Doc:
    monthly = _monthly_spend(ctx, pid) or 1_000_000.0
    span = ctx.horizon - start + 1
    total = max(100_000, 100_000 * round(monthly * span * ctx.rng.uniform(0.03, 0.7) / 100_000))
    c: Doc = {"id": ctx.new_id("c-commit"), "type": "committed_spend", "provider": pid, "total_usd": total}
    months = sorted(ctx.rng.sample(range(start, ctx.horizon + 1), min(span, ctx.rng.randint(1, 3))))
    shares = sorted(ctx.rng.randint(1, 100) for _ in months)
    if ctx.chance(0.6):
        shares[-1] = 100
    c["milestones"] = [
        {"by_month": m, "cumulative_usd": total * s // 100} for m, s in zip(months, shares, strict=True)
    ]
    if ctx.chance(0.5):
        c["eligible_spend"] = [] if ctx.chance(0.05) else ctx.some(SPEND, 1)
    if ctx.chance(0.6):
        shortfall: Doc = {}
        if ctx.chance(0.8):
            shortfall["penalty_pct_of_shortfall"] = ctx.pick((100, 50, 0, 120, cents(2550)))
        if ctx.chance(0.5):
            shortfall["convertible_to_prepayment_if_renewed"] = ctx.chance(0.5)
        c["shortfall"] = shortfall
    if ctx.chance(0.4):
        c["overage"] = ctx.pick(("billed_at_contract_rates", "billed_at_on_demand_rates"))
    if after is not None:
        c["drawdown_order"] = f"after {after}"
    _effective(ctx, c, start, 0.1)
    return c


def _reservation(ctx: Ctx, start: int) -> Doc:
    pid = _provider_with_capacity(ctx, ("neocloud", "hyperscaler"))
    if pid is None:  # nobody lists capacity: reserve what a provider rates anyway
        pid = ctx.pick(list(ctx.providers))
        gpu, region = ctx.pick(list(ctx.catalog)), ctx.pick(ctx.providers[pid]["regions"])
    else:
        gpu, region = ctx.pick(ctx.pairs(pid))
    peak = ctx.peak(pid, gpu, region) if ctx.pairs(pid) else 0
    over = ctx.chance(0.1) or peak == 0
    gpus = max(1, int(peak * (ctx.rng.uniform(1.1, 1.5) if over else ctx.rng.uniform(0.1, 0.9))) or 64)
    c: Doc = {"id": ctx.new_id("c-reserved"), "type": "reserved_capacity", "provider": pid, "gpu": gpu}
    c["gpus"] = gpus
    if ctx.chance(0.6):
        c["region"] = region
    first = start
    if start > 1 or ctx.chance(0.4):
        first = ctx.month(start)
        c["start_month"] = first
    c["term_months"] = ctx.rng.randint(1, ctx.horizon - first + 1)
    if ctx.chance(0.2):
        c["term_months"] += ctx.rng.randint(1, 12)  # runs past the horizon
    if ctx.chance(0.8):
        c["billing"] = ctx.pick(("full_reservation_regardless_of_use", "prepaid_upfront"))
    if ctx.chance(0.65):
        rate = ctx.pick(("on_demand", "contract"))
        rates = ctx.providers[pid].get("rates", {}).get(gpu, {})
        nulls = [k for k in ("on_demand", "contract") if rates.get(k) is None]
        if nulls and ctx.chance(0.4):
            rate = ctx.pick(nulls)  # burst priced at a rate the provider does not offer
        c["burst"] = {"max_gpus": ctx.rng.randint(0, max(1, peak // 2)), "rate": rate}
    _effective(ctx, c, start, 0.1)
    return c


# -- 3. holder behaviour -------------------------------------------------------------------------
def _behaviors(ctx: Ctx) -> None:
    holders = {c["holder"] for c in _all_clauses(ctx) if c["type"] in RIGHTS}
    for pid, p in ctx.providers.items():
        if ctx.chance(0.75 if pid in holders else 0.1):
            b: Doc = {"accept_probability": ctx.pick((0, 1, milli(ctx.rng.randint(0, 1000))))}
            if ctx.chance(0.6):
                b["max_share_of_request"] = ctx.pick((1, milli(ctx.rng.randint(0, 1000))))
            if ctx.chance(0.6):
                b["typical_response_days"] = ctx.rng.randint(0, 60)
            p["rofr_behavior"] = b


def _all_clauses(ctx: Ctx) -> list[Doc]:
    added = [ch["contract"] for a in ctx.amendments for ch in a["changes"] if ch["action"] == "add_contract"]
    return [*ctx.contracts, *added]


# -- 4. amendments -------------------------------------------------------------------------------
def _amendments(ctx: Ctx) -> None:
    if ctx.horizon < 2 or not ctx.chance(0.55):
        return
    count = max(1, ctx.rng.randint(*ctx.size.amendments))
    months = sorted(ctx.month(2) for _ in range(count))
    live: dict[str, Doc] = {c["id"]: c for c in ctx.contracts}
    for i, month in enumerate(months):
        changes: list[Doc] = []
        for _ in range(ctx.pick((1, 1, 2, 3))):
            action = ctx.pick(("terminate", "add_contract", "set_field"))
            changes += _change(ctx, action, month, live)
        if not changes:
            changes += _add(ctx, month, live, "revenue_share")
        amendment: Doc = {"id": f"a-{i:02d}", "effective_month": month, "changes": changes}
        if ctx.chance(0.1):
            amendment["note"] = "generated amendment"
        ctx.amendments.append(amendment)


def _in_force(c: Doc, month: int) -> bool:
    return _last(c) >= month


def _change(ctx: Ctx, action: str, month: int, live: dict[str, Doc]) -> list[Doc]:
    targets = [cid for cid, c in live.items() if _in_force(c, month)]
    if action == "terminate" and targets:
        return [_terminate(ctx.pick(targets), month, live)]
    if action == "set_field" and targets:
        numeric = [cid for cid in targets if live[cid]["type"] in NUMERIC_SET]
        if numeric and ctx.chance(0.7):  # mostly the numeric fields, revenue-share caps most of all
            weights = [NUMERIC_SET[live[cid]["type"]] for cid in numeric]
            cid = ctx.rng.choices(numeric, weights=weights)[0]
        else:
            cid = ctx.pick(targets)
        picked = _set_field(ctx, live[cid], month)
        if picked is None:
            return []
        field, value = picked
        live[cid] = {**live[cid], field: value}
        return [{"contract": cid, "action": "set_field", "field": field, "value": value}]
    if action == "add_contract":
        kind = ctx.pick(
            (
                "rofr",
                "rofr",
                "first_ship",
                "committed_spend",
                "committed_spend",
                "take_or_pay",
                "reserved_capacity",
                "workload_exclusivity",
                "data_residency",
                "revenue_share",
            )
        )
        return _add(ctx, month, live, kind)
    return []


def _terminate(cid: str, month: int, live: dict[str, Doc]) -> Doc:
    live[cid] = {**live[cid], "effective_to_month": month - 1}
    return {"contract": cid, "action": "terminate"}


def _add(ctx: Ctx, month: int, live: dict[str, Doc], kind: str) -> list[Doc]:
    c: Doc
    ended: list[Doc] = []
    if kind in RIGHTS:
        c = _right(ctx, kind, ctx.pick(list(ctx.providers)), month)
        for o in list(live.values()):  # the holder's right of this type still in force ends here
            if o["type"] == kind and o["holder"] == c["holder"] and _clash(o, c, month):
                ended.append(_terminate(o["id"], month, live))
    elif kind == "committed_spend":
        commits = [cid for cid, o in live.items() if o["type"] == "committed_spend"]
        after = ctx.pick(commits) if commits and ctx.chance(0.5) else None
        pid = live[after]["provider"] if after else ctx.pick(list(ctx.providers))
        c = _commitment(ctx, pid, after, month)
    elif kind == "reserved_capacity":
        c = _reservation(ctx, month)
    else:
        make = {
            "take_or_pay": _take_or_pay,
            "workload_exclusivity": _exclusivity,
            "data_residency": _residency,
            "revenue_share": _revenue_share,
        }[kind]
        c = make(ctx, month)
    live[c["id"]] = c
    return [*ended, {"action": "add_contract", "contract": c}]


def _clash(old: Doc, new: Doc, month: int) -> bool:
    start = max(month, _first(new, month))
    return _first(old, 1) <= _last(new) and start <= _last(old)


def _set_field(ctx: Ctx, c: Doc, month: int) -> tuple[str, Any] | None:
    kind = c["type"]
    options: list[tuple[str, Any]] = []
    if kind == "revenue_share":
        cap = ("outbound_cap_usd", ctx.rng.randint(1, 900) * 1_000_000)
        options += [cap, cap, ("outbound_rate", milli(ctx.rng.randint(0, 300)))]
    elif kind == "committed_spend":
        floor = max(int(m["cumulative_usd"]) for m in c["milestones"])
        options += [("total_usd", max(1, floor) + 100_000 * ctx.rng.randint(0, 50))]
    elif kind in RIGHTS:
        options += [("response_window_days", ctx.rng.randint(0, 45))]
        options += [("min_exercise_block_gpus", ctx.pick(BLOCKS))]
    elif kind == "reserved_capacity":
        options += [("gpus", ctx.rng.randint(1, 2 * ctx.size.scale))]
        options += [
            (
                "burst",
                {"max_gpus": ctx.rng.randint(0, ctx.size.scale), "rate": ctx.pick(("on_demand", "contract"))},
            )
        ]
    elif kind == "take_or_pay":
        options += [("minimum_pct_of_delivered_capacity", ctx.pick((0, 50, 80, 100)))]
    elif kind == "data_residency":
        options += [("allowed_regions", ctx.some(ctx.regions, 1, 2))]
    elif kind == "workload_exclusivity" and ctx.demand_ids():
        options += [("workloads", ctx.some(ctx.demand_ids(), 1, 2))]
    if ctx.chance(0.1):  # only ever earlier: a later end could overlap the holder's next right
        end = ctx.month(max(month, _first(c, 1)), min(_last(c), ctx.horizon))
        options.append(("effective_to_month", end))
    return ctx.pick(options) if options else None


# -- 5. scripted answers -------------------------------------------------------------------------
def _responses(ctx: Ctx) -> list[Doc]:
    """Scripted answers by demand id. An answer reaches every right of its `holder` (every right when
    it names none) and is taken as written, so a partial exercise is a whole multiple of each such
    right's block (as amended too); an answer without `exercise_gpus` exercises all that is noticed.
    (A multiple larger than the notice is refused by the engine as `exceeds_notice`: sizes of
    notices are only known once planned, so such answers stay small: one or two blocks.)"""
    rights = [c for c in _all_clauses(ctx) if c["type"] in RIGHTS]
    ids = ctx.demand_ids()
    if not rights or not ids or not ctx.chance(0.55):
        return []
    out: list[Doc] = []
    for need in ctx.some(ids, 1, 3):
        r: Doc = {"need": need}
        if ctx.chance(0.5):
            r["holder"] = ctx.pick(rights)["holder"]
        answer = ctx.pick(("decline", "silent", "exercise", "exercise"))
        if answer == "decline":
            r["decline"] = True
        elif answer == "silent":
            r["silent"] = True
        else:
            reached = [c for c in rights if r.get("holder") in (None, c["holder"])]
            block = math.lcm(*(b for c in reached for b in blocks_of(ctx.amendments, c)))
            if all(partial_of(c) for c in reached) and block <= 10_000 and ctx.chance(0.6):
                r["exercise_gpus"] = block * ctx.rng.randint(1, 2)
        if ctx.chance(0.3):
            r["response_days"] = ctx.rng.randint(0, 60)
        out.append(r)
    odd = [
        c
        for c in rights
        if partial_of(c) and len(blocks := blocks_of(ctx.amendments, c)) == 1 and min(blocks) > 1
    ]
    if odd and ctx.chance(0.12):
        right = ctx.pick(odd)
        b = min(blocks_of(ctx.amendments, right))
        bad = {
            "need": ctx.pick(ids),
            "holder": right["holder"],
            "exercise_gpus": b + ctx.rng.randint(1, b - 1),
        }
        out = [r for r in out if r["need"] != bad["need"]] + [bad]  # the first answer for a need wins
        ctx.flags.add("invalid-script")
    return out


def partial_of(right: Doc) -> bool:
    return bool(right.get("partial_exercise", right["type"] == "rofr"))


def blocks_of(amendments: list[Doc], right: Doc) -> set[int]:
    """The right's minimum exercise block, and every value an amendment sets it to."""
    return {int(right.get("min_exercise_block_gpus", 1))} | {
        int(ch["value"])
        for a in amendments
        for ch in a["changes"]
        if ch["action"] == "set_field"
        and ch["contract"] == right["id"]
        and ch["field"] == "min_exercise_block_gpus"
    }


# -- 6. revenue forecast -------------------------------------------------------------------------
def _forecast(ctx: Ctx) -> Doc:
    shares = any(c["type"] == "revenue_share" for c in _all_clauses(ctx))
    if not ctx.chance(0.9 if shares else 0.1):
        return {}
    level = ctx.rng.randint(5, 500)
    if ctx.chance(0.5):
        return {"revenue_forecast_usd_billions": [cents(level + 3 * m) for m in range(ctx.horizon)]}
    return {"revenue_forecast_usd": [(level + 3 * m) * 10_000_000 for m in range(ctx.horizon)]}
