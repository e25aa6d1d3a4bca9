"""A SkyPilot task's YAML config (the dict `sky.Task.to_yaml_config()` gives) <-> Tender's request.

1. `request_of(config, month)`: the resources' candidates (`any_of` / `ordered` entries merged over the
   top level, as SkyPilot merges them) become `Ask`s: accelerators in every SkyPilot form (`H100:8`,
   `{H100: 8}`, `[H100:8, H200:8]`, alias `gpus`), `infra: cloud/region[/zone]` or `cloud` + `region`,
   `use_spot`; `num_nodes`; the workload is the label `tender.workload`, else the task's name.
2. `rewrite(config, decision)`: a copy of the task whose `resources` are the allowed candidates as an
   `ordered` list (`infra: cloud/region`, `accelerators: {NAME: count}`, `use_spot`, plus the other
   fields of the candidate entry they came from), the task's other resource fields kept at the top. `zone` and `instance_type` are dropped (they belong to the
   cloud the user named, which Tender may have replaced). Everything else in the task is untouched.
"""

from __future__ import annotations

import copy
from typing import Any

from tender.integrations.skypilot.decide import Ask, Decision, Request

LABEL = "tender.workload"
WHERE = ("infra", "cloud", "region", "zone", "instance_type", "accelerators", "gpus", "use_spot")


class TaskError(ValueError):
    """A task config Tender cannot read; the message names the field."""


def _accelerators(raw: Any, field: str) -> tuple[tuple[str, int], ...]:
    if raw is None:
        return ()
    if isinstance(raw, str):
        items: list[str] = [raw]
    elif isinstance(raw, dict):
        items = [f"{k}:{v}" if v is not None else str(k) for k, v in raw.items()]
    elif isinstance(raw, list | set | tuple):
        items = [str(x) for x in raw]
    else:
        raise TaskError(f"{field}: not an accelerator spec")
    out = []
    for item in items:
        name, sep, count = item.partition(":")
        text = count.strip() if sep else "1"
        try:
            number = float(text)
        except ValueError:
            raise TaskError(f"{field}: {item!r} has no accelerator count") from None
        if number <= 0 or number != int(number):
            raise TaskError(f"{field}: {item!r}: Tender places whole accelerators only")
        out.append((name.strip(), int(number)))
    return tuple(out)


def _where(entry: dict[str, Any], field: str) -> tuple[str | None, str | None]:
    infra = entry.get("infra")
    if infra is not None:
        parts = [p.strip() for p in str(infra).split("/")]
        cloud = None if parts[0] in ("", "*") else parts[0]
        region = parts[1] if len(parts) > 1 and parts[1] not in ("", "*") else None
        return cloud, region
    cloud, region = entry.get("cloud"), entry.get("region")
    if (cloud is not None and not isinstance(cloud, str)) or (
        region is not None and not isinstance(region, str)
    ):
        raise TaskError(f"{field}: cloud and region are names")
    return cloud, region


def _entries(resources: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    base = {k: v for k, v in resources.items() if k not in ("any_of", "ordered")}
    listed = resources.get("any_of") or resources.get("ordered")
    key = "any_of" if resources.get("any_of") else "ordered"
    if not listed:
        return [("resources", base)]
    return [(f"resources.{key}[{i}]", {**base, **(entry or {})}) for i, entry in enumerate(listed)]


def workload_of(config: dict[str, Any]) -> str:
    resources = config.get("resources") or {}
    labels: dict[str, Any] = dict(resources.get("labels") or {})
    for key in ("any_of", "ordered"):
        for entry in resources.get(key) or []:
            labels.update((entry or {}).get("labels") or {})
    return str(labels.get(LABEL) or config.get("name") or "")


def request_of(config: dict[str, Any], month: int) -> Request:
    resources = config.get("resources") or {}
    if not isinstance(resources, dict):
        raise TaskError("resources: a mapping")
    asks = []
    for index, (field, entry) in enumerate(_entries(resources)):
        raw = entry.get("accelerators", entry.get("gpus"))
        cloud, region = _where(entry, field)
        asks.append(
            Ask(
                _accelerators(raw, f"{field}.accelerators"), cloud, region, bool(entry.get("use_spot")), index
            )
        )
    nodes = config.get("num_nodes") or 1
    if not isinstance(nodes, int) or nodes < 1:
        raise TaskError("num_nodes: a whole number >= 1")
    return Request(str(config.get("name") or ""), workload_of(config), tuple(asks), nodes, month)


def rewrite(config: dict[str, Any], decision: Decision) -> dict[str, Any]:
    """The task with its resources replaced by the allowed candidates, in Tender's order."""
    out = copy.deepcopy(config)
    if decision.passthrough:
        return out
    resources = out.get("resources") or {}
    top = {k: v for k, v in resources.items() if k not in (*WHERE, "any_of", "ordered")}
    listed = resources.get("any_of") or resources.get("ordered") or [{}]
    top["ordered"] = [
        {
            **{k: v for k, v in (listed[c.ask] or {}).items() if k not in WHERE},
            "infra": f"{c.cloud.lower()}/{c.sky_region}",
            "accelerators": {c.accelerator: c.count},
            "use_spot": c.use_spot,
        }
        for c in decision.allowed
    ]
    out["resources"] = top
    return out
