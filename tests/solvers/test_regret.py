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
    res = _direct_minimax_regret_lp(r)
    assert reg.max_regret == pytest.approx(res.fun, abs=1e-7 * max(np.ptp(a), 1))
    assert reg.max_regret == pytest.approx(float((reg.strategy @ r).max()), abs=1e-12)
    assert reg.lower_bound <= reg.max_regret + 1e-12


def _direct_minimax_regret_lp(r):
    """min t s.t. R^T x <= t, sum x = 1, x >= 0, written out independently of the library."""
    m, n = r.shape
    return linprog(
        np.r_[np.zeros(m), 1.0],
        A_ub=np.hstack([r.T, -np.ones((n, 1))]),
        b_ub=np.zeros(n),
        A_eq=np.r_[np.ones(m), 0.0][None, :],
        b_eq=[1.0],
        bounds=[(0, None)] * m + [(None, None)],
        method="highs",
    )


def test_relative_regret_closed_form():
    # Columns spread 3 and 1: relative regret [[0, 1], [1, 0]] -> the 50/50 mix, max regret 1/2.
    reg = minimax_regret([[3, 0], [0, 1]], kind="relative")
    np.testing.assert_allclose(reg.regret, [[0, 1], [1, 0]])
    np.testing.assert_allclose(reg.strategy, [0.5, 0.5], atol=1e-9)
    assert reg.kind == "relative" and reg.max_regret == pytest.approx(0.5) and reg.gap <= 1e-9
    assert reg.to_dict()["kind"] == "relative"


def test_relative_regret_is_scale_free_per_scenario_and_zero_on_flat_columns():
    a = np.array([[1.0, 5.0, 2.0], [0.0, 9.0, 2.0], [0.5, 1.0, 2.0]])
    scaled = a * np.array([1000.0, 0.01, 7.0])
    np.testing.assert_allclose(regret_matrix(a, "relative"), regret_matrix(scaled, "relative"), atol=1e-12)
    assert (regret_matrix(a, "relative")[:, 2] == 0).all()
    assert minimax_regret(a, "relative").max_regret == pytest.approx(minimax_regret(scaled, "relative").max_regret)


def test_unknown_kind_is_a_config_error():
    from gametheory import ConfigError

    with pytest.raises(ConfigError, match="regret kind"):
        minimax_regret([[1, 2]], kind="percent")


@given(
    st.tuples(st.integers(1, 5), st.integers(1, 5)).flatmap(
        lambda s: arrays(np.float64, s, elements=st.floats(-10, 10, allow_nan=False, width=32))
    ),
    st.sampled_from(["absolute", "relative"]),
)
def test_both_kinds_match_direct_lp_with_certificate(a, kind):
    reg = minimax_regret(a, kind=kind)
    r = regret_matrix(a, kind)
    if kind == "relative":  # the independent definition, column by column
        spread = a.max(axis=0) - a.min(axis=0)
        expected = np.where(spread > 0, (a.max(axis=0) - a) / np.where(spread > 0, spread, 1.0), 0.0)
        np.testing.assert_allclose(r, expected, atol=1e-12)
    res = _direct_minimax_regret_lp(r)
    scale = max(float(r.max()), 1.0)
    assert reg.max_regret == pytest.approx(res.fun, abs=1e-7 * scale)
    # The certificate: recomputed from R, the attacker's mix bounds the optimum from below.
    assert reg.max_regret == pytest.approx(float((reg.strategy @ r).max()), abs=1e-12)
    assert reg.lower_bound == pytest.approx(float((r @ reg.scenario_weights).min()), abs=1e-12)
    assert reg.lower_bound <= res.fun + 1e-7 * scale and reg.gap <= 1e-7 * scale
    assert reg.scenario_weights.sum() == pytest.approx(1.0) and (reg.scenario_weights >= 0).all()
