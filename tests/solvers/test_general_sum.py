import warnings

import nashpy
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from gametheory import ConfigError
from gametheory.bimatrix import BimatrixGame, DegenerateGameWarning
from solvers import solve_zero_sum
from solvers.general_sum import lemke_howson_path, solve_general_sum, solve_stackelberg

BATTLE = BimatrixGame([[3, 0], [0, 2]], [[2, 0], [0, 3]])


@pytest.mark.parametrize("method", ["support", "vertex", "all", "auto"])
def test_battle_of_the_sexes_has_three_equilibria(method):
    sol = solve_general_sum(BATTLE, method=method)
    assert len(sol.equilibria) == 3 and sol.complete and not sol.degenerate and sol.rejected == 0
    found = sorted((tuple(np.round(e.row_strategy, 9)), tuple(np.round(e.col_strategy, 9))) for e in sol.equilibria)
    assert found == [((0.0, 1.0), (0.0, 1.0)), ((0.6, 0.4), (0.4, 0.6)), ((1.0, 0.0), (1.0, 0.0))]
    # Selection: the trader's payoff-dominant equilibrium (3 > 2 > 6/5).
    np.testing.assert_allclose(sol.selected.row_strategy, [1, 0])
    assert [round(e.trader_value, 9) for e in sol.equilibria] == [3.0, 2.0, 1.2]
    assert all(e.epsilon <= sol.tolerance for e in sol.equilibria)


def test_lemke_howson_from_every_label_finds_only_pure_equilibria_here():
    sol = solve_general_sum(BATTLE, method="lemke_howson")
    assert not sol.complete and 1 <= len(sol.equilibria) <= 3
    assert all(e.found_by == ("lemke_howson",) for e in sol.equilibria)


