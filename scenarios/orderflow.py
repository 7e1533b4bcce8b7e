"""Order-flow channel and spoofing / layering attacks.

An :class:`OrderFlowPaths` holds, beside the price path, the genuine top-of-book depth on
each side and the traded volume; the order imbalance is ``(bid - ask) / (bid + ask)``. A
:class:`Spoofing` attack posts non-bona-fide layers on one side, which move the price through
imbalance pressure, then cancels them (kernel: :func:`accelerated.attacks.spoofing_nb`).

Game mapping: the trader sees prices only, so :meth:`Spoofing.apply` returns the price
channel of the attack on a book of constant depth 1 on each side (its price impact, as log
returns on top of the base path); :meth:`Spoofing.apply_order_flow` runs the same kernel on a
full :class:`OrderFlowPaths` (the detector's input).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from accelerated.attacks import spoofing_nb
from accelerated.intraday import order_book_nb
from scenarios.attacks import _check_sigma, _set_count, _set_real, _TimedAttack, as_log_returns, kernel_threads
from scenarios.errors import ScenarioError
from scenarios.paths import _seeded

__all__ = ["OrderFlowPaths", "Spoofing", "order_flow_paths"]


@dataclass(frozen=True, eq=False)
class OrderFlowPaths:
    """Price paths with their order-flow channel.

    Attributes
    ----------
    log_returns, bid_depth, ask_depth, volume : numpy.ndarray
        float64, shape (n_paths, n_steps) each; depths > 0, volume >= 0.
    seed : int or None
        Seed that reproduced the book (None when built by hand).
    """

    log_returns: np.ndarray
    bid_depth: np.ndarray
    ask_depth: np.ndarray
    volume: np.ndarray
    seed: int | None = None

    def __post_init__(self):
        shape = None
        for name in ("log_returns", "bid_depth", "ask_depth", "volume"):
            array = np.array(as_log_returns(getattr(self, name), f"OrderFlowPaths.{name}"))  # a private copy
            shape = array.shape if shape is None else shape
            if array.shape != shape:
                raise ScenarioError(f"OrderFlowPaths.{name} has shape {array.shape}, log_returns {shape}")
            bad = (array < 0.0) if name == "volume" else (array <= 0.0) if name != "log_returns" else None
            if bad is not None and bad.any():
                path, step = np.argwhere(bad)[0]
                raise ScenarioError(
                    f"OrderFlowPaths.{name} must be {'>= 0' if name == 'volume' else '> 0'}; "
                    f"path {path}, step {step}: {array[path, step]}"
                )
            array.flags.writeable = False
            object.__setattr__(self, name, array)

    @property
    def imbalance(self) -> np.ndarray:
        """Order imbalance ``(bid - ask) / (bid + ask)`` in ``(-1, 1)``, shape (n_paths, n_steps)."""
        return (self.bid_depth - self.ask_depth) / (self.bid_depth + self.ask_depth)


def order_flow_paths(log_returns, sigma: float, *, depth: float = 1.0, persistence: float = 0.9,
                     depth_vol: float = 0.3, volume_beta: float = 1.0, rng=None) -> OrderFlowPaths:
    """A genuine order book beside given price paths (kernel :func:`accelerated.intraday.order_book_nb`).

    Parameters
    ----------
    log_returns : array-like of shape (n_paths, n_steps)
    sigma : float
        Standard deviation of one step's return (scales the volume response).
    depth : float
        Mean depth on each side, ``> 0``.
    persistence : float
        AR(1) persistence of log depth, in ``[0, 1)``.
    depth_vol : float
        Stationary standard deviation of log depth, ``>= 0``.
    volume_beta : float
        Extra volume per unit of ``|r| / sigma``, ``>= 0``.
    rng : numpy.random.Generator, int or None

    Returns
    -------
    OrderFlowPaths
    """
    paths = as_log_returns(log_returns)
    sigma = _check_sigma(sigma)
    checks = [(depth > 0, "depth must be > 0"), (0.0 <= persistence < 1.0, "persistence must be in [0, 1)"),
              (depth_vol >= 0, "depth_vol must be >= 0"), (volume_beta >= 0, "volume_beta must be >= 0")]
    for ok, message in checks:
        if not ok:
            raise ScenarioError(f"order_flow_paths: {message}")
    seed, generator = _seeded(rng)
    z = generator.standard_normal((3, *paths.shape))
    with kernel_threads(paths.size):
        bid, ask, volume = order_book_nb(paths, z[0], z[1], z[2], float(depth), float(persistence),
                                         float(depth_vol), float(volume_beta), sigma)
    return OrderFlowPaths(paths, bid, ask, volume, seed)


@dataclass(frozen=True)
class Spoofing(_TimedAttack):
    """Spoofing (one layer) or layering (several) on one side of the book, then cancelled.

    Parameters
    ----------
    side : {-1, 1}
        -1: fake asks push the price down (hurts a long trader); +1: fake bids push it up.
    layer_size : float
        Size of each layer in units of the mean genuine depth, ``> 0``.
    n_layers : int
        Layers (>= 1); more than one is layering.
    build_steps, hold_steps : int
        Steps over which the layers are posted (>= 1) and held once all are up (>= 0).
    impact : float
        Log-price move per unit of fake depth over the mean depth (OFI coefficient), ``>= 0``.
    reversion : float
        Share of the move undone at the cancellation, ``>= 0``.
    exec_volume : float
        Volume of the spoofer's genuine order per step while the layers stand, ``>= 0``.
    onset : (float, float)
        Onset range as fractions of the horizon, keyword only.
    """

    family: ClassVar[str] = "spoofing"
    side: int = -1
    layer_size: float = 1.0
    n_layers: int = 3
    build_steps: int = 3
    hold_steps: int = 5
    impact: float = 0.005
    reversion: float = 0.5
    exec_volume: float = 0.5

    def __post_init__(self):
        super().__post_init__()
        if self.side not in (-1, 1) or isinstance(self.side, bool):
            raise ScenarioError(f"Spoofing.side must be -1 or 1, got {self.side!r}")
        object.__setattr__(self, "side", int(self.side))
        _set_real(self, "layer_size", 0.0, math.inf, lo_open=True, hi_open=True)
        _set_count(self, "n_layers", 1)
        _set_count(self, "build_steps", 1)
        _set_count(self, "hold_steps", 0)
        _set_real(self, "impact", 0.0, 1.0)
        _set_real(self, "reversion", 0.0, 10.0)
        _set_real(self, "exec_volume", 0.0, math.inf, hi_open=True)

    @property
    def _span(self) -> int:
        return self.build_steps + self.hold_steps + 1

    def _run(self, paths, bid, ask, volume, onsets):
        return spoofing_nb(paths, bid, ask, volume, onsets, self.side, self.layer_size, self.n_layers,
                           self.build_steps, self.hold_steps, self.impact, self.reversion, self.exec_volume)

    def _inject(self, paths, sigma, onsets):
        ones = np.ones_like(paths)
        return self._run(paths, ones, ones, ones, onsets)[0]

    def apply_order_flow(self, flow: OrderFlowPaths, rng=None) -> OrderFlowPaths:
        """The attack on every channel of ``flow``; onsets drawn as in :meth:`apply` for the same ``rng``."""
        if not isinstance(flow, OrderFlowPaths):
            raise ScenarioError(f"apply_order_flow needs OrderFlowPaths, got {type(flow).__name__}")
        onsets = self._draw_onsets(*flow.log_returns.shape, np.random.default_rng(rng))
        with kernel_threads(flow.log_returns.size):
            channels = self._run(flow.log_returns, flow.bid_depth, flow.ask_depth, flow.volume, onsets)
        return OrderFlowPaths(*channels, flow.seed)
