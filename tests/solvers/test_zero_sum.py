import nashpy
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from gametheory import ConfigError, InvalidGameError, ZeroSumGame, certify
from solvers import solve_zero_sum

TEXTBOOK = [
    # (payoff, value, trader's equilibrium mix or None when not unique)
    ([[1, -1], [-1, 1]], 0.0, [0.5, 0.5]),  # matching pennies
    ([[0, -1, 1], [1, 0, -1], [-1, 1, 0]], 0.0, [1 / 3, 1 / 3, 1 / 3]),  # rock-paper-scissors
    ([[2, -1], [-1, 1]], 0.2, [0.4, 0.6]),  # 2x2 closed form (ad - bc) / (a + d - b - c)
    ([[3, 1, 4], [2, 0, 1], [5, 2, 3]], 2.0, [0.0, 0.0, 1.0]),  # saddle point
    ([[0, 2, -3, 0], [-2, 0, 0, 3], [3, 0, 0, -4], [0, -3, 4, 0]], 0.0, None),  # Morra: value 0
    ([[4, 0], [0, 1], [0.5, 0.5]], 0.8, [0.2, 0.8, 0.0]),  # dominated row
    ([[7.5]], 7.5, [1.0]),
]


@pytest.mark.parametrize("payoff, value, mix", TEXTBOOK)
def test_textbook_values(payoff, value, mix):
    sol = solve_zero_sum(payoff)
    assert sol.value == pytest.approx(value, abs=1e-9)
    assert sol.exploitability <= 1e-9
    assert sol.row_strategy.sum() == pytest.approx(1.0) and (sol.row_strategy >= 0).all()
    assert sol.col_strategy.sum() == pytest.approx(1.0) and (sol.col_strategy >= 0).all()
    if mix is not None:
        np.testing.assert_allclose(sol.row_strategy, mix, atol=1e-8)


def test_colonel_blotto_value_against_closed_form():
    # Blotto with 2 battlefields, trader 3 soldiers, attacker 2 soldiers: payoff is battles won minus lost.
    rows = [(3, 0), (2, 1), (1, 2), (0, 3)]
    cols = [(2, 0), (1, 1), (0, 2)]
    a = np.array([[sum(np.sign(r[k] - c[k]) for k in range(2)) for c in cols] for r in rows], dtype=float)
    sol = solve_zero_sum(a)
    assert sol.exploitability <= 1e-9
    # Independent check: nashpy's support enumeration on the same game.
    eq = next(iter(nashpy.Game(a).support_enumeration()))
    assert sol.value == pytest.approx(float(eq[0] @ a @ eq[1]), abs=1e-9)


@pytest.mark.parametrize("seed", range(5))
def test_random_games_match_nashpy_vertex_enumeration(seed):
    a = np.random.default_rng(seed).normal(size=(4, 5))
    sol = solve_zero_sum(a)
    values = {round(float(x @ a @ y), 9) for x, y in nashpy.Game(a, -a).vertex_enumeration()}
    assert len(values) == 1  # every equilibrium of a zero-sum game has the same value
    assert sol.value == pytest.approx(values.pop(), abs=1e-8)


def test_large_random_game_is_certified():
    a = np.random.default_rng(7).random((200, 150))
    sol = solve_zero_sum(ZeroSumGame(a))
    assert sol.exploitability <= 1e-8
    cert = certify(a, sol.row_strategy, sol.col_strategy)
    assert cert.lower_bound == sol.lower_bound and cert.upper_bound == sol.upper_bound
    assert sol.iterations > 0 and sol.seconds > 0 and sol.success


def test_solution_labels_support_and_dict():
    game = ZeroSumGame([[2, -1], [-1, 1]], row_labels=["trend", "cash"], col_labels=["crash", "pump"])
    sol = solve_zero_sum(game)
    assert list(sol.row_support()) == ["cash", "trend"]
    d = sol.to_dict()
    assert d["row_strategy"]["trend"] == pytest.approx(0.4) and d["value"] == pytest.approx(0.2)


def test_bad_method_and_bad_input():
    with pytest.raises(ConfigError, match="unknown method"):
        solve_zero_sum([[1.0]], method="simplex-magic")
    with pytest.raises(InvalidGameError, match="non-finite"):
        solve_zero_sum([[1.0, np.nan]])
    with pytest.raises(InvalidGameError, match="empty"):
        solve_zero_sum(np.zeros((0, 0)))


matrices = st.tuples(st.integers(1, 6), st.integers(1, 6)).flatmap(
    lambda shape: arrays(np.float64, shape, elements=st.floats(-100, 100, allow_nan=False, width=32))
)


@given(matrices)
def test_value_between_pure_maximin_and_minimax_and_certified(a):
    sol = solve_zero_sum(a)
    scale = max(np.ptp(a), 1.0)
    assert a.min(axis=1).max() - 1e-9 * scale <= sol.value <= a.max(axis=0).min() + 1e-9 * scale
    assert 0.0 <= sol.exploitability <= 1e-8 * scale
    assert sol.lower_bound - 1e-12 * scale <= sol.value <= sol.upper_bound + 1e-12 * scale


@given(matrices, st.floats(-50, 50), st.floats(0.01, 20))
def test_value_is_affine_equivariant(a, shift, scale):
    base = solve_zero_sum(a).value
    span = max(np.ptp(a), 1.0)
    assert solve_zero_sum(a + shift).value == pytest.approx(base + shift, abs=1e-8 * span + 1e-9 * abs(shift))
    assert solve_zero_sum(scale * a).value == pytest.approx(scale * base, abs=1e-8 * span * scale)


@given(matrices, st.randoms(use_true_random=False))
def test_permuting_rows_and_columns_permutes_the_equilibrium(a, random):
    rows, cols = list(range(a.shape[0])), list(range(a.shape[1]))
    random.shuffle(rows)
    random.shuffle(cols)
    sol = solve_zero_sum(a)
    permuted = solve_zero_sum(a[np.ix_(rows, cols)])
    span = max(np.ptp(a), 1.0)
    assert permuted.value == pytest.approx(sol.value, abs=1e-8 * span)
    # The permuted original mixes are an equilibrium of the permuted game.
    cert = certify(a[np.ix_(rows, cols)], sol.row_strategy[rows], sol.col_strategy[cols])
    assert cert.exploitability <= 1e-8 * span
