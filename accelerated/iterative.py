"""Iterative zero-sum game solvers: regret matching+ (plain and predictive) and restarted PDHG.

Every kernel solves ``max_x min_y x^T A y`` over the probability simplices for a payoff
``a`` of shape (n_rows, n_cols) (rows maximise), tracks the exploitability (duality gap)
``max_i (A y)_i - min_j (x^T A)_j`` of the pair it would return after every iteration, and
stops as soon as that gap is at most ``tol`` (an absolute number in payoff units) or after
``max_iter`` iterations. The gaps cost no extra product with ``a``: the kernels keep ``A y``
and ``x^T A`` of every iterate and of the averages (both are linear in the strategies).

Each kernel returns ``(x, y, gaps, iterations)``: the row and column mixes (float64, shapes
(n_rows,) and (n_cols,)), the gap after each iteration (float64, shape (iterations,)) and
the number of iterations run. The NumPy reference of the regret-matching+ recursion is
:func:`rm_plus_reference`.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

__all__ = [
    "pdhg_nb", "project_simplex_nb", "rm_plus_nb", "rm_plus_pair_nb", "rm_plus_reference", "scaled_float32_pair",
]

_BLOCKS = 16
"""Row blocks of the parallel products (a constant keeps the kernels cacheable; more blocks than
threads also balance the sparse rows between them)."""
_PARALLEL_CELLS = 200_000
"""Smaller games multiply serially: starting threads twice an iteration would cost more."""


@njit(cache=True)
def _regret_step(q, regret, previous, predictive, out):
    """``q <- max(q + regret, 0)``; ``out`` <- the next mix (``q + previous`` clipped when predictive)."""
    total = 0.0
    for k in range(q.size):
        q[k] = max(q[k] + regret[k], 0.0)
        v = max(q[k] + previous[k], 0.0) if predictive else q[k]
        out[k] = v
        total += v
    if total > 0.0:
        for k in range(q.size):
            out[k] /= total
    else:
        for k in range(q.size):
            out[k] = 1.0 / q.size


@njit(cache=True)
def _add_weighted_rows(w, mat, lo, hi, out):
    """``out <- sum_{lo <= i < hi, w_i != 0} w_i mat[i]`` (float64)."""
    out[:] = 0.0
    for i in range(lo, hi):
        wi = w[i]
        if wi != 0.0:
            for j in range(out.size):
                out[j] += wi * mat[i, j]


@njit(parallel=True, cache=True)
def _weighted_row_sum_parallel(w, mat, partial, out):
    blocks = partial.shape[0]
    k = mat.shape[0]
    for b in prange(blocks):
        _add_weighted_rows(w, mat, b * k // blocks, (b + 1) * k // blocks, partial[b])
    for j in prange(out.size):
        total = 0.0
        for b in range(blocks):
            total += partial[b, j]
        out[j] = total


@njit(cache=True)
def _weighted_row_sum(w, mat, partial, out):
    """``out <- w @ mat`` in float64, skipping the rows where ``w`` is 0.

    ``mat`` is (k, n) float32 or float64, C-contiguous; ``partial`` (blocks, n) float64 is
    scratch: with more than one block, each block of rows sums into its own row of it in
    parallel, then the blocks are added (one block: a serial sum, no thread start-up).
    Regret-matching iterates are sparse (about half their entries are 0 on random games), so
    skipping rows saves that share of the memory traffic, which bounds the iteration.
    """
    if partial.shape[0] == 1:
        _add_weighted_rows(w, mat, 0, mat.shape[0], out)
    else:
        _weighted_row_sum_parallel(w, mat, partial, out)


@njit(cache=True)
def rm_plus_pair_nb(a, a_t, tol, max_iter, predictive):
    """Regret matching+ with alternating updates and linear averaging, on ``a`` and its transpose.

    Iteration ``t = 1, 2, ...``: the row player's regrets ``A y_t - x_t^T A y_t`` update its
    clipped cumulative regrets ``Q_x`` and give ``x_{t+1}``; then the column player's regrets
    ``x_{t+1}^T A y_t - x_{t+1}^T A`` (it minimises) give ``y_{t+1}``. The averages weight
    ``x_{t+1}`` and ``y_t`` by ``t``. With ``predictive`` (PRM+, Farina, Kroer and Sandholm
    2021) the next mix is proportional to ``max(Q + r, 0)`` where ``r`` is the latest
    instantaneous regret (the prediction of the next one).

    Both products are row sums weighted by a sparse mix: ``x^T A`` over the rows of ``a`` and
    ``A y`` over the rows of ``a_t``, in parallel and in float64 whatever the matrices' dtype
    (float32 copies halve the memory traffic; see :func:`scaled_float32_pair`).

    Parameters
    ----------
    a : float32 or float64 (n_rows, n_cols), C-contiguous
    a_t : same dtype (n_cols, n_rows), C-contiguous
        The transpose of ``a``, stored row by row.
    tol : float
        Stop when the averages' duality gap is at most ``tol`` (payoff units of ``a``).
    max_iter : int
    predictive : bool

    Returns
    -------
    x : float64 (n_rows,)
    y : float64 (n_cols,)
    gaps : float64 (iterations,)
    iterations : int
    """
    m, n = a.shape
    blocks = _BLOCKS if m * n >= _PARALLEL_CELLS else 1
    partial_x = np.empty((blocks, m))
    partial_y = np.empty((blocks, n))
    x = np.full(m, 1.0 / m)
    y = np.full(n, 1.0 / n)
    ay = np.empty(m)
    xa = np.empty(n)
    qx = np.zeros(m)
    qy = np.zeros(n)
    rx = np.zeros(m)
    ry = np.zeros(n)
    sx = np.zeros(m)
    sy = np.zeros(n)
    s_ay = np.zeros(m)
    s_xa = np.zeros(n)
    gaps = np.empty(max_iter)
    weight = 0.0
    t = 0
    while t < max_iter:
        t += 1
        _weighted_row_sum(y, a_t, partial_x, ay)
        v = x @ ay
        for i in range(m):
            rx[i] = ay[i] - v
        _regret_step(qx, rx, rx, predictive, x)
        _weighted_row_sum(x, a, partial_y, xa)
        w = xa @ y
        for j in range(n):
            ry[j] = w - xa[j]
        weight += t
        for i in range(m):
            sx[i] += t * x[i]
            s_ay[i] += t * ay[i]
        for j in range(n):
            sy[j] += t * y[j]
            s_xa[j] += t * xa[j]
        _regret_step(qy, ry, ry, predictive, y)
        gaps[t - 1] = (s_ay.max() - s_xa.min()) / weight
        if gaps[t - 1] <= tol:
            break
    return sx / weight, sy / weight, gaps[:t].copy(), t


@njit(cache=True)
def rm_plus_nb(a, tol, max_iter, predictive):
    """Regret matching+ on ``a`` (float64 (n_rows, n_cols)): :func:`rm_plus_pair_nb` with ``a.T`` copied.

    Returns ``(x, y, gaps, iterations)`` as the module docstring states.
    """
    return rm_plus_pair_nb(a, np.ascontiguousarray(a.T), tol, max_iter, predictive)


@njit(parallel=True, cache=True)
def scaled_float32_pair(a, low, scale, b, b_t):
    """Write ``(a - low) * scale`` as float32 into ``b`` and its transpose into ``b_t``, in one pass.

    The outputs are passed in so that NumPy allocates them (it asks the kernel for huge pages,
    which makes first-touching a large matrix several times faster).

    Parameters
    ----------
    a : float64 (n_rows, n_cols)
    low, scale : float
        With ``low = min(a)`` and ``scale = 1 / (max(a) - min(a))`` the copies lie in [0, 1]:
        float32 round-off is then at most 3e-8 per entry, far below the gaps an approximate
        solve asks for, and regret matching's iterates do not change under the affine map.
    b : float32 (n_rows, n_cols), C-contiguous (output)
    b_t : float32 (n_cols, n_rows), C-contiguous (output)
    """
    m, n = a.shape
    tile = 64
    for bi in prange((m + tile - 1) // tile):
        i0 = bi * tile
        i1 = min(i0 + tile, m)
        for j0 in range(0, n, tile):
            j1 = min(j0 + tile, n)
            for i in range(i0, i1):
                for j in range(j0, j1):
                    b[i, j] = np.float32((a[i, j] - low) * scale)
            for j in range(j0, j1):
                for i in range(i0, i1):
                    b_t[j, i] = b[i, j]


def rm_plus_reference(a, iterations, predictive=False):
    """Plain-NumPy regret matching+ (alternating, linear averaging), the same recursion as :func:`rm_plus_nb`.

    Runs exactly ``iterations`` iterations and returns ``(x_avg, y_avg, gaps)``.
    """
    a = np.asarray(a, dtype=np.float64)
    m, n = a.shape
    x, y = np.full(m, 1.0 / m), np.full(n, 1.0 / n)
    qx, qy = np.zeros(m), np.zeros(n)
    sx, sy, weight = np.zeros(m), np.zeros(n), 0.0
    gaps = []

    def next_mix(q, regret):
        q[:] = np.maximum(q + regret, 0.0)
        p = np.maximum(q + regret, 0.0) if predictive else q.copy()
        return p / p.sum() if p.sum() > 0 else np.full(q.size, 1.0 / q.size)

    for t in range(1, iterations + 1):
        ay = a @ y
        x = next_mix(qx, ay - x @ ay)
        xa = x @ a
        weight += t
        sx += t * x
        sy += t * y
        y = next_mix(qy, xa @ y - xa)
        xbar, ybar = sx / weight, sy / weight
        gaps.append((a @ ybar).max() - (xbar @ a).min())
    return sx / weight, sy / weight, np.array(gaps)


@njit(cache=True)
def project_simplex_nb(v):
    """Euclidean projection of ``v`` (float64 (n,)) onto the probability simplex (sort-based)."""
    u = np.sort(v)[::-1]
    cumulative = 0.0
    theta = 0.0
    for k in range(u.size):
        cumulative += u[k]
        candidate = (cumulative - 1.0) / (k + 1)
        if u[k] - candidate > 0.0:
            theta = candidate
    return np.maximum(v - theta, 0.0)


@njit(cache=True)
def _centred_norm(a, iterations):
    """Largest singular value of ``a`` restricted to zero-sum directions (power iteration)."""
    m, n = a.shape
    v = np.empty(n)
    for j in range(n):
        v[j] = np.sin(j + 1.0)  # deterministic start
    sigma = 0.0
    for _ in range(iterations):
        v -= v.mean()
        norm = np.sqrt(v @ v)
        if norm == 0.0:
            return 0.0
        v /= norm
        u = a @ v
        u -= u.mean()
        v = u @ a
        sigma = np.sqrt(np.sqrt(v @ v))
    return sigma


@njit(cache=True)
def pdhg_nb(a, tol, max_iter, restart_factor):
    """Restarted primal-dual hybrid gradient on the matrix game (Applegate et al. 2022 style).

    One iteration: ``x' = P(x + s A y)``, ``y' = P(y - s (2 x' - x)^T A)`` with ``P`` the
    projection on the simplex and ``s = 0.95 / ||A||`` (norm on zero-sum directions). The
    uniform average since the last restart is kept; whenever the smaller of the gaps of the
    current iterate and of the average falls to ``restart_factor`` times the gap at the last
    restart, the method restarts from that candidate. The pair returned is the candidate.

    Parameters
    ----------
    a : float64 (n_rows, n_cols), C-contiguous
    tol : float
        Stop when the candidate's duality gap is at most ``tol`` (payoff units).
    max_iter : int
    restart_factor : float
        In (0, 1); 0.5 is a good default.

    Returns
    -------
    x, y, gaps, iterations
        As the module docstring states.
    """
    m, n = a.shape
    norm = _centred_norm(a, 30)
    step = 0.95 / norm if norm > 0.0 else 1.0
    x = np.full(m, 1.0 / m)
    y = np.full(n, 1.0 / n)
    ay = a @ y
    xa = x @ a
    sx = np.zeros(m)
    sy = np.zeros(n)
    s_ay = np.zeros(m)
    s_xa = np.zeros(n)
    count = 0
    last_gap = ay.max() - xa.min()
    best_x = x.copy()
    best_y = y.copy()
    gaps = np.empty(max_iter)
    t = 0
    while t < max_iter:
        t += 1
        x_new = project_simplex_nb(x + step * ay)
        xa_new = x_new @ a
        y = project_simplex_nb(y - step * (2.0 * xa_new - xa))
        x = x_new
        xa = xa_new
        ay = a @ y
        count += 1
        sx += x
        sy += y
        s_ay += ay
        s_xa += xa
        gap_now = ay.max() - xa.min()
        gap_avg = (s_ay.max() - s_xa.min()) / count
        if gap_avg < gap_now:
            best_x[:] = sx / count
            best_y[:] = sy / count
            best_gap = gap_avg
        else:
            best_x[:] = x
            best_y[:] = y
            best_gap = gap_now
        gaps[t - 1] = best_gap
        if best_gap <= tol:
            break
        if best_gap <= restart_factor * last_gap:
            if gap_avg < gap_now:
                ay = s_ay / count
                xa = s_xa / count
            x = best_x.copy()
            y = best_y.copy()
            last_gap = best_gap
            sx[:] = 0.0
            sy[:] = 0.0
            s_ay[:] = 0.0
            s_xa[:] = 0.0
            count = 0
    return best_x, best_y, gaps[:t].copy(), t
