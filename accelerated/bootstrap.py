"""Block-bootstrap kernel: resample daily returns in contiguous blocks to build paths."""

import numpy as np
from numba import njit, prange

__all__ = ["block_bootstrap_nb"]


@njit(cache=True, parallel=True)
def block_bootstrap_nb(returns, starts, block, n_steps):
    """Moving-block bootstrap of a return series.

    Path ``p`` is the concatenation of the blocks ``returns[starts[p, k] : starts[p, k] + block]``
    for ``k = 0, 1, ...``, cut to `n_steps` values.

    Parameters
    ----------
    returns : numpy.ndarray
        float64, shape (n_obs,): the source returns.
    starts : numpy.ndarray
        int64, shape (n_paths, n_blocks): block start indices, each in ``[0, n_obs - block]``,
        with ``n_blocks * block >= n_steps``. Not checked here; draw them in the caller.
    block : int
        Block length, ``1 <= block <= n_obs``.
    n_steps : int
        Length of each path.

    Returns
    -------
    numpy.ndarray
        float64, shape (n_paths, n_steps): the resampled paths.
    """
    n_paths = starts.shape[0]
    out = np.empty((n_paths, n_steps), dtype=np.float64)
    for p in prange(n_paths):
        for t in range(n_steps):
            out[p, t] = returns[starts[p, t // block] + t % block]
    return out
