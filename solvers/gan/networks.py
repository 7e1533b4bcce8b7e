"""The GAN stage's networks: attack generator, realism critic and trading policy.

A path has two channels, shape (..., 2, n_steps): channel 0 the daily log returns divided by the base
paths' daily volatility ``sigma``, channel 1 the standardised log volume (:mod:`solvers.gan.volume`,
unit variance). So one set of budgets and sizes fits any market. Attack budgets are in those units too
(a budget of 0.5 on the max-norm moves each day's log return by at most half a daily standard
deviation; a volume budget of 1 moves each day's log volume by at most one standard deviation).

Attack families (the generator's conditioning) differ in the ball the return attack lives in:

============  ======  ===============================================================
family        norm    budget ``eps`` bounds
============  ======  ===============================================================
perturbation  max     every step: ``|delta_t| <= eps`` (small, diffuse distortion)
crash         l1      the whole path: ``sum_t |delta_t| <= eps`` (a concentrated move)
============  ======  ===============================================================

The volume attack of every family lives in the max-norm ball of its own budget (``|dx_t| <= eps_v``).
The budgets hold by construction: ``eps * tanh(raw)`` for the max-norm; for the 1-norm the same,
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
    """Noise + context -> a bounded attack on a path's returns and volume.

    Parameters
    ----------
    n_steps : int
        Path length.
    noise_dim, hidden : int
        Sizes of the noise vector and of the hidden layers.

    The context is the base path (both channels) and the family's one-hot code.
    """

    def __init__(self, n_steps: int, noise_dim: int = 8, hidden: int = 64):
        super().__init__()
        self.n_steps, self.noise_dim = n_steps, noise_dim
        self.body = _mlp(2 * n_steps + noise_dim + len(FAMILIES), hidden, 2 * n_steps)

    def forward(self, noise: torch.Tensor, context: torch.Tensor, family: str, budget: float,
                volume_budget: float) -> torch.Tensor:
        """The attack on both channels.

        Parameters
        ----------
        noise : Tensor of shape (batch, noise_dim)
        context : Tensor of shape (batch, 2, n_steps)
            Base log returns over ``sigma`` and base standardised log volume.
        family : str
            A key of :data:`FAMILIES`.
        budget : float
            Radius of the family's ball for the return channel, > 0.
        volume_budget : float
            Max-norm radius for the volume channel, > 0.

        Returns
        -------
        Tensor of shape (batch, 2, n_steps)
            Return attack (units of ``sigma``) and volume attack (units of standardised log volume).
        """
        code = torch.zeros(context.shape[0], len(FAMILIES), dtype=context.dtype, device=context.device)
        code[:, list(FAMILIES).index(family)] = 1.0
        raw = self.body(torch.cat([noise, context.flatten(-2), code], dim=-1)).unflatten(-1, (2, self.n_steps))
        return torch.stack([bound_attack(raw[:, 0], budget, FAMILIES[family]),
                            bound_attack(raw[:, 1], volume_budget, "max")], dim=1)


class RealismCritic(nn.Module):
    """Scores windows of returns and volume: high for real market data, low for implausible paths.

    A spectrally normalised MLP (1-Lipschitz layers) on both channels of the window and on their
    sorted values (the empirical distributions, which expose outsized moves wherever they sit).

    Parameters
    ----------
    n_steps, hidden : int
    """

    def __init__(self, n_steps: int, hidden: int = 64):
        super().__init__()
        self.body = _mlp(4 * n_steps, hidden, 1, wrap=spectral_norm)

    def forward(self, windows: torch.Tensor) -> torch.Tensor:
        """Scores of shape (batch,) for windows of shape (batch, 2, n_steps)."""
        features = torch.cat([windows.flatten(-2), windows.sort(dim=-1).values.flatten(-2)], dim=-1)
        return self.body(features).squeeze(-1)


def stylized_facts(windows: torch.Tensor) -> torch.Tensor:
    """Three stylized facts of daily returns and volume, pooled over a batch of windows.

    Parameters
    ----------
    windows : Tensor of shape (batch, 2, n_steps)
        Returns over ``sigma`` and standardised log volume.

    Returns
    -------
    Tensor of shape (3,)
        Lag-1 autocorrelation of returns (near 0 in real data), of absolute returns (positive:
        volatility clusters), and the correlation of absolute returns with log volume (positive:
        volume rises on big moves; 0.2 on the S&P 500), all within windows (each window demeaned).
    """

    def centred(x):
        return x - x.mean(dim=-1, keepdim=True)

    def lag1(x):
        x = centred(x)
        return (x[..., 1:] * x[..., :-1]).sum() / (x * x).sum().clamp_min(1e-12)

    returns, volume = windows[..., 0, :], windows[..., 1, :]
    size, flow = centred(returns.abs()), centred(volume)
    return_volume = (size * flow).sum() / torch.sqrt((size * size).sum() * (flow * flow).sum()).clamp_min(1e-12)
    return torch.stack([lag1(returns), lag1(returns.abs()), return_volume])


class PolicyNetwork(nn.Module):
    """What the trader observes -> an exposure in ``[0, max_leverage]`` at every step.

    Features at step ``t``, from ``R_0 .. R_{t-1}`` and ``x_0 .. x_{t-1}`` only: the last ``lookback``
    simple returns over ``sigma0`` and the last ``lookback`` standardised log volumes (zeros before
    the start), the log of the EWMA volatility estimate over ``sigma0`` (variance
    ``v = (1 - a) v + a R^2``, ``a = 2 / (vol_span + 1)``, started at ``sigma0**2`` as in the rules of
    :mod:`accelerated.payoff`) and the market's drawdown ``1 - P_t / max_{s <= t} P_s`` (``P_0 = 1``).
    None depends on the trader's own wealth, so all steps are decided in one batched call and the
    backtest runs vectorised (:func:`solvers.gan.backtest.wealth_curves`).

    Parameters
    ----------
    lookback, hidden : int
    max_leverage : float
    vol_span : float
    """

    def __init__(self, lookback: int = 10, hidden: int = 32, max_leverage: float = 1.5, vol_span: float = 30.0):
        super().__init__()
        self.lookback, self.max_leverage, self.vol_span = lookback, float(max_leverage), float(vol_span)
        self.body = _mlp(2 * lookback + 2, hidden, 1)

    def _lagged(self, x: torch.Tensor) -> torch.Tensor:
        """Row ``t`` holds ``x_{t - lookback} .. x_{t - 1}`` (zeros before the start): (..., n_steps, lookback)."""
        return nn.functional.pad(x, (self.lookback, 0)).unfold(-1, self.lookback, 1)[..., : x.shape[-1], :]

    def features(self, simple_returns: torch.Tensor, volume: torch.Tensor, sigma0: float) -> torch.Tensor:
        """Observed features, shape (..., n_steps, 2 * lookback + 2).

        Parameters
        ----------
        simple_returns : Tensor of shape (..., n_steps)
        volume : Tensor broadcastable to (..., n_steps)
            Standardised log volume of the same days.
        sigma0 : float
        """
        n_steps = simple_returns.shape[-1]
        scaled = simple_returns / sigma0
        volume = torch.broadcast_to(volume, scaled.shape)
        # EWMA variance over sigma0**2 before step t: (1 - a)^t + a sum_{s < t} (1 - a)^(t - 1 - s) R_s^2.
        alpha = 2.0 / (self.vol_span + 1.0)
        steps = torch.arange(n_steps, dtype=scaled.dtype, device=scaled.device)
        lag = steps[:, None] - 1.0 - steps[None, :]
        weights = torch.where(lag >= 0, alpha * (1.0 - alpha) ** lag.clamp_min(0.0), 0.0)
        var = (1.0 - alpha) ** steps + (scaled * scaled) @ weights.T
        log_price = torch.cumsum(torch.log1p(simple_returns), dim=-1)
        log_price = nn.functional.pad(log_price[..., :-1], (1, 0))  # log P_t before trading at t
        drawdown = -torch.expm1(log_price - torch.cummax(log_price, dim=-1).values.clamp_min(0.0))
        return torch.cat([self._lagged(scaled), self._lagged(volume), 0.5 * torch.log(var)[..., None],
                          drawdown[..., None]], dim=-1)

    def forward(self, simple_returns: torch.Tensor, volume: torch.Tensor, sigma0: float) -> torch.Tensor:
        """Exposures of shape (..., n_steps) for simple returns and volume of shape (..., n_steps)."""
        features = self.features(simple_returns, volume, sigma0)
        return self.max_leverage * torch.sigmoid(self.body(features).squeeze(-1))
