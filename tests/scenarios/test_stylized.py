"""Annual volatility among the stylized facts (the other facts are pinned in test_library.py)."""

import math

import numpy as np
import pytest

from scenarios.data import load_market
from scenarios.stylized import FACTS, compare_facts, stylized_facts


def test_annual_vol_is_the_pooled_standard_deviation_annualised():
    returns = load_market("sp500").log_returns.to_numpy()
    facts = stylized_facts(returns)
    assert facts.annual_vol == pytest.approx(np.std(returns) * math.sqrt(252), rel=1e-12)
    assert facts.annual_vol == pytest.approx(0.19108, abs=1e-5)
    monthly = stylized_facts(returns, periods_per_year=12)
    assert monthly.annual_vol == pytest.approx(facts.annual_vol * math.sqrt(12 / 252), rel=1e-12)
    # a path set pools around one mean: two paths at different levels add their spread
    paths = np.array([[0.01, -0.01, 0.01, -0.01], [0.03, 0.01, 0.03, 0.01]])
    assert stylized_facts(paths).annual_vol == pytest.approx(math.sqrt(252 * np.mean((paths - 0.01) ** 2)))


def test_compare_facts_has_a_row_per_fact():
    returns = load_market("sp500").log_returns.to_numpy()
    table = compare_facts(stylized_facts(returns[:2500]), stylized_facts(returns))
    assert list(table.index) == list(FACTS) and FACTS[-1] == "annual_vol"
    assert table.loc["annual_vol", "real"] == pytest.approx(0.19108, abs=1e-5)
