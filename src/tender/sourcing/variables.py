"""Step 2: decision variables, and the sparse linear model they live in.

`LinearModel` collects columns (bounds, cost, integrality, name) and rows as sparse triplets; `solve`
hands the arrays to HiGHS in one `passModel`, and the benchmark can hand the same arrays to PuLP.
`Vars` indexes the model's columns by meaning.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tender.sourcing.data import PlanData
from tender.sourcing.merge import group_need

INF = float("inf")


@dataclass
class LinearModel:
    """Columns as parallel lists; rows as one CSR (row starts, column indices, values) built in place."""

    col_lower: list[float] = field(default_factory=list)
    col_upper: list[float] = field(default_factory=list)
    col_cost: list[float] = field(default_factory=list)
    col_integer: list[bool] = field(default_factory=list)
    col_name: list[str] = field(default_factory=list)
    row_lower: list[float] = field(default_factory=list)
    row_upper: list[float] = field(default_factory=list)
    row_name: list[str] = field(default_factory=list)
    row_start: list[int] = field(default_factory=lambda: [0])
    row_index: list[int] = field(default_factory=list)
    row_value: list[float] = field(default_factory=list)
    offset: float = 0.0

    def var(
        self, name: str, lb: float = 0.0, ub: float = INF, cost: float = 0.0, integer: bool = False
    ) -> int:
        self.col_lower.append(lb)
        self.col_upper.append(ub)
        self.col_cost.append(cost)
        self.col_integer.append(integer)
        self.col_name.append(name)
        return len(self.col_cost) - 1

    def row(self, name: str, terms: list[tuple[int, float]], lb: float = -INF, ub: float = INF) -> int:
        merged: dict[int, float] = {}
        for col, coef in terms:
            merged[col] = merged.get(col, 0.0) + coef
        for col in sorted(merged):
            if merged[col] != 0.0:
                self.row_index.append(col)
                self.row_value.append(merged[col])
        self.row_start.append(len(self.row_index))
        self.row_lower.append(lb)
        self.row_upper.append(ub)
        self.row_name.append(name)
        return len(self.row_lower) - 1

    @property
    def rows(self) -> list[list[tuple[int, float]]]:
        """Each row's (column, coefficient) entries (for readers; the solver takes the CSR as is)."""
        starts, idx, val = self.row_start, self.row_index, self.row_value
        return [
            list(zip(idx[starts[k] : starts[k + 1]], val[starts[k] : starts[k + 1]], strict=True))
            for k in range(self.num_rows)
        ]

    def add_cost(self, col: int, amount: float) -> None:
        self.col_cost[col] += amount

    @property
    def num_cols(self) -> int:
        return len(self.col_cost)

    @property
    def num_rows(self) -> int:
        return len(self.row_lower)

    @property
    def num_integer(self) -> int:
        return sum(self.col_integer)


@dataclass
class Vars:
    """Column indices by meaning. Keys use indices into `PlanData` (fleet i, offer o, month m)."""

    x: dict[tuple[int, int, int], int] = field(default_factory=dict)  # fleet GPUs at base pricing
    xs: dict[tuple[int, int, int], int] = field(default_factory=dict)  # fleet GPUs at spot
    unmet: dict[tuple[int, int], int] = field(default_factory=dict)  # fleet h100_eq unmet
    y: dict[tuple[int, int, int], int] = field(default_factory=dict)  # run r at site s starting month
    run_unmet: dict[int, int] = field(default_factory=dict)  # run r not placed (1 - sum y)
    z: dict[tuple[int, int, int, int], int] = field(
        default_factory=dict
    )  # run r GPUs from offer o, month m, site
    burst: dict[int, int] = field(default_factory=dict)  # reservation pool: GPUs above the reserved
    topup: dict[tuple[int, int], int] = field(default_factory=dict)  # take-or-pay GPUs paid, unused
    racks: dict[tuple[int, int], int] = field(default_factory=dict)  # full racks used
    spend: dict[tuple[str, int], int] = field(default_factory=dict)  # eligible spend (provider, month)
    shortfall: dict[tuple[str, int], int] = field(default_factory=dict)  # (commitment, milestone idx)
    drawdown: dict[str, int] = field(default_factory=dict)  # commitments drawing after another
    usage_terms: dict[tuple[int, int], list[tuple[int, float]]] = field(default_factory=dict)
    spot: set[int] = field(default_factory=set)  # every spot column


def create(data: PlanData, model: LinearModel, integral: bool) -> Vars:
    """Create every fleet/run/slack column; pricing-dependent costs are set by `objective`."""
    cols = Vars()
    for members in data.groups():
        i = members[0]  # a group's columns are keyed by its first member
        fleet = data.fleets[i]
        for o_idx, months in data.fleet_offers[i]:
            offer = data.offers[o_idx]
            spot_ok = fleet.preemptible_ok and offer.spot_rate is not None and offer.kind == "existing"
            for month in months:
                if offer.base_usable(month):
                    col = model.var(f"x[{fleet.id},{o_idx},{month}]", integer=integral)
                    cols.x[(i, o_idx, month)] = col
                    cols.usage_terms.setdefault((o_idx, month), []).append((col, 1.0))
                if spot_ok and offer.spot_usable(month):
                    col = model.var(f"xs[{fleet.id},{o_idx},{month}]", integer=integral)
                    cols.xs[(i, o_idx, month)] = col
                    cols.usage_terms.setdefault((o_idx, month), []).append((col, 1.0))
                    cols.spot.add(col)
        for month in data.months:
            cols.unmet[(i, month)] = model.var(
                f"u[{fleet.id},{month}]", ub=float(group_need(data.fleets, members, month))
            )
    for r_idx, run in enumerate(data.runs):
        for site, start, used in data.run_options[r_idx]:
            y = model.var(f"y[{run.id},{site},{start}]", ub=1.0, integer=True)
            cols.y[(r_idx, site, start)] = y
            offer_ids = data.sites[site]
            for month in range(start, start + run.duration_months):
                usable = [
                    i
                    for i in offer_ids
                    if data.offers[i].cap[month - 1] > 0 and data.offers[i].base_usable(month)
                ]
                if len(usable) == 1:
                    cols.usage_terms.setdefault((usable[0], month), []).append((y, float(used)))
                    continue
                for o_idx in usable:
                    split_col = model.var(f"z[{run.id},{site},{start},{o_idx},{month}]")
                    cols.z[(r_idx, o_idx, month, y)] = split_col
                    cols.usage_terms.setdefault((o_idx, month), []).append((split_col, 1.0))
        cols.run_unmet[r_idx] = model.var(f"ru[{run.id}]", ub=1.0)
    return cols
