"""Base-path models on the bundled S&P 500 and NASDAQ: block bootstrap, EGARCH / GJR / GARCH and the mix."""

import json
import math

import numpy as np
import pytest
from arch import arch_model
from arch.univariate import ConstantMean, SkewStudent
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
from scenarios.stylized import stylized_facts


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


# --- GARCH family ---------------------------------------------------------------------------------


def _arch_fit(returns, vol, dist="skewt"):
    """An independent fit with arch's own front door, on percent returns."""
    name, o = {"egarch": ("EGARCH", 1), "gjr": ("GARCH", 1), "garch": ("GARCH", 0)}[vol]
    return arch_model(100 * returns, mean="Constant", vol=name, p=1, o=o, q=1, dist=dist).fit(disp="off")


@pytest.mark.parametrize("market", ["sp500", "nasdaq"])
@pytest.mark.parametrize("vol", ["egarch", "gjr", "garch"])
def test_fit_is_arch_s_fit_in_return_units(market, vol):
    data = load_market(market)
    returns = data.log_returns.to_numpy()
    fit, oracle = fit_garch(data, vol=vol), _arch_fit(returns, vol)
    percent = oracle.params.to_numpy()
    names = ["mu", "omega", "alpha", "gamma", "beta", "eta", "lambda"]
    assert list(fit.params) == (names if vol != "garch" else names[:3] + names[4:])
    assert (fit.vol, fit.dist) == (vol, "skewt")
    got = np.array(list(fit.params.values()))
    assert_allclose(got[0], percent[0] / 100, rtol=1e-6)  # mu
    assert_allclose(got[2:], percent[2:], rtol=1e-6)  # alpha, gamma, beta, eta, lambda as fitted
    beta = fit.params["beta"]
    omega = percent[1] - 2 * math.log(100) * (1 - beta) if vol == "egarch" else percent[1] / 100**2
    assert fit.params["omega"] == pytest.approx(omega, rel=1e-6)
    assert fit.loglikelihood == pytest.approx(oracle.loglikelihood + returns.size * math.log(100), rel=1e-9)
    assert_allclose(fit.conditional_vol, oracle.conditional_volatility / 100, rtol=1e-6)
    # sane: stationary, and negative returns raise volatility (the sign of gamma differs by model)
    assert 0.95 < fit.persistence < 1.0
    if vol == "gjr":
        assert fit.params["gamma"] > 0.1 and fit.params["alpha"] < 0.02  # the ARCH effect is the down days'
    if vol == "egarch":
        assert -0.2 < fit.params["gamma"] < -0.05


def test_egarch_fit_on_sp500(fit, returns):
    assert (fit.vol, fit.dist) == ("egarch", "skewt")  # the default
    assert 0.97 < fit.persistence == fit.params["beta"] < 0.99
    assert 4.0 < fit.params["eta"] < 10.0 and -0.2 < fit.params["lambda"] < 0.0  # fat left tail
    assert 0.0 < fit.params["mu"] < 0.001  # in return units, not percent
    assert fit.n_obs == 5030
    assert fit.sample_std == pytest.approx(np.std(returns, ddof=1))
    # beats i.i.d. normal and the symmetric GARCH(1,1) on the same returns, in the same units
    iid_normal = stats.norm.logpdf(returns, returns.mean(), returns.std()).sum()
    assert iid_normal < fit_garch(returns, vol="garch").loglikelihood + 50 < fit.loglikelihood
    assert fit.conditional_vol.shape == (5030,) and not fit.conditional_vol.flags.writeable
    assert fit.conditional_vol.argmax() in range(2450, 2500)  # autumn 2008
    assert json.loads(json.dumps(fit.to_dict()))["params"] == fit.params


def test_egarch_long_run_volatility_matches_a_long_simulation(returns, fit):
    """``unconditional_vol`` against arch simulating its own fit (percent units) for 200,000 days."""
    oracle = _arch_fit(returns, "egarch")
    model = ConstantMean(None, volatility=oracle.model.volatility,
                         distribution=SkewStudent(seed=np.random.default_rng(0)))
    variance = model.simulate(oracle.params, 200_000, burn=2000)["volatility"].to_numpy() ** 2 / 100**2
    assert fit.unconditional_vol == pytest.approx(math.sqrt(252 * np.exp(np.log(variance).mean())), rel=0.05)


def test_gjr_persistence_weights_gamma_by_the_down_days_share_of_variance(returns):
    gjr = fit_garch(returns, vol="gjr")
    alpha, gamma, beta, eta, lam = (gjr.params[name] for name in ("alpha", "gamma", "beta", "eta", "lambda"))
    z = SkewStudent(seed=np.random.default_rng(1)).simulate([eta, lam])(2_000_000)
    down_share = np.mean(z**2 * (z < 0))
    assert 0.53 < down_share < 0.55 and (z < 0).mean() < 0.49  # skewed: fewer down days, larger ones
    assert gjr.persistence == pytest.approx(alpha + down_share * gamma + beta, abs=1e-3)
    assert gjr.unconditional_vol == pytest.approx(math.sqrt(252 * gjr.params["omega"] / (1 - gjr.persistence)))
    assert gjr.unconditional_vol > 0.4  # near-integrated: twice the data's 19 %


