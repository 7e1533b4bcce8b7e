import numpy as np
import pandas as pd
import pytest

from gametheory import InvalidGameError, ZeroSumGame, certify, exploitability


@pytest.mark.parametrize(
    "bad, fragment",
    [
        ([[1.0, np.nan], [0.0, 1.0]], "row 0, column 1"),
        ([[1.0, 2.0], [np.inf, 1.0]], "row 1, column 0"),
        ([[1.0, 2.0], [3.0, -np.inf]], "non-finite"),
        ([], "2-D"),
        (np.empty((0, 3)), "empty"),
        (np.empty((2, 0)), "empty"),
        ([1.0, 2.0], "2-D"),
        (np.zeros((2, 2, 2)), "2-D"),
        ([["a", "b"], ["c", "d"]], "real numbers"),
        ([[1, 2], [3]], "rectangular"),
        ([[1 + 1j, 0], [0, 1]], "real numbers"),
        (None, "real numbers"),
        ([[object(), 1], [2, 3]], "real numbers"),
    ],
)
def test_bad_payoffs_raise_invalid_game_error(bad, fragment):
    with pytest.raises(InvalidGameError, match=fragment):
        ZeroSumGame(bad)


def test_invalid_game_error_is_value_error():
    assert issubclass(InvalidGameError, ValueError)


def test_labels_from_dataframe_and_validation():
    frame = pd.DataFrame([[1.0, 2.0], [3.0, 4.0]], index=["cash", "trend"], columns=["crash", "pump"])
    game = ZeroSumGame(frame)
    assert game.row_labels == ("cash", "trend") and game.col_labels == ("crash", "pump")
    assert game.maximin() == 3.0 and game.minimax() == 3.0
    pd.testing.assert_frame_equal(game.to_frame(), frame)
    with pytest.raises(InvalidGameError, match="labels"):
        ZeroSumGame([[1.0, 2.0]], row_labels=["a", "b"])
    with pytest.raises(InvalidGameError, match="unique"):
        ZeroSumGame([[1.0, 2.0]], col_labels=["a", "a"])


def test_payoff_is_read_only_copy():
    source = np.array([[1.0, 2.0], [3.0, 4.0]])
    game = ZeroSumGame(source)
    source[0, 0] = 99.0
    assert game.payoff[0, 0] == 1.0
    with pytest.raises(ValueError):
        game.payoff[0, 0] = 5.0


def test_certificate_of_matching_pennies():
    a = [[1.0, -1.0], [-1.0, 1.0]]
    cert = certify(a, [0.5, 0.5], [0.5, 0.5])
    assert cert.lower_bound == 0.0 and cert.upper_bound == 0.0
    # A pure strategy is exploitable by a full unit of payoff on each side.
    assert exploitability(a, [1.0, 0.0], [0.5, 0.5]) == pytest.approx(1.0)
    with pytest.raises(InvalidGameError, match="probability"):
        certify(a, [0.7, 0.7], [0.5, 0.5])
    with pytest.raises(InvalidGameError, match="length"):
        certify(a, [1.0], [0.5, 0.5])
