"""`tender compare`'s terminal tables (Rich): the lab per variant, then each party's revenue per variant.

1. `lab_table`: per variant its lab cost, the cost lines, unmet h100_eq-months, runs missed, and the
   delta of its lab cost against the base;
2. `party_table`: per party one row, one column per variant (revenue, the delta against the base in
   brackets); `build_table`: the primary's and the rivals' new build per variant;
3. `break_even_table`: the break-even value, the tolerance reached and the plans evaluated.
Amounts in $B with three decimals (so $1M steps show): the JSON carries the exact cents.
"""

from __future__ import annotations

from decimal import Decimal

from rich.table import Table

from tender.plan_output.compare_json import BreakEvenDoc
from tender.sourcing.compare.deltas import VariantResult, delta
from tender.sourcing.compare.sampled import Errors

BILLION = Decimal(10**9)


def money(v: Decimal) -> str:
    return f"{v / BILLION:,.3f}"


def signed(v: Decimal) -> str:
    return f"{v / BILLION:+,.3f}"


def lab_table(results: list[VariantResult], errors: list[Errors] | None = None) -> Table:
    """With `errors` (sampled), sample means and the standard error of the delta (± ...)."""
    base = results[0].accounts
    title = "The lab, per variant ($B)" + (" — sample means" if errors else "")
    t = Table(title=title, title_justify="left")
    for col in ("variant", "lab cost", "compute", "shortfall", "rev share", "unmet", "unmet h100eq·mo"):
        t.add_column(col, justify="left" if col == "variant" else "right")
    t.add_column("runs missed")
    t.add_column("Δ vs base", justify="right")
    for k, v in enumerate(results):
        lab = v.accounts.lab
        pm = f" ±{errors[k].delta_lab_cost_usd / BILLION:,.3f}" if errors else ""
        t.add_row(
            v.name,
            money(lab.total_usd),
            money(lab.compute_usd),
            money(lab.shortfall_usd),
            money(lab.revenue_share_usd),
            money(lab.unmet_penalty_usd),
            f"{v.accounts.unmet_h100_eq_months:,.0f}",
            ", ".join(v.accounts.runs_missed) or "-",
            signed(delta(base, v.accounts).lab_cost_usd) + pm,
        )
    return t


def party_table(results: list[VariantResult]) -> Table:
    base = results[0].accounts
    t = Table(title="Each party's revenue from the lab ($B; Δ vs base)", title_justify="left")
    t.add_column("party")
    for v in results:
        t.add_column(v.name, justify="right")
    parties = [r.party for r in base.providers]
    cells: dict[str, list[str]] = {p: [] for p in parties}
    for v in results:
        d = dict(delta(base, v.accounts).parties)
        mine = {r.party: r.revenue_usd for r in v.accounts.providers}
        for p in parties:
            cells[p].append(f"{money(mine.get(p, Decimal(0)))} ({signed(d.get(p, Decimal(0)))})")
    for p in parties:
        t.add_row(p, *cells[p])
    return t


def build_table(results: list[VariantResult]) -> Table:
    """New build per variant: the primary's (carried) and the rivals' (offloaded)."""
    primary = results[0].accounts.build.primary
    t = Table(title="New build for the lab: GPU-months / peak GPUs / capex proxy $B", title_justify="left")
    t.add_column("builder")
    for v in results:
        t.add_column(v.name, justify="right")
    if primary:
        t.add_row(primary, *(_build(v, primary) for v in results))
    t.add_row("rivals", *(_build(v, None) for v in results))
    return t


def _build(v: VariantResult, primary: str | None) -> str:
    b = v.accounts.build.of(primary) if primary else v.accounts.build.rivals()
    return f"{b.gpu_months:,} / {b.peak_gpus:,} / {money(b.capex_proxy_usd)}"


def break_even_table(b: BreakEvenDoc) -> Table:
    r = b.result
    t = Table(
        title=f"Break-even of {b.field} between {b.between[0]} and {b.between[1]}", title_justify="left"
    )
    t.add_column("measure")
    t.add_column("value", justify="right")
    t.add_row("value", format(r.value, "f"))
    t.add_row("bracket", f"{r.bracket[0]} .. {r.bracket[1]}")
    t.add_row(f"lab cost {b.between[0]} ($B)", money(r.cost_a_usd))
    t.add_row(f"lab cost {b.between[1]} at value ($B)", money(r.cost_b_usd))
    t.add_row("tolerance reached ($)", format(r.tolerance_usd.quantize(Decimal("0.01")), ","))
    t.add_row("tolerance asked ($)", format(b.asked_tolerance_usd, ","))
    t.add_row("plans evaluated", str(r.plans_evaluated))
    return t
