"""Regret matching+ in PyTorch: the recursion of :func:`accelerated.iterative.rm_plus_nb` on any device.

On a GPU the payoff matrix stays on the device and the loop synchronises with the host only
every ``check_every`` iterations (to test the gap). On the CPU in float64 it reproduces the
Numba kernel's iterates to round-off.
"""

from __future__ import annotations

import time

import numpy as np
import torch

from gametheory.errors import ConfigError
from gametheory.game import as_payoff_matrix
from solvers.iterative import DEFAULT_MAX_ITER, IterativeRun, check_tolerance

__all__ = ["default_device", "rm_plus_torch"]


def default_device() -> str:
    """``"cuda"`` when a CUDA device is present, else ``"cpu"``."""
    return "cuda" if torch.cuda.is_available() else "cpu"


def _next_mix(q: torch.Tensor, regret: torch.Tensor, predictive: bool) -> torch.Tensor:
    """``q <- max(q + regret, 0)`` in place; return the next mix (uniform when everything is clipped)."""
    q.add_(regret).clamp_(min=0.0)
    p = (q + regret).clamp_(min=0.0) if predictive else q.clone()
    total = p.sum()
    return torch.where(total > 0, p / torch.where(total > 0, total, 1.0), torch.full_like(p, 1.0 / p.numel()))


def rm_plus_torch(
    payoff,
    tol: float = 1e-4,
    max_iter: int = DEFAULT_MAX_ITER,
    *,
    device: str | None = None,
    predictive: bool = False,
    dtype: torch.dtype = torch.float64,
    check_every: int = 1,
) -> IterativeRun:
    """Regret matching+ (alternating updates, linear averaging) with torch tensors.

    Parameters
    ----------
    payoff : ZeroSumGame or array-like of shape (n_strategies, n_scenarios)
    tol : float
        Target exploitability as a fraction of the payoff range.
    max_iter : int
    device : str, optional
        Torch device; default :func:`default_device` (a GPU when present, else the CPU).
    predictive : bool
        Predictive RM+ instead of RM+.
    dtype : torch.dtype
        ``torch.float64`` (default) or ``torch.float32`` (faster on GPUs; gaps below about
        1e-6 of the range are then out of reach).
    check_every : int
        Iterations between gap checks (each one waits for the device).

    Returns
    -------
    IterativeRun
        ``method`` is ``"rm+@<device>"`` or ``"prm+@<device>"``; strategies are float64 NumPy arrays.
    """
    tol, max_iter = check_tolerance(tol, max_iter)
    if isinstance(check_every, bool) or not isinstance(check_every, int) or check_every < 1:
        raise ConfigError(f"check_every must be an integer >= 1, got {check_every!r}")
    device = default_device() if device is None else device
    try:
        dev = torch.device(device)
        torch.empty(0, device=dev)
    except (RuntimeError, AssertionError) as err:
        raise ConfigError(f"torch device {device!r} is not available: {err}") from err
    a_np = as_payoff_matrix(payoff)
    span = float(np.ptp(a_np))
    start = time.perf_counter()
    a = torch.tensor(a_np, dtype=dtype, device=dev)  # a copy: the game's matrix is read-only
    m, n = a.shape
    x = torch.full((m,), 1.0 / m, dtype=dtype, device=dev)
    y = torch.full((n,), 1.0 / n, dtype=dtype, device=dev)
    qx, qy = torch.zeros_like(x), torch.zeros_like(y)
    sx, sy, s_ay, s_xa = torch.zeros_like(x), torch.zeros_like(y), torch.zeros_like(x), torch.zeros_like(y)
    gaps = torch.empty(max_iter, dtype=dtype, device=dev)
    weight, t, converged = 0.0, 0, span == 0.0
    while t < max_iter and not converged:
        t += 1
        ay = a @ y
        x = _next_mix(qx, ay - x @ ay, predictive)
        xa = x @ a
        weight += t
        sx.add_(x, alpha=t)
        s_ay.add_(ay, alpha=t)
        sy.add_(y, alpha=t)
        s_xa.add_(xa, alpha=t)
        y = _next_mix(qy, xa @ y - xa, predictive)
        gaps[t - 1] = (s_ay.max() - s_xa.min()) / weight
        if t % check_every == 0 or t == max_iter:
            converged = bool(gaps[t - 1] <= tol * span)
    if t == 0:  # constant game
        x_out, y_out, history = np.full(m, 1.0 / m), np.full(n, 1.0 / n), np.zeros(1)
    else:
        x_out = (sx / weight).double().cpu().numpy()
        y_out = (sy / weight).double().cpu().numpy()
        history = gaps[:t].double().cpu().numpy()
    return IterativeRun(
        row_strategy=x_out / x_out.sum(),
        col_strategy=y_out / y_out.sum(),
        gaps=history,
        iterations=max(t, 1),
        converged=bool(history[-1] <= tol * span),
        method=f"{'prm+' if predictive else 'rm+'}@{dev.type}",
        tol=tol,
        seconds=time.perf_counter() - start,
    )
