"""The work behind `tender compare`: load the variants, plan them, search a break-even.

1. `load_all(base, variants)`: the base and each overlay merged onto it (`config.overlay`), each a
   validated scenario; a bad file is its problems (FILE:LINE:COL), exit 2; names must be unique;
2. `plan_all`: every variant planned with the same options (`sourcing.plan`), its accounts and the
   primary named by the base (`sourcing.compare.deltas`);
   under `--samples N`, `sample_all` plans every variant in the same N futures (`compare_pool`) and
   reports sample means with standard errors;
3. `break_even`: the field resolved in variant B (unknown or not a number: one line, exit 2), both
   ends of the range checked, then `sourcing.compare.breakeven.bisect` with one plan per point.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from tender.cli.compare_pool import run_local, run_ray
from tender.cli.output import fail_bad_input
from tender.cli.risk_ray import RayUnavailable
from tender.config.errors import InputError
from tender.config.fieldpath import FieldPathError, get, resolve
from tender.config.overlay import Variant, build, load_base, load_variant, with_value
from tender.domain import Scenario
from tender.plan_output.compare_json import BreakEvenDoc
from tender.sourcing import NoSolution, PlanOptions, plan
from tender.sourcing.compare.breakeven import NoSignChange, bisect
from tender.sourcing.compare.deltas import VariantResult, compare_one, primary_of
from tender.sourcing.compare.sampled import Errors, errors, futures_of, mean_accounts


@dataclass(frozen=True)
class Loaded:
    variant: Variant
    scenario: Scenario


def _or_exit(work: Callable[[], Loaded]) -> Loaded:
    try:
        return work()
    except InputError as exc:
        fail_bad_input([str(p) for p in exc.problems])


def load_all(base_path: Path, variant_paths: list[Path]) -> list[Loaded]:
    """Step 1: the base first, then each variant in the order given."""

    def base_work() -> Loaded:
        v = load_base(str(base_path))
        return Loaded(v, build(v))

    base = _or_exit(base_work)
    out = [base]
    for path in variant_paths:

        def work(path: Path = path) -> Loaded:
            v = load_variant(base.variant, str(path))
            return Loaded(v, build(v))

        loaded = _or_exit(work)
        clash = next((x for x in out if x.variant.name == loaded.variant.name), None)
        if clash is not None:
            fail_bad_input(
                f"{path}: variant name '{loaded.variant.name}' is already used by {clash.variant.file} "
                "(give each variant its own `variant.name`)"
            )
        out.append(loaded)
    return out


def plan_one(sc: Scenario, options: PlanOptions, what: str) -> Any:
    try:
        return plan(sc, options)
    except NoSolution as exc:
        fail_bad_input(f"{what}: no feasible plan found ({exc}); try a longer --time-limit")


def plan_all(loaded: list[Loaded], options: PlanOptions, done: Callable[[str], None]) -> list[VariantResult]:
    """Step 2."""
    primary = primary_of(loaded[0].scenario)
    out = []
    for x in loaded:
        p = plan_one(x.scenario, options, x.variant.file)
        out.append(compare_one(x.variant.name, x.variant.file, x.scenario, p, primary))
        done(x.variant.name)
    return out


def sample_all(
    loaded: list[Loaded],
    seed: int,
    samples: int,
    workers: int,
    ray_address: str | None,
    options: PlanOptions,
    done: Callable[[int], None],
) -> tuple[list[VariantResult], list[Errors]]:
    """Step 2 under `--samples`: every variant in the same sampled futures (the base's inputs)."""
    base_sc = loaded[0].scenario
    primary = primary_of(base_sc)
    scenarios = [x.scenario for x in loaded]
    inp = futures_of(base_sc)
    try:
        if ray_address is not None:
            per = run_ray(ray_address, scenarios, inp, seed, samples, options, primary, done)
        else:
            per = run_local(scenarios, inp, seed, samples, workers, options, primary, done)
    except RayUnavailable as exc:
        fail_bad_input(str(exc))
    results = [
        VariantResult(x.variant.name, x.variant.file, mean_accounts(accs), "sampled")
        for x, accs in zip(loaded, per, strict=True)
    ]
    return results, [errors(per[0], accs) for accs in per]


def _number(text: str, what: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        fail_bad_input(f"{what}: '{text}' is not a number")
    if not value.is_finite():
        fail_bad_input(f"{what}: '{text}' is not a finite number")
    return value


@dataclass(frozen=True)
class Target:
    """What `--break-even` varies: variant B's field, the range searched, A's name."""

    a: str
    b: Loaded
    field: str
    integral: bool
    lo: Decimal
    hi: Decimal


def break_even_target(
    loaded: list[Loaded], field: str, between: tuple[str, str], searched: tuple[str, str] | None
) -> Target:
    """Step 3's checks, made before any plan: both names known, the field a number of B, a range."""
    by_name = {x.variant.name: x for x in loaded}
    for name in between:
        if name not in by_name:
            fail_bad_input(f"--between: no variant named '{name}' (variants: {', '.join(by_name)})")
    b = by_name[between[1]]
    try:
        path = resolve(b.variant.data, field)
    except FieldPathError as exc:
        fail_bad_input(f"--break-even: {exc} (in variant {b.variant.name}, {b.variant.file})")
    current = get(b.variant.data, path)
    if isinstance(current, bool) or not isinstance(current, (int, Decimal)):
        fail_bad_input(
            f"--break-even: '{field}' is not a number in variant {b.variant.name} (it is {current!r})"
        )
    integral = isinstance(current, int)
    if searched is None:
        lo, hi = Decimal(0), Decimal(current) * 2
    else:
        lo, hi = _number(searched[0], "--range"), _number(searched[1], "--range")
    if integral:
        lo, hi = lo.to_integral_value(), hi.to_integral_value()
    if not lo < hi:
        fail_bad_input(f"--range: the low end {lo} must be below the high end {hi}")
    return Target(between[0], b, field, integral, lo, hi)


def break_even(
    loaded: list[Loaded],
    t: Target,
    tolerance: Decimal,
    options: PlanOptions,
    done: Callable[[str], None],
    planned: list[VariantResult],
) -> BreakEvenDoc:
    """Step 3: vary the field in variant B; A's lab cost is the one already planned (`planned`)."""
    b, field, integral, lo, hi = t.b, t.field, t.integral, t.lo, t.hi
    primary = primary_of(loaded[0].scenario)
    cost_a = next(r.accounts.lab.total_usd for r in planned if r.name == t.a)

    def cost_b_at(x: Decimal) -> Decimal:
        value: int | Decimal = int(x) if integral else x
        v = with_value(b.variant, field, value)
        try:
            sc = build(v)
        except InputError as exc:
            fail_bad_input(
                f"--break-even: {field} = {x} makes variant {b.variant.name} invalid: {exc.problems[0]}"
            )
        done(f"{b.variant.name} at {x}")
        return _lab_cost(Loaded(v, sc), options, primary)

    try:
        result = bisect(cost_a, cost_b_at, lo, hi, tolerance_usd=tolerance, integral=integral)
    except NoSignChange as e:
        fail_bad_input(
            f"--break-even: the lab's cost difference {b.variant.name} - {t.a} does not change sign "
            f"over {field} in [{e.lo}, {e.hi}]: ${e.gap_lo:,.2f} at {e.lo}, ${e.gap_hi:,.2f} at {e.hi} "
            "(widen --range)"
        )
    return BreakEvenDoc(field, (t.a, b.variant.name), (lo, hi), tolerance, result)


def _lab_cost(x: Loaded, options: PlanOptions, primary: str | None) -> Decimal:
    p = plan_one(x.scenario, options, x.variant.file)
    return compare_one(x.variant.name, x.variant.file, x.scenario, p, primary).accounts.lab.total_usd
