"""The GAN stage's networks: attack generator, realism critic and trading policy.

Units: every network sees returns divided by the base paths' daily volatility ``sigma``, so one set
of budgets and sizes fits any market. Attack budgets are in those units too (a budget of 0.5 on the
max-norm moves each day's log return by at most half a daily standard deviation).

Attack families (the generator's conditioning) differ in the ball the attack lives in:

============  ======  ===============================================================
family        norm    budget ``eps`` bounds
============  ======  ===============================================================
perturbation  max     every step: ``|delta_t| <= eps`` (small, diffuse distortion)
crash         l1      the whole path: ``sum_t |delta_t| <= eps`` (a concentrated move)
============  ======  ===============================================================

The budget holds by construction: ``eps * tanh(raw)`` for the max-norm; for the 1-norm the same,
followed by the radial projection ``v * eps / max(eps, ||v||_1)`` onto the ball.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils.parametrizations import spectral_norm

__all__ = ["FAMILIES", "AttackGenerator", "PolicyNetwork", "RealismCritic", "bound_attack", "stylized_facts"]

#: Attack family -> the norm its budget bounds ("max" or "l1"); the order fixes the one-hot code.
FAMILIES: dict[str, str] = {"perturbation": "max", "crash": "l1"}


def bound_attack(raw: torch.Tensor, budget: torch.Tensor | float, norm: str) -> torch.Tensor:
    """Map unbounded generator output into the budget ball.

    Parameters
    ----------
    raw : Tensor of shape (..., n_steps)
    budget : float or Tensor broadcastable to (..., 1)
        Radius ``eps > 0``.
    norm : {"max", "l1"}

    Returns
    -------
    Tensor of shape (..., n_steps)
        ``delta`` with ``max_t |delta_t| <= eps`` ("max") or ``sum_t |delta_t| <= eps`` ("l1").
    """
    delta = budget * torch.tanh(raw)
    if norm == "l1":
        size = delta.abs().sum(dim=-1, keepdim=True)
        delta = delta * (budget / torch.maximum(size, torch.as_tensor(budget, dtype=delta.dtype)))
    return delta


def _mlp(n_in: int, hidden: int, n_out: int, wrap=lambda layer: layer) -> nn.Sequential:
    return nn.Sequential(
        wrap(nn.Linear(n_in, hidden)), nn.LeakyReLU(0.2),
        wrap(nn.Linear(hidden, hidden)), nn.LeakyReLU(0.2),
        wrap(nn.Linear(hidden, n_out)),
    )


class AttackGenerator(nn.Module):
    """Noise + context -> a bounded attack on a path of returns.

    Parameters
    ----------
    n_steps : int
        Path length.
    noise_dim, hidden : int
        Sizes of the noise vector and of the hidden layers.

    The context is the base path (in units of ``sigma``) and the family's one-hot code.
    """

    def __init__(self, n_steps: int, noise_dim: int = 8, hidden: int = 64):
        super().__init__()
        self.n_steps, self.noise_dim = n_steps, noise_dim
        self.body = _mlp(n_steps + noise_dim + len(FAMILIES), hidden, n_steps)

    def forward(self, noise: torch.Tensor, context: torch.Tensor, family: str, budget: float) -> torch.Tensor:
        """The attack ``delta`` in units of ``sigma``.

        Parameters
        ----------
        noise : Tensor of shape (batch, noise_dim)
        context : Tensor of shape (batch, n_steps)
            Base log returns over ``sigma``.
        family : str
            A key of :data:`FAMILIES`.
        budget : float
            Radius of the family's ball, > 0.

        Returns
        -------
        Tensor of shape (batch, n_steps)
        """
        code = torch.zeros(context.shape[0], len(FAMILIES), dtype=context.dtype, device=context.device)
        code[:, list(FAMILIES).index(family)] = 1.0
        raw = self.body(torch.cat([noise, context, code], dim=-1))
        return bound_attack(raw, budget, FAMILIES[family])


class RealismCritic(nn.Module):
    """Scores return windows: high for real market data, low for implausible paths.

    A spectrally normalised MLP (1-Lipschitz layers) on the window and on its sorted values (the
    empirical distribution, which exposes outsized moves wherever they sit), both over ``sigma``.

    Parameters
    ----------
    n_steps, hidden : int
    """

    def __init__(self, n_steps: int, hidden: int = 64):
        super().__init__()
        self.body = _mlp(2 * n_steps, hidden, 1, wrap=spectral_norm)

    def forward(self, windows: torch.Tensor) -> torch.Tensor:
        """Scores of shape (batch,) for windows of shape (batch, n_steps)."""
        return self.body(torch.cat([windows, windows.sort(dim=-1).values], dim=-1)).squeeze(-1)


def stylized_facts(windows: torch.Tensor) -> torch.Tensor:
    """Two stylized facts of daily returns, pooled over a batch of windows.

    Returns
    -------
    Tensor of shape (2,)
        Lag-1 autocorrelation of returns (near 0 in real data) and of absolute returns (positive:
        volatility clusters).
    """

    def lag1(x):
        x = x - x.mean(dim=-1, keepdim=True)
        return (x[..., 1:] * x[..., :-1]).sum() / (x * x).sum().clamp_min(1e-12)

    return torch.stack([lag1(windows), lag1(windows.abs())])


class PolicyNetwork(nn.Module):
    """What the trader observes -> an exposure in ``[0, max_leverage]`` at every step.

    Features at step ``t``, from ``R_0 .. R_{t-1}`` only: the last ``lookback`` simple returns over
    ``sigma0`` (zeros before the start), the log of the EWMA volatility estimate over ``sigma0``
    (variance ``v = (1 - a) v + a R^2``, ``a = 2 / (vol_span + 1)``, started at ``sigma0**2`` as in
    the rules of :mod:`accelerated.payoff`) and the market's drawdown ``1 - P_t / max_{s <= t} P_s``
    (``P_0 = 1``). None depends on the trader's own wealth, so all steps are decided in one batched
    call and the backtest runs vectorised (:func:`solvers.gan.backtest.wealth_curves`).

    Parameters
    ----------
    lookback, hidden : int
    max_leverage : float
    vol_span : float
    """

    def __init__(self, lookback: int = 10, hidden: int = 32, max_leverage: float = 1.5, vol_span: float = 30.0):
        super().__init__()
        self.lookback, self.max_leverage, self.vol_span = lookback, float(max_leverage), float(vol_span)
        self.body = _mlp(lookback + 2, hidden, 1)

    def features(self, simple_returns: torch.Tensor, sigma0: float) -> torch.Tensor:
        """Observed features, shape (..., n_steps, lookback + 2), for returns of shape (..., n_steps)."""
        n_steps = simple_returns.shape[-1]
        scaled = simple_returns / sigma0
        padded = nn.functional.pad(scaled, (self.lookback, 0))
        windows = padded.unfold(-1, self.lookback, 1)[..., :n_steps, :]  # row t: R_{t - lookback} .. R_{t - 1}
        # EWMA variance over sigma0**2 before step t: (1 - a)^t + a sum_{s < t} (1 - a)^(t - 1 - s) R_s^2.
        alpha = 2.0 / (self.vol_span + 1.0)
        steps = torch.arange(n_steps, dtype=scaled.dtype, device=scaled.device)
        lag = steps[:, None] - 1.0 - steps[None, :]
        weights = torch.where(lag >= 0, alpha * (1.0 - alpha) ** lag.clamp_min(0.0), 0.0)
        var = (1.0 - alpha) ** steps + (scaled * scaled) @ weights.T
        log_price = torch.cumsum(torch.log1p(simple_returns), dim=-1)
        log_price = nn.functional.pad(log_price[..., :-1], (1, 0))  # log P_t before trading at t
        drawdown = -torch.expm1(log_price - torch.cummax(log_price, dim=-1).values.clamp_min(0.0))
        return torch.cat([windows, 0.5 * torch.log(var)[..., None], drawdown[..., None]], dim=-1)

    def forward(self, simple_returns: torch.Tensor, sigma0: float) -> torch.Tensor:
        """Exposures of shape (..., n_steps) for simple returns of shape (..., n_steps)."""
        return self.max_leverage * torch.sigmoid(self.body(self.features(simple_returns, sigma0)).squeeze(-1))
