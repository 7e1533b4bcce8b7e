import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.optimize import linprog

from solvers import minimax_regret, regret_matrix


def test_two_by_two_closed_form():
    reg = minimax_regret([[3, 0], [0, 1]])
    np.testing.assert_allclose(reg.strategy, [0.75, 0.25], atol=1e-9)
    assert reg.max_regret == pytest.approx(0.75) and reg.gap <= 1e-9
    np.testing.assert_array_equal(reg.regret, [[0, 1], [3, 0]])


def test_dominant_strategy_has_zero_regret():
    reg = minimax_regret([[5, 4, 3], [1, 2, 3], [0, 0, 0]])
    np.testing.assert_allclose(reg.strategy, [1, 0, 0], atol=1e-9)
    assert reg.max_regret == pytest.approx(0.0, abs=1e-12)


@given(
    st.tuples(st.integers(1, 5), st.integers(1, 5)).flatmap(
        lambda s: arrays(np.float64, s, elements=st.floats(-10, 10, allow_nan=False, width=32))
    )
)
def test_matches_direct_lp(a):
    reg = minimax_regret(a)
    r = regret_matrix(a)
    m, n = r.shape
    # min t s.t. R^T x <= t, sum x = 1, x >= 0 -- written out independently.
    res = linprog(
        np.r_[np.zeros(m), 1.0],
        A_ub=np.hstack([r.T, -np.ones((n, 1))]),
        b_ub=np.zeros(n),
        A_eq=np.r_[np.ones(m), 0.0][None, :],
        b_eq=[1.0],
        bounds=[(0, None)] * m + [(None, None)],
        method="highs",
    )
    assert reg.max_regret == pytest.approx(res.fun, abs=1e-7 * max(np.ptp(a), 1))
    assert reg.max_regret == pytest.approx(float((reg.strategy @ r).max()), abs=1e-12)
    assert reg.lower_bound <= reg.max_regret + 1e-12
