"""Several assets at once: joint base paths and coordinated manipulation by several actors.

Joint paths are block-bootstrapped from the assets' common dates with the same block starts
for every asset, so their cross-correlation (S&P 500 / NASDAQ 1999-2018: about 0.9) and each
one's own dependence within a block are the data's.

Game mapping: the trader holds one asset (``Coordinated.traded``, 0 = the first, e.g. the
S&P 500), so :meth:`Coordinated.apply` returns that asset's attacked path: on a single path
the kernel runs with the actors' weights on the traded asset only, which is what the traded
asset's channel of the joint attack is (the actors' moves add up asset by asset).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd

from accelerated.attacks import coordinated_nb
from accelerated.bootstrap import block_bootstrap_nb
from scenarios.attacks import _set_count, _set_real, _TimedAttack, kernel_threads
from scenarios.data import MarketData
from scenarios.errors import ScenarioError
from scenarios.paths import _check_shape, _positive_int, _seeded

__all__ = ["Coordinated", "MultiAssetPaths", "joint_bootstrap_paths"]


@dataclass(frozen=True, eq=False)
class MultiAssetPaths:
    """Joint log-return paths of several assets.

    Attributes
    ----------
    log_returns : numpy.ndarray
        float64, shape (n_paths, n_assets, n_steps), read-only.
    names : tuple of str
        Asset names, in the order of axis 1.
    seed : int or None
    sigmas : tuple of float
        Daily standard deviation of each asset's source returns.
    """

    log_returns: np.ndarray
    names: tuple[str, ...]
    seed: int | None
    sigmas: tuple[float, ...]

    def __post_init__(self):
        values = np.array(self.log_returns, dtype=np.float64, order="C")
        if (values.ndim != 3 or values.size == 0 or values.shape[1] != len(self.names)
                or len(self.names) != len(self.sigmas)):
            raise ScenarioError(f"MultiAssetPaths: log_returns of shape {values.shape} do not match "
                                f"{len(self.names)} names and {len(self.sigmas)} sigmas")
        if not np.isfinite(values).all():
            raise ScenarioError("MultiAssetPaths.log_returns must be finite")
        values.flags.writeable = False
        object.__setattr__(self, "log_returns", values)


def joint_bootstrap_paths(datas, n_paths: int, n_steps: int, *, block: int = 20, rng=None) -> MultiAssetPaths:
    """Block-bootstrap several assets together on their common dates.

    Parameters
    ----------
    datas : sequence of MarketData
        At least two assets, e.g. ``[load_market("sp500"), load_market("nasdaq")]``.
    n_paths, n_steps : int
    block : int
        Block length in days.
    rng : numpy.random.Generator, int or None

    Returns
    -------
    MultiAssetPaths
        Shape (n_paths, n_assets, n_steps).
    """
    datas = list(datas)
    if len(datas) < 2 or not all(isinstance(d, MarketData) for d in datas):
        raise ScenarioError("joint_bootstrap_paths needs a sequence of at least two MarketData")
    _check_shape(n_paths, n_steps)
    block = _positive_int(block, "block")
    joined = pd.concat([d.log_returns.rename(d.name) for d in datas], axis=1, join="inner").dropna()
    if len(joined) < block:
        raise ScenarioError(f"the assets share {len(joined)} dates, fewer than one block of {block}")
    seed, generator = _seeded(rng)
    starts = generator.integers(0, len(joined) - block + 1, size=(n_paths, -(-n_steps // block))).astype(np.int64)
    columns = [np.ascontiguousarray(joined[c].to_numpy(dtype=np.float64)) for c in joined.columns]
    paths = np.stack([block_bootstrap_nb(column, starts, block, n_steps) for column in columns], axis=1)
    sigmas = tuple(float(np.std(column, ddof=1)) for column in columns)
    return MultiAssetPaths(paths, tuple(d.name for d in datas), seed, sigmas)


@dataclass(frozen=True)
class Coordinated(_TimedAttack):
    """Coordinated manipulation: several actors push several assets, then let go.

    Actor ``k`` targets asset ``k % n_assets`` with full weight and moves every other asset by
    ``cross_share`` of its push (cross-impact through index arbitrage); actors start
    ``stagger`` steps apart (kernel :func:`accelerated.attacks.coordinated_nb`).

    Parameters
    ----------
    move : float
        Fractional price move of one actor on its target, in ``(-1, 1)``, negative for a bear raid.
    n_actors : int
        Actors (>= 1).
    cross_share : float
        Share of the push felt by the assets an actor does not target, in ``[0, 1]``.
    push_steps, stagger, hold_steps, release_steps : int
        ``push_steps >= 1``, ``stagger >= 0``, ``hold_steps >= 0``, ``release_steps >= 1``.
    release_share : float
        Share of each push undone after the hold, in ``[0, 1]``.
    n_assets : int
        Assets in the joint paths (>= 1; 2 for S&P 500 and NASDAQ).
    traded : int
        Asset the trader holds, for :meth:`apply`, in ``[0, n_assets)``.
    onset : (float, float)
        Onset range as fractions of the horizon, keyword only.
    """

    family: ClassVar[str] = "coordinated"
    move: float
    n_actors: int = 3
    cross_share: float = 0.5
    push_steps: int = 5
    stagger: int = 2
    hold_steps: int = 5
    release_steps: int = 10
    release_share: float = 0.5
    n_assets: int = 2
    traded: int = 0

    def __post_init__(self):
        super().__post_init__()
        _set_real(self, "move", -1.0, 1.0, lo_open=True, hi_open=True)
        _set_count(self, "n_actors", 1)
        _set_real(self, "cross_share", 0.0, 1.0)
        _set_count(self, "push_steps", 1)
        _set_count(self, "stagger", 0)
        _set_count(self, "hold_steps", 0)
        _set_count(self, "release_steps", 1)
        _set_real(self, "release_share", 0.0, 1.0)
        _set_count(self, "n_assets", 1)
        _set_count(self, "traded", 0)
        if self.traded >= self.n_assets:
            raise ScenarioError(f"Coordinated.traded ({self.traded}) must be < n_assets ({self.n_assets})")

    @property
    def weights(self) -> np.ndarray:
        """Push weights of each actor on each asset, shape (n_actors, n_assets)."""
        weights = np.full((self.n_actors, self.n_assets), self.cross_share)
        weights[np.arange(self.n_actors), np.arange(self.n_actors) % self.n_assets] = 1.0
        return weights

    @property
    def _span(self) -> int:
        return (self.n_actors - 1) * self.stagger + self.push_steps + self.hold_steps + self.release_steps

    def _run(self, paths3, onsets, weights):
        return coordinated_nb(paths3, onsets, np.ascontiguousarray(weights), math.log1p(self.move), self.push_steps,
                              self.stagger, self.hold_steps, self.release_steps, self.release_share)

    def _inject(self, paths, sigma, onsets):
        return self._run(paths[:, None, :], onsets, self.weights[:, self.traded:self.traded + 1])[:, 0, :]

    def apply_joint(self, paths: MultiAssetPaths, rng=None) -> np.ndarray:
        """The attack on every asset; onsets drawn as in :meth:`apply` for the same ``rng``.

        Returns
        -------
        ndarray of shape (n_paths, n_assets, n_steps)
        """
        if not isinstance(paths, MultiAssetPaths) or paths.log_returns.shape[1] != self.n_assets:
            raise ScenarioError(f"apply_joint needs MultiAssetPaths with {self.n_assets} assets")
        n_paths, _, n_steps = paths.log_returns.shape
        onsets = self._draw_onsets(n_paths, n_steps, np.random.default_rng(rng))
        with kernel_threads(paths.log_returns.size):
            return self._run(paths.log_returns, onsets, self.weights)