@pytest.mark.parametrize("vol", ["egarch", "gjr", "garch"])
def test_simulation_is_arch_s_simulator(returns, vol):
    """Paths in return units are arch's simulation of its own percent-unit fit, number for number."""
    fit, oracle = fit_garch(returns, vol=vol), _arch_fit(returns, vol)
    paths = simulate_garch(fit, 3, 40, rng=12)
    generator = np.random.default_rng(12)
    model = ConstantMean(None, volatility=oracle.model.volatility, distribution=SkewStudent(seed=generator))
    params = oracle.params.copy()
    params["mu"] = 100 * returns.mean()
    states = np.asarray(oracle.conditional_volatility) ** 2
    for path in paths.log_returns:
        state = states[generator.integers(states.size)]
        start = math.log(state) if vol == "egarch" else state  # arch's EGARCH state is the log variance
        expected = model.simulate(params, 40, burn=0, initial_value_vol=start)["data"].to_numpy() / 100
        assert_allclose(path, expected, rtol=1e-6, atol=1e-12)


def test_egarch_paths_have_the_data_s_facts(spx, fit):
    """Leverage effect, kurtosis, clustering and volatility of 256 simulated years against the data's."""
    real = stylized_facts(spx.log_returns)
    egarch = stylized_facts(simulate_garch(fit, 256, 252, rng=0).log_returns)
    garch = stylized_facts(garch_paths(spx, 256, 252, rng=0, vol="garch", dist="t").log_returns)
    assert -0.114 < real.leverage < -0.113 and egarch.leverage < -0.05
    assert abs(egarch.leverage - real.leverage) < 0.05
    assert abs(egarch.leverage - real.leverage) < abs(garch.leverage - real.leverage) - 0.05
    assert 0.5 < egarch.excess_kurtosis / real.excess_kurtosis < 2.5
    assert garch.excess_kurtosis / real.excess_kurtosis > 5  # no finite fourth moment: explosive paths
    assert egarch.annual_vol == pytest.approx(real.annual_vol, rel=0.1)
    assert egarch.acf_abs_1 == pytest.approx(real.acf_abs_1, abs=0.08)


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
    # the drift is the sample's, not the likelihood's mu
    assert fit.simulation_params == {**fit.params, "mu": fit.sample_mean}


@pytest.mark.parametrize("vol", ["egarch", "gjr"])
def test_garch_simulation_is_seeded(returns, vol):
    fit = fit_garch(returns, vol=vol)
    first = simulate_garch(fit, 6, 40, rng=5).log_returns
    assert_array_equal(first, simulate_garch(fit, 6, 40, rng=5).log_returns)
    assert not np.array_equal(first, simulate_garch(fit, 6, 40, rng=6).log_returns)
    # paths are drawn one after the other from one stream: a larger set extends a smaller one
    assert_array_equal(first, simulate_garch(fit, 9, 40, rng=5).log_returns[:6])


def test_garch_paths_is_fit_then_simulate(spx, fit):
    paths = garch_paths(spx, 3, 30, rng=4)
    assert_array_equal(paths.log_returns, simulate_garch(fit, 3, 30, rng=4).log_returns)
    assert paths.garch == fit
    gjr = garch_paths(spx, 3, 30, rng=4, vol="gjr", dist="t")
    assert_array_equal(gjr.log_returns, simulate_garch(fit_garch(spx, vol="gjr", dist="t"), 3, 30, rng=4).log_returns)
    assert (gjr.garch.vol, gjr.garch.dist) == ("gjr", "t")


def test_garch_refusals(returns):
    with pytest.raises(ScenarioError, match="at least 250 returns, got 100"):
        fit_garch(returns[:100])
    with pytest.raises(ScenarioError, match="unknown GARCH dist 'cauchy'"):
        fit_garch(returns, dist="cauchy")
    with pytest.raises(ScenarioError, match="unknown volatility model 'figarch'; use one of egarch, gjr, garch"):
        fit_garch(returns, vol="figarch")


@pytest.mark.parametrize(("vol", "names"), [("egarch", ["mu", "omega", "alpha", "gamma", "beta"]),
                                            ("garch", ["mu", "omega", "alpha", "beta"])])
def test_normal_errors_fit_without_shape_parameters(returns, vol, names):
    fit = fit_garch(returns[-1500:], vol=vol, dist="normal")
    assert list(fit.params) == names
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
    assert_array_equal(
        make_paths(spx, 3, 25, model="garch", rng=1, vol="garch", dist="t").log_returns,
        garch_paths(spx, 3, 25, rng=1, vol="garch", dist="t").log_returns,
    )
    mixed = make_paths(spx, 4, 25, rng=1, vol="gjr")
    assert mixed.garch.vol == "gjr"
    assert_array_equal(mixed.log_returns[2:], make_paths(spx, 4, 25, rng=1, vol="gjr", model="mixed").log_returns[2:])
