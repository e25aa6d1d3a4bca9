"""Which language features a generated scenario dict uses: `features(doc) -> set[str]`.

Read from the dict alone (no loader), so the coverage test counts what the generator wrote. Values
left out are read at their documented default (`on_expiry` deemed_declined, `billing`
full_reservation_regardless_of_use, ...).
"""

from __future__ import annotations

import itertools
from typing import Any

Doc = dict[str, Any]
RIGHTS = ("rofr", "first_ship")


def clauses(doc: Doc) -> list[tuple[Doc, bool]]:
    """Every clause with whether an amendment adds it."""
    out = [(c, False) for c in doc.get("contracts", [])]
    for a in doc.get("amendments", []):
        out += [(ch["contract"], True) for ch in a["changes"] if ch["action"] == "add_contract"]
    return out


def features(doc: Doc) -> set[str]:
    found: set[str] = set()
    horizon = int(doc["scenario"]["horizon_months"])
    flags = doc["scenario"]["description"].split("flags: ", 1)[-1]
    found |= {f"flag:{f.strip()}" for f in flags.split(",") if f.strip() not in ("", "none")}
    _providers(doc, found)
    _clauses(doc, horizon, found)
    _demand(doc, found)
    for a in doc.get("amendments", []):
        for ch in a["changes"]:
            found.add(f"amend:{ch['action']}")
            if ch["action"] == "set_field":
                found.add(f"set_field:{ch['field']}")
            if ch["action"] == "add_contract":
                found.add(f"add:{ch['contract']['type']}")
    for r in doc.get("rofr_responses", []):
        kind = "decline" if r.get("decline") else "silent" if r.get("silent") else "exercise"
        found.add(f"response:{kind}")
        if kind == "exercise" and "exercise_gpus" not in r:
            found.add("response:exercise-all")
    for key in ("revenue_forecast_usd_billions", "revenue_forecast_usd"):
        if key in doc:
            found.add(f"forecast:{key}")
    return found


def _providers(doc: Doc, found: set[str]) -> None:
    for acc in doc["gpu_catalog"].values():
        found.add("rack_size" if "rack_size" in acc else "no-rack_size")
    for p in doc["providers"].values():
        found.add(f"kind:{p['kind']}")
        for key in ("campus_phases", "new_capacity_offerable", "capacity_blocks", "backend"):
            if p.get(key):
                found.add(key)
        for flag in ("full_rack_only", "single_site", "resale_allowed"):
            if p.get(flag):
                found.add(flag)
        found.add(f"lead_time:{p.get('lead_time_months', 0)}")
        for line in [*p.get("capacity", []), *p.get("new_capacity_offerable", [])]:
            steps = line["steps"]
            if steps[0]["from_month"] == 1 and steps[0]["gpus"] == 0:
                found.add("step:zero-at-month-1")
            if any(b["gpus"] == 0 and a["gpus"] > 0 for a, b in itertools.pairwise(steps)):
                found.add("step:to-zero")
            if any(b["gpus"] < a["gpus"] for a, b in itertools.pairwise(steps)):
                found.add("step:falls")
            if any(b["gpus"] > a["gpus"] for a, b in itertools.pairwise(steps)):
                found.add("step:rises")
        rates = p.get("rates", {})
        for r in rates.values():
            for key in ("contract", "on_demand", "spot"):
                if r.get(key) is None:
                    found.add(f"rate-null:{key}")
            if isinstance(r.get("on_demand"), dict):
                found.add("rate:catalog")
        if rates and all(r.get("contract") is None and r.get("on_demand") is None for r in rates.values()):
            found.add("spot-only")


def _clauses(doc: Doc, horizon: int, found: set[str]) -> None:
    holders: set[str] = set()
    by_id = {c["id"]: c for c, _ in clauses(doc)}
    for c, added in clauses(doc):
        kind = c["type"]
        found.add(f"clause:{kind}")
        if kind in RIGHTS:
            holders.add(c["holder"])
            _right(doc, c, added, horizon, found)
        elif kind == "committed_spend":
            if c.get("drawdown_order"):
                found.add("commit:chained")
                target = by_id.get(c["drawdown_order"].removeprefix("after "), {})
                if target.get("drawdown_order"):
                    found.add("commit:chain-of-3")
            found.add(f"commit:{len(c['milestones'])}-milestones")
        elif kind == "reserved_capacity":
            _reservation(doc, c, found)
        elif kind == "revenue_share" and "outbound_cap_usd" in c:
            found.add("revenue_share:cap")
        elif kind == "workload_exclusivity":
            found |= {f"exclusivity:{k}" for k in ("workloads", "workload_classes") if c.get(k)}
    if len(holders) >= 2:
        found.add("rights:two-holders")


def _right(doc: Doc, c: Doc, added: bool, horizon: int, found: set[str]) -> None:
    window = c.get("response_window_days", 30)
    if window == 0:
        found.add("right:window-0")
    found.add(f"right:on_expiry:{c.get('on_expiry', 'deemed_declined')}")
    found.add(f"right:match:{c.get('match_mode', 'default')}")
    found.add(f"right:partial:{c.get('partial_exercise', 'default')}")
    found.add(f"right:applies_to:{c.get('applies_to', 'new_capacity')}")
    for key in ("workloads", "workload_classes", "gpus", "regions", "products"):
        if c.get(key):
            found.add(f"right:scope:{key}")
    for carve in c.get("carve_outs", []):
        if isinstance(carve, str):
            found.add(f"carve:{carve}")
        else:
            found.add("carve:scoped-providers" if carve.get("providers") else "carve:scoped")
    if added or c.get("effective_from_month", 1) > 1:
        found.add("right:starts-mid-horizon")
    if c.get("effective_to_month", horizon) < horizon:
        found.add("right:ends-mid-horizon")
    holder = doc["providers"][c["holder"]]
    found.add("right:holder-with-new" if holder.get("new_capacity_offerable") else "right:holder-without-new")


def _reservation(doc: Doc, c: Doc, found: set[str]) -> None:
    found.add(f"reserved:billing:{c.get('billing', 'full_reservation_regardless_of_use')}")
    if "region" not in c:
        found.add("reserved:no-region")
    if c.get("start_month", 1) > 1:
        found.add("reserved:starts-mid-horizon")
    burst = c.get("burst")
    if burst is not None:
        found.add(f"reserved:burst:{burst['rate']}")
        rates = doc["providers"][c["provider"]].get("rates", {}).get(c["gpu"], {})
        if rates.get(burst["rate"]) is None:
            found.add("reserved:burst-on-null-rate")


def _demand(doc: Doc, found: set[str]) -> None:
    demand = doc["demand"]
    for section in ("inference_fleets", "continuous_training", "training_runs"):
        if demand.get(section):
            found.add(f"demand:{section}")
    for fleet in [*demand.get("inference_fleets", []), *demand.get("continuous_training", [])]:
        for key in ("preemptible_ok", "regions_allowed", "regions_preferred"):
            if fleet.get(key):
                found.add(f"fleet:{key}")
    for run in demand.get("training_runs", []):
        window = run["latest_end_month"] - run["earliest_start_month"] + 1
        found.add("run:tight-window" if window == run["duration_months"] else "run:slack-window")
        if run["duration_months"] > 1:
            found.add("run:multi-month")
        if len(run["gpu_types"]) > 1:
            found.add("run:several-gpu-types")
