"""Intraday paths: minute returns that add up to given daily returns, and a base order book.

Randomness comes in as arrays of standardised shocks drawn by the caller.
"""

import numpy as np
from numba import njit, prange

__all__ = ["intraday_bridge_nb", "order_book_nb"]


@njit(cache=True, parallel=True)
def intraday_bridge_nb(daily, var0, lam, profile, shocks):
    """Split every daily log return into minute returns that sum to it exactly.

    The day's variance follows an EWMA of the path's daily returns,
    ``v_d = lam * v_{d-1} + (1 - lam) * r_d**2`` started at ``var0`` (the day's own return
    included, so a big day is a volatile day). Minute ``m`` of day ``d`` first gets
    ``x = sqrt(v_d) * profile[m] * shocks[i, d, m]``; then the gap ``r_d - sum(x)`` is spread
    in proportion to ``profile**2`` (a variance-weighted bridge), so the minutes add up to
    ``r_d``. ``profile`` is the intraday volatility shape with ``sum(profile**2) == 1``.

    Parameters
    ----------
    daily : ndarray of shape (n_paths, n_days)
    var0 : float
        Daily variance before the first day.
    lam : float
        EWMA decay in ``[0, 1)``.
    profile : ndarray of shape (n_minutes,)
    shocks : ndarray of shape (n_paths, n_days, n_minutes)
        Unit-variance shocks.

    Returns
    -------
    ndarray of shape (n_paths, n_days * n_minutes)
    """
    n_paths, n_days = daily.shape
    n_minutes = profile.shape[0]
    out = np.empty((n_paths, n_days * n_minutes))
    for i in prange(n_paths):
        var = var0
        for d in range(n_days):
            var = lam * var + (1.0 - lam) * daily[i, d] ** 2
            scale = np.sqrt(var)
            total = 0.0
            base = d * n_minutes
            for m in range(n_minutes):
                x = scale * profile[m] * shocks[i, d, m]
                out[i, base + m] = x
                total += x
            gap = daily[i, d] - total
            for m in range(n_minutes):
                out[i, base + m] += gap * profile[m] ** 2
    return out


@njit(cache=True, parallel=True)
def order_book_nb(log_returns, z_bid, z_ask, z_volume, depth, persistence, depth_vol, volume_beta, sigma):
    """Genuine top-of-book depth and volume beside a price path.

    Log depth on each side is a stationary AR(1) around ``log(depth)`` with persistence
    ``persistence`` and standard deviation ``depth_vol`` (started in its stationary law), so
    the mean depth is ``depth``. Volume is ``depth * (1 + volume_beta * |r_t| / sigma)`` times
    a unit-mean log-normal noise of log-sd 0.3: big moves trade big volume.

    Parameters
    ----------
    log_returns : ndarray of shape (n_paths, n_steps)
    z_bid, z_ask, z_volume : ndarrays of shape (n_paths, n_steps)
        Standard normal shocks.
    depth : float
    persistence : float
        In ``[0, 1)``.
    depth_vol, volume_beta, sigma : float

    Returns
    -------
    bid, ask, volume : ndarrays of shape (n_paths, n_steps)
    """
    n_paths, n_steps = log_returns.shape
    bid = np.empty((n_paths, n_steps))
    ask = np.empty((n_paths, n_steps))
    volume = np.empty((n_paths, n_steps))
    innovation = depth_vol * np.sqrt(1.0 - persistence**2)
    centre = np.log(depth) - 0.5 * depth_vol**2
    for i in prange(n_paths):
        xb = depth_vol * z_bid[i, 0]
        xa = depth_vol * z_ask[i, 0]
        for t in range(n_steps):
            if t > 0:
                xb = persistence * xb + innovation * z_bid[i, t]
                xa = persistence * xa + innovation * z_ask[i, t]
            bid[i, t] = np.exp(centre + xb)
            ask[i, t] = np.exp(centre + xa)
            volume[i, t] = depth * (1.0 + volume_beta * abs(log_returns[i, t]) / sigma) * np.exp(
                0.3 * z_volume[i, t] - 0.045
            )
    return bid, ask, volume
