"""The record's canonical JSON is the ``rfc8785`` package's, byte for byte.

Every record entry and every ``incidents.imported`` hash is over RFC 8785 canonical JSON;
``canonical_json`` computes it on a fast path for plain data, which must agree with the
reference on everything (and fall back to it for whatever it does not handle).
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coordcell.record.canonical import canonical_json as fast_canonical_json
from coordcell.record.canonical import reference_canonical_json as canonical_json
from tests.profiles import examples


def _both(value: object) -> tuple[object, object]:
    def attempt(func):
        try:
            return func(value)
        except Exception as exc:  # the same refusal counts as agreement
            return type(exc)

    return attempt(canonical_json), attempt(fast_canonical_json)


scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(2**53), max_value=2**53)
    | st.floats()
    | st.floats(min_value=-1e22, max_value=1e22)
    | st.text()
    | st.dates()
    | st.datetimes(timezones=st.timezones())
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=5)
        | st.dictionaries(st.text(max_size=5), inner, max_size=5)
        | st.tuples(inner, inner)
    ),
    max_leaves=25,
)


# 1,000 random values a run (3,000 under the "thorough" profile, as CI's PostgreSQL pass
# runs): the examples are drawn anew each run, and a failure found once is replayed first.
@pytest.mark.slow
@settings(max_examples=examples(300, thorough=3000), deadline=None)
@given(values)
def test_it_agrees_with_the_reference_on_any_json_value(value) -> None:
    reference, fast = _both(value)
    assert fast == reference


@pytest.mark.parametrize(
    "number",
    [0.0, -0.0, 35.0, 1e-4, 9.999e-5, 1e-7, 0.1, 1 / 3, 123456789.125, 2.0**53, 2.0**53 + 2,
     9999999999999998.0, 1e16, 1e21, 5e-324, 1.7976931348623157e308, 2**53 - 1, 2**53],
)  # fmt: skip
def test_numbers_at_the_edges_of_the_plain_range(number) -> None:
    reference, fast = _both({"n": number, "list": [number, -number]})
    assert fast == reference


def test_a_snapshot_like_value() -> None:
    value = {
        "reference": "INC-00001",
        "occurred_from": dt.datetime(2026, 3, 1, 10, 15, tzinfo=dt.timezone(dt.timedelta(hours=3))),
        "occurred_until": None,
        "geometry": {"type": "Point", "coordinates": [35.824, 33.125]},
        "uncertainty_m": 25000.0,
        "title": 'UCDP 1 · "quoted" \u00e9\n\t\u2028',
        "findings": [{"params": {"uncertainty_m": 25000, "lon": 35.8, "lat": 33.1}}],
    }
    assert fast_canonical_json(value) == canonical_json(value)
    assert b'"occurred_from":"2026-03-01T07:15:00Z"' in fast_canonical_json(value)
    assert b'"uncertainty_m":25000' in fast_canonical_json(value)
