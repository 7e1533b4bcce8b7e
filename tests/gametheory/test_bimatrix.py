import numpy as np
import pytest

from gametheory import InvalidGameError, ZeroSumGame
from gametheory.bimatrix import BimatrixGame, attacker_payoff


def test_attacker_payoff_formula_and_zero_sum_default():
    a = np.array([[1.0, -2.0, 0.5], [0.0, 3.0, -1.0]])
    np.testing.assert_array_equal(attacker_payoff(a), -a)
    b = attacker_payoff(a, cost=[0.1, 0.2, 0.3], detection_probability=[[0.0, 0.5, 1.0], [0.2, 0.2, 0.2]], penalty=2.0)
    expected = -a - np.array([0.1, 0.2, 0.3]) - np.array([[0.0, 1.0, 2.0], [0.4, 0.4, 0.4]])
    np.testing.assert_allclose(b, expected)
    game = BimatrixGame.from_costs(a, cost=0.5)
    assert not game.is_zero_sum and BimatrixGame.from_costs(a).is_zero_sum
    np.testing.assert_allclose(game.attacker_payoff, -a - 0.5)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"detection_probability": 1.5}, r"\[0, 1\]"),
        ({"penalty": -1.0}, "penalty"),
        ({"cost": [1.0, 2.0]}, "cost has shape"),
        ({"cost": np.nan}, "NaN"),
    ],
)
def test_attacker_payoff_rejects_bad_parts(kwargs, match):
    with pytest.raises(InvalidGameError, match=match):
        attacker_payoff(np.zeros((2, 3)), **kwargs)


def test_game_validation_and_labels():
    with pytest.raises(InvalidGameError, match="shape"):
        BimatrixGame(np.zeros((2, 2)), np.zeros((2, 3)))
    with pytest.raises(InvalidGameError, match="attacker payoff"):
        BimatrixGame(np.zeros((2, 2)), [[0, np.inf], [0, 0]])
    game = BimatrixGame.from_zero_sum(ZeroSumGame([[1, -1], [-1, 1]], ["up", "down"], ["l", "r"]))
    assert game.is_zero_sum and game.row_labels == ("up", "down") and game.col_labels == ("l", "r")
    assert game.best_response_gaps([0.5, 0.5], [0.5, 0.5]) == (0.0, 0.0)
    assert game.best_response_gaps([1, 0], [1, 0]) == (0.0, 2.0)
