"""Simulated tick streams: price grids, attack injection on a grid, the calibration set."""

import numpy as np
import pytest

from antifragile.streams import calibration_set, inject_attack, simulate_ticks
from gametheory.errors import ConfigError


def on_grid(prices, tick):
    return np.allclose(prices / tick, np.round(prices / tick), rtol=0, atol=1e-6)


def test_a_tick_size_puts_prices_and_attacked_prices_on_the_grid():
    streams = simulate_ticks([0.004, 0.02], 3000, tick_size=0.05, rng=1)
    assert on_grid(streams.prices, 0.05) and on_grid(streams.reference, 0.05)
    assert np.mean(np.diff(streams.prices[0]) == 0) > np.mean(np.diff(streams.prices[1]) == 0) > 0.1
    attacked = inject_attack(streams, "flash_crash", "high", rng=2)
    assert on_grid(attacked.prices, 0.05) and attacked.tick_size == 0.05
    assert not np.array_equal(attacked.prices, streams.prices)


def test_continuous_prices_by_default():
    assert not on_grid(simulate_ticks([0.01], 500, rng=3).prices, 0.01)


@pytest.mark.parametrize("tick_size", [-0.01, 1.0, np.nan])
def test_bad_tick_size_raises_config_error(tick_size):
    with pytest.raises(ConfigError, match="tick_size"):
        simulate_ticks([0.01], 100, tick_size=tick_size)


def test_calibration_set_is_half_continuous_half_on_a_cent_grid():
    data = calibration_set(n_streams=6, n_ticks=400, rng=5)
    assert {name: a.shape for name, a in data.items()} == {
        name: (6, 400) for name in ("prices", "volumes", "imbalance", "reference")
    }
    assert not any(on_grid(row, 0.01) for row in data["prices"][:3])
    assert all(on_grid(row, 0.01) for row in data["prices"][3:])
    assert np.array_equal(data["prices"], calibration_set(n_streams=6, n_ticks=400, rng=5)["prices"])


def test_imbalance_persistence_is_the_lag_one_autocorrelation():
    streams = simulate_ticks([0.01, 0.01, 0.01], 20_000, imbalance_persistence=[0.0, 0.5, 0.95], rng=6)
    lag1 = [np.corrcoef(row[1:], row[:-1])[0, 1] for row in streams.imbalance]
    np.testing.assert_allclose(lag1, [0.0, 0.5, 0.95], atol=0.03)  # tanh barely bends an sd of 0.25


@pytest.mark.parametrize("persistence", [-0.1, 1.0, [0.5, 0.5]])
def test_bad_imbalance_persistence_raises_config_error(persistence):
    with pytest.raises(ConfigError, match="imbalance_persistence"):
        simulate_ticks([0.01], 100, imbalance_persistence=persistence)
