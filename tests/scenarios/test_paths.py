"""Base-path models on the bundled S&P 500: block bootstrap, GARCH(1,1)-t and the mix."""

import json
import math

import numpy as np
import pytest
from numpy.lib.stride_tricks import sliding_window_view
from numpy.testing import assert_allclose, assert_array_equal
from scipy import stats

from scenarios.data import load_market
from scenarios.errors import ScenarioError
from scenarios.paths import (
    MAX_STEPS,
    BasePaths,
    bootstrap_paths,
    fit_garch,
    garch_paths,
    make_paths,
    simulate_garch,
)


@pytest.fixture(scope="module")
def spx():
    return load_market("sp500")


@pytest.fixture(scope="module")
def returns(spx):
    return spx.log_returns.to_numpy()


@pytest.fixture(scope="module")
def fit(spx):
    return fit_garch(spx)


# --- bootstrap ------------------------------------------------------------------------------------


def test_bootstrap_values_are_source_returns_in_blocks(spx, returns):
    block = 20
    paths = bootstrap_paths(spx, 6, 70, block=block, rng=3)
    assert paths.log_returns.shape == (6, 70) and (paths.n_paths, paths.n_steps) == (6, 70)
    assert np.isin(paths.log_returns, returns).all()
    windows = sliding_window_view(returns, block)
    for row in paths.log_returns:
        for k in range(0, 70, block):
            chunk = row[k : k + block]  # the last block is cut to 10 values
            assert (windows[:, : chunk.size] == chunk).all(axis=1).any()


def test_bootstrap_records_what_it_was_built_from(spx, returns):
    paths = bootstrap_paths(spx, 4, 30, rng=0)
    assert paths.model == "bootstrap"
    assert paths.seed == 0
    assert paths.sigma == pytest.approx(np.std(returns, ddof=1), rel=1e-12)
    assert paths.periods_per_year == 252
    assert paths.source == "sp500 1999-01-04..2018-12-31 (arch.data.sp500 (Adj Close))"
    assert paths.garch is None


def test_bootstrap_seeds(spx):
    first = bootstrap_paths(spx, 8, 50, rng=7)
    assert_array_equal(first.log_returns, bootstrap_paths(spx, 8, 50, rng=7).log_returns)
    assert not np.array_equal(first.log_returns, bootstrap_paths(spx, 8, 50, rng=8).log_returns)
    drawn = bootstrap_paths(spx, 8, 50, rng=np.random.default_rng(1))
    again = bootstrap_paths(spx, 8, 50, rng=drawn.seed)  # the recorded seed reproduces
    assert_array_equal(drawn.log_returns, again.log_returns)
    fresh = bootstrap_paths(spx, 8, 50)
    assert_array_equal(fresh.log_returns, bootstrap_paths(spx, 8, 50, rng=fresh.seed).log_returns)


def test_bootstrap_from_an_array_with_block_one():
    source = np.array([-0.02, 0.0, 0.01, 0.03])
    paths = bootstrap_paths(source, 3, 200, block=1, rng=2)
    assert set(np.unique(paths.log_returns)) == set(source)
    assert paths.sigma == pytest.approx(np.std(source, ddof=1))
    assert paths.source == "4 log returns (array)"
    whole = bootstrap_paths(source, 2, 4, block=4, rng=2)  # one block: the series itself
    assert_array_equal(whole.log_returns, [source, source])


def test_paths_are_read_only_and_simple_returns_are_expm1(spx):
    paths = bootstrap_paths(spx, 3, 10, rng=1)
    with pytest.raises(ValueError):
        paths.log_returns[0, 0] = 1.0
    simple = paths.simple_returns()
    assert_array_equal(simple, np.expm1(paths.log_returns))
    assert_allclose(simple, np.exp(paths.log_returns) - 1.0, rtol=0, atol=1e-15)
    simple[0, 0] = 5.0  # a fresh array
    assert paths.log_returns[0, 0] != np.log1p(5.0)


def test_base_paths_copies_and_checks():
    values = np.zeros((2, 3))
    paths = BasePaths(values, "bootstrap", None, 0.01)
    values[0, 0] = 1.0
    assert paths.log_returns[0, 0] == 0.0 and values.flags.writeable
    with pytest.raises(ScenarioError, match=r"log_returns\[1, 2\] is nan"):
        BasePaths(np.array([[0.0, 0, 0], [0, 0, np.nan]]), "garch", None, 0.01)
    with pytest.raises(ScenarioError, match=r"2-D array.*\(3,\)"):
        BasePaths(np.zeros(3), "garch", None, 0.01)
    with pytest.raises(ScenarioError, match="sigma must be a positive"):
        BasePaths(values, "garch", None, 0.0)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_paths": 0}, "n_paths must be a positive integer, got 0"),
        ({"n_paths": 2.5}, "n_paths must be a positive integer, got 2.5"),
        ({"n_paths": True}, "n_paths must be a positive integer, got True"),
        ({"n_steps": -1}, "n_steps must be a positive integer, got -1"),
        ({"n_steps": MAX_STEPS + 1}, f"n_steps \\({MAX_STEPS + 1}\\) exceeds the maximum"),
        ({"n_paths": 2**20, "n_steps": 2**10}, "exceeds the maximum of 268435456 values"),
        ({"block": 0}, "block must be a positive integer, got 0"),
        ({"block": 6000}, r"block \(6000\) is longer than the 5030 returns"),
        ({"rng": -1}, "rng must be a numpy Generator, a non-negative int or None, got -1"),
        ({"rng": "seed"}, "rng must be a numpy Generator"),
        ({"model": "gbm"}, "unknown path model 'gbm'; use one of bootstrap, garch, mixed"),
    ],
)
def test_make_paths_refuses_bad_arguments(spx, kwargs, message):
    arguments = {"n_paths": 4, "n_steps": 10, "model": "bootstrap", **kwargs}
    with pytest.raises(ScenarioError, match=message):
        make_paths(spx, **arguments)


