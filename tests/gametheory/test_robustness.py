"""Robustness framework and adversarial search."""

import numpy as np
import pytest

from gametheory.adversarial import adversarial_search
from gametheory.robustness import ab_test, certified_radius, performance_under_attack, red_team, survival_rate
from gametheory.strategies import fixed, trend_following

SIGMA = 0.01


@pytest.fixture(scope="module")
def paths():
    return np.random.default_rng(0).normal(0.0003, SIGMA, size=(12, 80))


def test_performance_of_buy_and_hold_closed_forms(paths):
    perf = performance_under_attack(fixed(1.0), paths, sigma0=SIGMA, cost=0.0)
    totals = np.expm1(paths.sum(axis=1))
    assert perf.total_return == pytest.approx(totals.mean())
    assert perf.cvar == pytest.approx(-totals.min())  # 5 % of 12 paths -> the worst one


def test_survival_on_given_windows():
    windows = {"crash": np.full(5, np.log(0.9)), "calm": np.full(5, 0.001)}
    report = survival_rate(fixed(1.0), windows, max_drawdown=0.2, sigma0=SIGMA, cost=0.0)
    assert report.rate == 0.5
    assert report.table.loc["crash", "max_drawdown"] == pytest.approx(1 - 0.9**5)


def test_ab_test_interval_brackets_the_difference(paths):
    result = ab_test(fixed(0.5), fixed(1.0), paths, sigma0=SIGMA, rng=1)
    assert result.ci_low <= result.difference <= result.ci_high
    assert result == ab_test(fixed(0.5), fixed(1.0), paths, sigma0=SIGMA, rng=1)


@pytest.mark.parametrize("norm", ["inf", "one"])
def test_adversarial_search_stays_in_budget_and_hurts(paths, norm):
    strategy = trend_following(span=10)
    found = adversarial_search(strategy, paths, 0.004, norm=norm, n_iter=40, sigma0=SIGMA, rng=3)
    size = np.abs(found.delta).max(axis=1) if norm == "inf" else np.abs(found.delta).sum(axis=1)
    assert (size <= 0.004 + 1e-12).all()
    assert (found.worst >= found.base).all() and (found.worst > found.base).any()


def test_certificates_are_ordered(paths):
    grid = [0.0, 0.001, 0.002, 0.004]
    kwargs = dict(drawdown_limit=0.3, budgets=grid, sigma0=SIGMA, cost=0.0, rng=0)
    finite = certified_radius(fixed(1.0), paths, method="finite", **kwargs)
    bound = certified_radius(fixed(1.0), paths, method="bound", **kwargs)
    search = certified_radius(fixed(1.0), paths, method="search", n_iter=10, **kwargs)
    # the sound bound is never below a drawdown that is actually attained
    assert (bound.table["worst_drawdown"] >= finite.table["worst_drawdown"] - 1e-12).all()
    assert (bound.table["worst_drawdown"] >= search.table["worst_drawdown"] - 1e-12).all()
    assert "exhaustive" in finite.claim and "upper bound" in search.claim and "sound" in bound.claim
    assert finite.table["worst_drawdown"].is_monotonic_increasing


def test_red_team_reports_breach(paths):
    report = red_team(fixed(1.0), paths, budget=0.01, drawdown_limit=0.05, n_iter=5, sigma0=SIGMA, rng=0)
    assert report.breached and report.under_attack.worst_drawdown > 0.05
