"""The volume channel: standardised log volume of real data and the base volume model."""

import numpy as np
import pandas as pd
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from gametheory.errors import ConfigError
from solvers.gan.volume import (
    DEFAULT_VOLUME_MODEL,
    VOLUME_SPAN,
    VolumeModel,
    standardised_log_volume,
)


def test_standardised_log_volume_is_the_surprise_against_the_ewm_mean():
    rng = np.random.default_rng(0)
    volume = np.exp(20 + np.cumsum(rng.normal(0, 0.1, 300)))
    volume[[50, 51]] = 0.0  # no trading: the last volume carries forward
    x = standardised_log_volume(volume)
    filled = pd.Series(np.where(volume > 0, volume, np.nan)).ffill()
    log_volume = np.log(filled)
    residual = (log_volume - log_volume.ewm(span=VOLUME_SPAN).mean().shift(1)).iloc[1:]
    np.testing.assert_allclose(x, residual / residual.std(), rtol=1e-12)
    assert x.shape == (299,) and x.std(ddof=1) == pytest.approx(1.0)
    # Units do not matter (shares or lots): a constant factor cancels.
    np.testing.assert_allclose(standardised_log_volume(1e3 * volume), x, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("volume", [[1.0, 2.0], [0.0, 1.0, 2.0], [1.0, np.nan, 2.0], [5.0, 5.0, 5.0, 5.0]])
def test_standardised_log_volume_refuses_unusable_series(volume):
    with pytest.raises(ConfigError, match="volume"):
        standardised_log_volume(volume)


def test_torch_filter_matches_the_numpy_recursion_and_a_plain_loop():
    rng = np.random.default_rng(1)
    returns, noise = rng.standard_normal((3, 4, 25)), rng.standard_normal((3, 4, 26))
    model = VolumeModel(0.1, -0.6, 0.3, 0.7)
    x, expected = noise[..., 0], []
    for t in range(25):
        x = model.intercept + model.persistence * x + model.loading * np.abs(returns[..., t]) \
            + model.noise_std * noise[..., t + 1]
        expected.append(x)
    expected = np.stack(expected, axis=-1)
    np.testing.assert_allclose(model.simulate(returns, noise), expected, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(model.volume(torch.tensor(returns), torch.tensor(noise)), expected, rtol=1e-12,
                               atol=1e-14)


def test_volume_is_differentiable_in_the_returns():
    model = DEFAULT_VOLUME_MODEL
    returns = torch.tensor([0.5, -1.0, 2.0, -0.3], dtype=torch.float64, requires_grad=True)
    model.volume(returns, torch.zeros(5, dtype=torch.float64))[3].backward()
    lags = torch.tensor([3.0, 2.0, 1.0, 0.0], dtype=torch.float64)
    expected = model.loading * torch.sign(returns.detach()) * model.persistence**lags
    torch.testing.assert_close(returns.grad, expected, rtol=1e-12, atol=1e-15)


@settings(max_examples=10, deadline=None)
@given(st.floats(-0.5, 0.5), st.floats(-0.8, 0.8), st.floats(0.0, 0.6), st.floats(0.3, 1.5),
       st.integers(0, 2**31 - 1))
def test_least_squares_recovers_the_model(intercept, persistence, loading, noise_std, seed):
    rng = np.random.default_rng(seed)
    model = VolumeModel(intercept, persistence, loading, noise_std)
    returns = rng.standard_normal(20_000)
    fitted = VolumeModel.fit(returns, model.simulate(returns, rng.standard_normal(20_001)), 1.0)
    np.testing.assert_allclose([fitted.intercept, fitted.persistence, fitted.loading, fitted.noise_std],
                               [intercept, persistence, loading, noise_std], atol=0.05)


def test_market_fit_and_the_default(market):
    sigma = float(market.log_returns.std())
    fitted = VolumeModel.of_market(market, sigma)
    # The default is the bundled S&P 500's fit, rounded.
    np.testing.assert_allclose([fitted.intercept, fitted.persistence, fitted.loading, fitted.noise_std],
                               [DEFAULT_VOLUME_MODEL.intercept, DEFAULT_VOLUME_MODEL.persistence,
                                DEFAULT_VOLUME_MODEL.loading, DEFAULT_VOLUME_MODEL.noise_std], atol=5e-3)
    # Volume rises on big moves and persists, as in the real series.
    assert fitted.loading > 0.1 and 0.3 < fitted.persistence < 0.7
    assert VolumeModel.of_market(market.log_returns.to_numpy(), sigma) is DEFAULT_VOLUME_MODEL
    with pytest.raises(ConfigError, match="persistence"):
        VolumeModel(0.0, 1.0, 0.2, 0.8)
