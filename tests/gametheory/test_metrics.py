import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gametheory import InvalidGameError, max_drawdown, performance_summary, recovery_steps


def test_drawdown_and_recovery_closed_form():
    wealth = np.array([1.0, 1.2, 0.9, 0.6, 0.9, 1.2, 1.3])
    assert max_drawdown(wealth) == pytest.approx(0.5)
    assert recovery_steps(wealth) == (4, True)  # peak at step 1, regained at step 5
    assert recovery_steps(np.array([1.0, 2.0, 1.0, 1.5])) == (2, False)  # censored at the end


def test_summary_of_constant_growth():
    wealth = 1.001 ** np.arange(253)
    s = performance_summary(wealth, 252)
    assert s["total_return"] == pytest.approx(1.001**252 - 1)
    assert s["annual_return"] == pytest.approx(1.001**252 - 1)
    assert s["max_drawdown"] == 0.0 and s["annual_volatility"] == pytest.approx(0.0, abs=1e-12)
    assert s["sortino"] == 0.0  # no downside: reported as 0, never inf


def test_sharpe_matches_definition():
    rng = np.random.default_rng(0)
    r = rng.normal(0.0005, 0.01, 500)
    s = performance_summary(np.r_[1.0, np.cumprod(1 + r)])
    assert s["sharpe"] == pytest.approx(r.mean() / r.std(ddof=1) * np.sqrt(252))
    assert s["sortino"] == pytest.approx(r.mean() / np.sqrt(np.mean(np.minimum(r, 0) ** 2)) * np.sqrt(252))


@pytest.mark.parametrize("bad", [[1.0], [1.0, -1.0], [1.0, np.nan], [[1.0, 2.0]]])
def test_bad_wealth(bad):
    with pytest.raises(InvalidGameError):
        performance_summary(np.array(bad))


@given(st.lists(st.floats(0.01, 100), min_size=2, max_size=50))
def test_drawdown_in_unit_interval(values):
    dd = max_drawdown(np.array(values))
    assert 0.0 <= dd < 1.0
