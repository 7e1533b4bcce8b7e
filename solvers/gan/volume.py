"""The volume channel of the GAN stage: standardised log volume, real and modelled.

Unit: the *standardised log volume* of day ``t`` is

    x_t = (log V_t - m_{t-1}) / s,

with ``m_{t-1}`` the exponentially weighted mean (span :data:`VOLUME_SPAN`) of ``log V`` up to the day
before and ``s`` the standard deviation of those residuals over the series: a unit-variance volume
"surprise", free of the decades-long rise in traded volume. Days with no volume (``V <= 0``) carry the
last positive volume forward. The bundled S&P 500 and NASDAQ series of :func:`scenarios.data.load_market`
carry daily volume, so the realism critic sees real ``(r_t, x_t)`` windows.

Base paths carry returns only (:mod:`scenarios.paths`), so their volume comes from a model fitted by
least squares on the real series:

    x_t = c + phi x_{t-1} + beta |r_t| / sigma + s_e e_t,    e_t ~ N(0, 1),    x_{-1} ~ N(0, 1),

volume's day-to-day persistence plus its loading on the day's absolute return (volume rises on big
moves, either way). On the S&P 500, 1999-2018: ``c = -0.125, phi = 0.50, beta = 0.22, s_e = 0.84``
(:data:`DEFAULT_VOLUME_MODEL`, used when the market data have no volume), which reproduces the lag-1
autocorrelation 0.52 of ``x`` and the correlation 0.21 between ``|r|`` and ``x``; NASDAQ gives nearly
the same. The model is a linear filter of ``|r|``, so a path's volume follows its (attacked) returns
and stays differentiable in them: a crash the generator writes into the returns raises the volume, and
the generator's volume attack comes on top.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch
from scipy.signal import lfilter

from gametheory.errors import ConfigError
from scenarios.data import MarketData

__all__ = ["DEFAULT_VOLUME_MODEL", "VOLUME_SPAN", "VolumeModel", "standardised_log_volume"]

VOLUME_SPAN = 60
"""Span (days) of the EWM mean that standardised log volume is measured against."""


def standardised_log_volume(volume, span: int = VOLUME_SPAN) -> np.ndarray:
    """Standardised log volume ``x_1 .. x_{n-1}``, aligned with the log returns of the same days.

    Parameters
    ----------
    volume : array-like of shape (n_obs,)
        Daily volume, ``>= 0``, the first one positive.
    span : int

    Returns
    -------
    ndarray of shape (n_obs - 1,)
        ``x_t`` for ``t = 1 .. n_obs - 1`` (the first day has no earlier mean), unit sample variance.
    """
    values = np.asarray(volume, dtype=np.float64)
    if values.ndim != 1 or values.size < 3 or not np.isfinite(values).all() or values[0] <= 0:
        raise ConfigError(f"volume must be a finite 1-D array of >= 3 values, the first positive; "
                          f"got shape {values.shape}")
    positive = np.maximum.accumulate(np.where(values > 0, np.arange(values.size), 0))  # last positive day
    log_volume = np.log(values[positive])
    means = pd.Series(log_volume).ewm(span=span).mean().to_numpy()
    residual = log_volume[1:] - means[:-1]
    if not residual.std() > 0:
        raise ConfigError("volume is constant in log terms: its standardised log volume is undefined")
    return residual / residual.std(ddof=1)


@dataclass(frozen=True)
class VolumeModel:
    """Standardised log volume as an AR(1) with a loading on ``|r| / sigma`` (see the module docstring).

    Attributes
    ----------
    intercept, persistence, loading, noise_std : float
        ``c``, ``phi`` (``|phi| < 1``), ``beta`` and ``s_e``.
    """

    intercept: float
    persistence: float
    loading: float
    noise_std: float

    def __post_init__(self):
        values = (self.intercept, self.persistence, self.loading, self.noise_std)
        if not all(np.isfinite(values)) or abs(self.persistence) >= 1 or self.noise_std < 0:
            raise ConfigError(f"VolumeModel needs finite values, |persistence| < 1 and noise_std >= 0, got {values}")

    @classmethod
    def fit(cls, log_returns, volume, sigma: float) -> VolumeModel:
        """Least-squares fit of ``x_t`` on ``1, x_{t-1}, |r_t| / sigma``.

        Parameters
        ----------
        log_returns : array-like of shape (n,)
            Daily log returns.
        volume : array-like of shape (n,)
            Standardised log volume of the same days (:func:`standardised_log_volume`).
        sigma : float
            The return unit.
        """
        x = np.asarray(volume, dtype=np.float64)
        size = np.abs(np.asarray(log_returns, dtype=np.float64)) / sigma
        design = np.column_stack([np.ones(x.size - 1), x[:-1], size[1:]])
        coef, *_ = np.linalg.lstsq(design, x[1:], rcond=None)
        residual = x[1:] - design @ coef
        return cls(float(coef[0]), float(coef[1]), float(coef[2]), float(residual.std(ddof=3)))

    @classmethod
    def of_market(cls, market, sigma: float) -> VolumeModel:
        """The fit on ``market``'s volume, or :data:`DEFAULT_VOLUME_MODEL` where it has none."""
        if isinstance(market, MarketData) and market.volume is not None:
            return cls.fit(market.log_returns.to_numpy(), standardised_log_volume(market.volume.to_numpy()), sigma)
        return DEFAULT_VOLUME_MODEL

    def simulate(self, returns, noise) -> np.ndarray:
        """The same recursion run step by step in NumPy (any length; the reference of :meth:`volume`).

        Parameters
        ----------
        returns : array-like of shape (..., n_steps)
            Log returns over ``sigma``.
        noise : array-like broadcastable to (..., n_steps + 1)

        Returns
        -------
        ndarray of shape (..., n_steps)
        """
        returns = np.asarray(returns, dtype=np.float64)
        noise = np.broadcast_to(np.asarray(noise, dtype=np.float64), (*returns.shape[:-1], returns.shape[-1] + 1))
        drive = self.intercept + self.loading * np.abs(returns) + self.noise_std * noise[..., 1:]
        initial = self.persistence * noise[..., :1]  # lfilter's state: phi x_{-1}
        return lfilter([1.0], [1.0, -self.persistence], drive, axis=-1, zi=initial)[0]

    def volume(self, returns: torch.Tensor, noise: torch.Tensor) -> torch.Tensor:
        """Standardised log volume along paths, differentiable in the returns.

        Parameters
        ----------
        returns : Tensor of shape (..., n_steps)
            Log returns over ``sigma``.
        noise : Tensor of shape (..., n_steps + 1)
            Standard normal draws: ``noise[..., 0]`` is the state ``x_{-1}``, the rest are ``e_t``.

        Returns
        -------
        Tensor of shape (..., n_steps)
            ``x_t = phi^(t+1) x_{-1} + sum_{s <= t} phi^(t-s) (c + beta |r_s| + s_e e_s)``.
        """
        steps = torch.arange(returns.shape[-1], dtype=returns.dtype, device=returns.device)
        lag = steps[:, None] - steps[None, :]
        weights = torch.where(lag >= 0, self.persistence ** lag.clamp_min(0.0), 0.0)
        drive = self.intercept + self.loading * returns.abs() + self.noise_std * noise[..., 1:]
        return drive @ weights.T + self.persistence ** (steps + 1.0) * noise[..., :1]


DEFAULT_VOLUME_MODEL = VolumeModel(intercept=-0.125, persistence=0.50, loading=0.22, noise_std=0.84)
"""The fit on the bundled S&P 500 (1999-2018), used for market data without volume."""
