"""The per-decision value types keep the behaviour of the dataclasses they were.

`RunningJob`, `Placement`, `Preemption`, `RoundResult` and `commit.Committed` are frozen dataclasses
with a hand-written `__init__` (instance-dict writes, for speed). Independent checks: each
hand-written `__init__` has the fields' names, order and defaults, and builds the same instance as
the `__init__` `dataclasses.make_dataclass` generates from the same fields (hypothesis draws the
values); equality, hashing, `replace` and the refusal to assign still hold.
"""

from __future__ import annotations

import dataclasses
import inspect
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tender.placement import Placement, Preemption, Reason, RoundResult, RunningJob, Verdict
from tender.placement.commit import Committed

HAND_WRITTEN = (RunningJob, Placement, Preemption, RoundResult, Committed)

ids = st.text(min_size=1, max_size=6)
job_ids = st.tuples(ids) | st.tuples(ids, ids) | st.just(())
verdicts = st.builds(Verdict, st.booleans(), st.sampled_from(list(Reason)) | st.none(), st.text(max_size=5))
placements = st.builds(Placement, ids, ids, st.integers(1, 64))
preemptions = st.builds(Preemption, ids, ids, st.sampled_from(list(Reason)))
VALUES: dict[type, st.SearchStrategy[tuple[Any, ...]]] = {
    RunningJob: st.tuples(ids, ids, st.integers(1, 64), st.floats(0, 1e6)),
    Placement: st.tuples(ids, ids, st.integers(1, 64)),
    Preemption: st.tuples(ids, ids, st.sampled_from(list(Reason))),
    RoundResult: st.tuples(
        st.lists(placements, max_size=3).map(tuple),
        st.lists(preemptions, max_size=3).map(tuple),
        st.dictionaries(ids, verdicts, max_size=3),
        st.none(),
        verdicts,
        st.none() | st.floats(0, 1e6),
    ),
    Committed: st.tuples(job_ids, job_ids, job_ids),
}


def reference(cls: type) -> type:
    """The same fields as a plain frozen dataclass, with the `__init__` dataclasses generates."""
    spec = [(f.name, f.type, dataclasses.field(default=f.default)) for f in dataclasses.fields(cls)]
    return dataclasses.make_dataclass(f"Generated{cls.__name__}", spec, frozen=True)


@pytest.mark.parametrize("cls", HAND_WRITTEN, ids=lambda c: c.__name__)
def test_init_matches_the_fields(cls: type) -> None:
    params = list(inspect.signature(cls.__init__).parameters.values())[1:]
    fields = dataclasses.fields(cls)
    assert [p.name for p in params] == [f.name for f in fields]
    for param, field in zip(params, fields, strict=True):
        assert param.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
        expected = inspect.Parameter.empty if field.default is dataclasses.MISSING else field.default
        assert param.default is expected, field.name
        assert field.default_factory is dataclasses.MISSING


@pytest.mark.parametrize("cls", HAND_WRITTEN, ids=lambda c: c.__name__)
@given(data=st.data())
def test_same_instance_as_the_generated_init(cls: type, data: st.DataObject) -> None:
    values = data.draw(VALUES[cls])
    ours, generated = cls(*values), reference(cls)(*values)
    assert dataclasses.astuple(ours) == dataclasses.astuple(generated)
    assert vars(ours) == vars(generated)
    names = [f.name for f in dataclasses.fields(cls)]
    by_keyword = cls(**dict(zip(names, values, strict=True)))
    assert by_keyword == ours
    assert repr(ours) == repr(generated).replace(f"Generated{cls.__name__}", cls.__name__)
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(ours, names[0], values[0])
    assert dataclasses.replace(ours) == ours


def test_defaults_and_hash() -> None:
    result = RoundResult((Placement("a", "p", 2),), (), {})
    assert result.allocation is None and result.stable_until is None
    assert result.others == Verdict(False, Reason.CAPACITY, "no pool has enough free GPUs")
    assert result.verdict("a") is result.others
    assert hash(Placement("a", "p", 2)) == hash(Placement("a", "p", 2))
    assert Placement("a", "p", 2) != Placement("a", "p", 3)
    assert dataclasses.replace(result, stable_until=5.0).stable_until == 5.0