def test_refuses_bad_return_arrays():
    with pytest.raises(ScenarioError, match=r"returns\[2\] is inf"):
        bootstrap_paths([0.01, 0.0, np.inf, 0.02], 2, 5, block=1)
    with pytest.raises(ScenarioError, match=r"1-D array.*\(2, 2\)"):
        bootstrap_paths(np.zeros((2, 2)), 2, 5)


# --- GARCH ----------------------------------------------------------------------------------------


def test_garch_fit_on_sp500(fit, returns):
    params = fit.params
    assert list(params) == ["mu", "omega", "alpha", "beta", "nu"]
    assert 0.9 < fit.persistence < 1.0
    assert fit.persistence == pytest.approx(params["alpha"] + params["beta"])
    assert 0.03 < params["alpha"] < 0.2 and params["omega"] > 0
    assert 4.0 < params["nu"] < 10.0  # fat tails, finite kurtosis
    assert 0.0 < params["mu"] < 0.002  # in return units, not percent
    assert fit.unconditional_vol == pytest.approx(
        math.sqrt(252 * params["omega"] / (1 - fit.persistence))
    )
    assert fit.n_obs == 5030
    assert fit.sample_std == pytest.approx(np.std(returns, ddof=1))
    # GARCH-t beats i.i.d. normal on the same returns, in the same (return) units
    iid_normal = stats.norm.logpdf(returns, returns.mean(), returns.std()).sum()
    assert iid_normal < fit.loglikelihood < iid_normal + 2000
    assert fit.conditional_vol.shape == (5030,) and not fit.conditional_vol.flags.writeable
    assert fit.conditional_vol.argmax() in range(2450, 2500)  # autumn 2008
    assert json.loads(json.dumps(fit.to_dict()))["params"] == params


def test_garch_simulation_matches_the_data(fit, returns):
    paths = simulate_garch(fit, 128, 252, rng=11)
    x = paths.log_returns
    assert x.shape == (128, 252)
    assert paths.model == "garch" and paths.garch is fit and paths.seed == 11
    assert paths.sigma == fit.sample_std
    assert 0.6 < x.std() / returns.std() < 1.6
    assert stats.kurtosis(x.ravel()) > 0.0
    path_vol = np.median(x.std(axis=1)) * math.sqrt(252)
    assert 0.1 < path_vol < 0.3
    # the drift is the sample's, not the t-likelihood's much larger mu
    assert abs(x.mean() - fit.sample_mean) < abs(x.mean() - fit.params["mu"])
    assert fit.simulation_params == {**fit.params, "mu": fit.sample_mean}


def test_garch_simulation_is_seeded(fit):
    first = simulate_garch(fit, 6, 40, rng=5).log_returns
    assert_array_equal(first, simulate_garch(fit, 6, 40, rng=5).log_returns)
    assert not np.array_equal(first, simulate_garch(fit, 6, 40, rng=6).log_returns)
    # paths are drawn one after the other from one stream: a larger set extends a smaller one
    assert_array_equal(first, simulate_garch(fit, 9, 40, rng=5).log_returns[:6])


def test_garch_paths_is_fit_then_simulate(spx, fit):
    paths = garch_paths(spx, 3, 30, rng=4)
    assert_array_equal(paths.log_returns, simulate_garch(fit, 3, 30, rng=4).log_returns)
    assert paths.garch == fit


def test_garch_refusals(returns):
    with pytest.raises(ScenarioError, match="at least 250 returns, got 100"):
        fit_garch(returns[:100])
    with pytest.raises(ScenarioError, match="unknown GARCH dist 'cauchy'"):
        fit_garch(returns, dist="cauchy")


def test_normal_errors_fit_without_shape_parameters(returns):
    fit = fit_garch(returns[-1500:], dist="normal")
    assert list(fit.params) == ["mu", "omega", "alpha", "beta"]
    assert fit.source == "1500 log returns (array)"
    assert simulate_garch(fit, 2, 10, rng=0).log_returns.shape == (2, 10)


# --- mixed ----------------------------------------------------------------------------------------


def test_mixed_is_bootstrap_then_garch(spx, fit, returns):
    paths = make_paths(spx, 5, 60, rng=9)
    assert paths.model == "mixed" and paths.seed == 9 and paths.garch == fit
    assert np.isin(paths.log_returns[:3], returns).all()  # ceil(5 / 2) bootstrap paths
    assert not np.isin(paths.log_returns[3:], returns).any()  # simulated values are new
    assert_array_equal(paths.log_returns, make_paths(spx, 5, 60, rng=9).log_returns)
    assert not np.array_equal(paths.log_returns, make_paths(spx, 5, 60, rng=10).log_returns)
    single = make_paths(spx, 1, 60, rng=9)
    assert_array_equal(single.log_returns, paths.log_returns[:1])
    assert single.garch is None


def test_make_paths_dispatches(spx):
    assert_array_equal(
        make_paths(spx, 3, 25, model="bootstrap", rng=1, block=5).log_returns,
        bootstrap_paths(spx, 3, 25, block=5, rng=1).log_returns,
    )
    assert_array_equal(
        make_paths(spx, 3, 25, model="garch", rng=1).log_returns,
        garch_paths(spx, 3, 25, rng=1).log_returns,
    )