def test_selection_tiebreak_uses_the_trader_guarantee():
    # Both pure equilibria pay the trader 1; only row 0 also guarantees 1 if the attacker deviates.
    a = np.array([[1.0, 1.0], [0.0, 1.0]])
    b = np.array([[1.0, 0.0], [0.0, 1.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DegenerateGameWarning)
        sol = solve_general_sum(BimatrixGame(a, b), method="all")
    assert sol.selected.trader_value == pytest.approx(1.0) and sol.selected.trader_security == pytest.approx(1.0)
    np.testing.assert_allclose(sol.selected.row_strategy, [1, 0])


def test_degenerate_game_warns_and_still_certifies():
    # von Stengel's degenerate 3x2 example: a continuum of equilibria.
    a = np.array([[3.0, 3.0], [2.0, 5.0], [0.0, 6.0]])
    b = np.array([[3.0, 3.0], [2.0, 6.0], [3.0, 1.0]])
    with pytest.warns(DegenerateGameWarning, match="degenerate"):
        sol = solve_general_sum(BimatrixGame(a, b), method="all")
    assert sol.degenerate and sol.degeneracy_reasons
    game = BimatrixGame(a, b)
    for e in sol.equilibria:
        assert max(game.best_response_gaps(e.row_strategy, e.col_strategy)) <= sol.tolerance


def test_matches_nashpy_support_enumeration_on_random_games():
    rng = np.random.default_rng(3)
    for m, n in [(2, 3), (3, 3), (4, 3)]:
        a, b = rng.normal(size=(m, n)), rng.normal(size=(m, n))
        sol = solve_general_sum(BimatrixGame(a, b), method="all")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            oracle = list(nashpy.Game(a, b).support_enumeration())
        # nashpy's own check compares floats exactly and can drop a true equilibrium, so the
        # oracle's set must be contained in ours; a non-degenerate game has an odd number.
        assert len(sol.equilibria) >= len(oracle) and len(sol.equilibria) % 2 == 1 and not sol.degenerate
        for e in sol.equilibria:
            assert max(BimatrixGame(a, b).best_response_gaps(e.row_strategy, e.col_strategy)) <= 1e-9
        for x, y in oracle:
            assert any(np.allclose(x, e.row_strategy, atol=1e-7) and np.allclose(y, e.col_strategy, atol=1e-7)
                       for e in sol.equilibria)


def test_time_limit_reports_what_it_did_not_finish():
    rng = np.random.default_rng(0)
    game = BimatrixGame(rng.random((12, 12)), rng.random((12, 12)))
    sol = solve_general_sum(game, method="all", time_limit=0.05)
    assert not sol.complete and sol.equilibria
    assert any(u.startswith("support: checked") for u in sol.unfinished)
    assert all(e.epsilon <= sol.tolerance for e in sol.equilibria)


def test_fifty_by_fifty_auto_uses_lemke_howson_and_certifies():
    rng = np.random.default_rng(1)
    game = BimatrixGame(rng.random((50, 50)), rng.random((50, 50)))
    sol = solve_general_sum(game, max_equilibria=1)  # auto -> lemke_howson at this size
    assert sol.methods == ("lemke_howson",) and len(sol.equilibria) == 1 and not sol.complete
    e = sol.selected
    assert max(game.best_response_gaps(e.row_strategy, e.col_strategy)) <= sol.tolerance


def test_lemke_howson_agrees_with_nashpy_on_small_games():
    rng = np.random.default_rng(11)
    for m, n in [(2, 2), (3, 4), (5, 5)]:
        a, b = rng.random((m, n)), rng.random((m, n))
        for label in range(m + n):
            x, y, _ = lemke_howson_path(1 + a, 1 + b, label)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                x_ref, y_ref = nashpy.Game(a, b).lemke_howson(initial_dropped_label=label)
            np.testing.assert_allclose(x, x_ref, atol=1e-9)
            np.testing.assert_allclose(y, y_ref, atol=1e-9)


def test_bad_arguments():
    with pytest.raises(ConfigError, match="unknown method"):
        solve_general_sum(BATTLE, method="gambit")
    with pytest.raises(ConfigError, match="time_limit"):
        solve_general_sum(BATTLE, time_limit=0)
    with pytest.raises(ConfigError, match="max_equilibria"):
        solve_general_sum(BATTLE, max_equilibria=0)


def test_conitzer_sandholm_commitment_beats_nash():
    # Leader (trader) rows [[2, 4], [1, 3]], follower [[1, 0], [0, 1]]. Committing to Up with
    # probability p makes the follower play Right iff 1 - p >= p; the leader then gets 3 + p,
    # maximal at p = 1/2: value 3.5. Up strictly dominates, so the unique Nash equilibrium is
    # (Up, Left) with leader payoff 2.
    game = BimatrixGame([[2, 4], [1, 3]], [[1, 0], [0, 1]])
    sol = solve_stackelberg(game)
    assert sol.leader_value == pytest.approx(3.5, abs=1e-9)
    np.testing.assert_allclose(sol.commitment, [0.5, 0.5], atol=1e-9)
    assert sol.response == 1 and sol.response_label == "a1" and sol.lp_status == ("optimal", "optimal")
    assert sol.follower_gap <= 1e-9 and sol.gap <= 1e-9
    np.testing.assert_allclose(sol.lp_values, [2.0, 3.5], atol=1e-9)
    nash = solve_general_sum(game, method="all")
    assert len(nash.equilibria) == 1 and nash.selected.trader_value == pytest.approx(2.0)
    assert sol.to_dict()["lp_status"] == {"a0": "optimal", "a1": "optimal"}


def test_never_best_response_lp_is_infeasible():
    # Column 2 is strictly worse for the attacker than column 0 whatever the trader does.
    game = BimatrixGame([[1, 0, 5], [0, 1, 5]], [[1, 0, 0], [1, 0, 0]])
    sol = solve_stackelberg(game)
    assert sol.lp_status[2] == "infeasible" and np.isnan(sol.lp_values[2])
    assert sol.leader_value == pytest.approx(1.0)


@given(
    st.tuples(st.integers(1, 4), st.integers(1, 4)).flatmap(
        lambda s: arrays(np.float64, s, elements=st.floats(-5, 5, allow_nan=False, width=32))
    )
)
def test_zero_sum_stackelberg_value_is_the_minimax_value(a):
    sol = solve_stackelberg(BimatrixGame.from_zero_sum(a))
    scale = max(np.ptp(a), 1.0)
    assert sol.leader_value == pytest.approx(solve_zero_sum(a).value, abs=1e-7 * scale)
    assert sol.gap <= 1e-7 * scale and sol.follower_gap <= 1e-7 * scale


def test_commitment_is_worth_at_least_every_nash_equilibrium():
    rng = np.random.default_rng(7)
    for _ in range(5):
        a, b = rng.normal(size=(3, 3)), rng.normal(size=(3, 3))
        game = BimatrixGame(a, b)
        stackelberg = solve_stackelberg(game)
        nash = solve_general_sum(game, method="support")
        assert stackelberg.leader_value >= max(e.trader_value for e in nash.equilibria) - 1e-9
        assert stackelberg.gap <= 1e-7
