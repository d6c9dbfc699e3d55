"""pass@k against values computed by hand from 1 - C(n-c, k) / C(n, k)."""

from __future__ import annotations

from math import comb

import pytest
from hypothesis import given
from hypothesis import strategies as st

from civilinstruct.bench.passk import mean_pass_at_k, pass_at_k


@pytest.mark.parametrize(("n", "c", "k", "expected"), [
    (5, 0, 1, 0.0),
    (5, 0, 5, 0.0),
    (5, 1, 1, 0.2),            # 1 - 4/5
    (5, 1, 5, 1.0),            # any 5 of 5 include the one
    (5, 2, 1, 0.4),
    (10, 3, 5, 1 - 21 / 252),  # C(7,5)=21, C(10,5)=252
    (10, 1, 5, 0.5),           # 1 - C(9,5)/C(10,5) = 1 - 126/252
    (6, 2, 5, 1.0),            # n - c = 4 < k
    (20, 4, 2, 1 - 120 / 190),  # C(16,2)=120, C(20,2)=190
])
def test_hand_computed(n: int, c: int, k: int, expected: float) -> None:
    assert pass_at_k(n, c, k) == pytest.approx(expected, abs=1e-12)


@given(n=st.integers(1, 60), data=st.data())
def test_matches_binomial_formula(n: int, data: st.DataObject) -> None:
    c = data.draw(st.integers(0, n))
    k = data.draw(st.integers(1, n))
    assert pass_at_k(n, c, k) == pytest.approx(1 - comb(n - c, k) / comb(n, k), abs=1e-9)


def test_mean_and_errors() -> None:
    assert mean_pass_at_k([(5, 1), (5, 0)], 1) == pytest.approx(0.1)
    assert mean_pass_at_k([], 5) == 0.0
    with pytest.raises(ValueError):
        pass_at_k(3, 1, 5)
    with pytest.raises(ValueError):
        pass_at_k(5, 6, 1)
