"""Settings of an ``antifragile run``, validated once."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from pathlib import Path

from gametheory.errors import ConfigError

__all__ = ["RunConfig"]


@dataclass(frozen=True)
class RunConfig:
    """Everything that determines the numbers of a run (with the seed, they are reproducible).

    Parameters
    ----------
    market : {"sp500", "nasdaq"}
        Bundled daily history used when ``data`` is None.
    data : path, optional
        The user's own CSV or Parquet prices instead.
    seed : int
        Seeds every random path (base paths, attack onsets).
    n_paths, n_steps : int
        Base paths per scenario and their length in trading days.
    path_model : {"mixed", "bootstrap", "garch"}
        How base paths are generated from the training data.
    holdout_fraction : float
        The most recent share of the history, kept out of calibration and of the game,
        on which the robust mix is evaluated afterwards.
    drawdown_budget : float
        The worst-case drawdown the robust position limits must respect.
    max_severity : float
        The attacker's budget: only scenarios of severity at most this (in [0, 1]) enter the game.
    library : bool
        Play the full scenario library (1000+ attacks over seven families) instead of the
        foundation set (about 17 attacks).
    gan : {"short", "full", "off"}
        The GAN refinement stage: a short run (default), up to 500 iterations, or none.
    allow_cash : bool
        Whether the trader may hold cash. Without it the game answers an invested mandate: the
        most robust way to stay in the market.
    utility : {"log_growth", "drawdown_penalised"}
    cost : float
        Proportional trading cost per unit of turnover.
    quick : bool
        A smaller game (fewer strategies, scenarios and paths) that runs in seconds.
    """

    market: str = "sp500"
    data: Path | None = None
    seed: int = 0
    n_paths: int = 256
    n_steps: int = 252
    path_model: str = "mixed"
    block: int = 20
    holdout_fraction: float = 0.2
    drawdown_budget: float = 0.15
    max_severity: float = 1.0
    allow_cash: bool = True
    gan: str = "short"
    library: bool = False
    max_multiple: float = 4.0
    utility: str = "log_growth"
    drawdown_penalty: float = 1.0
    cost: float = 0.0005
    quick: bool = False

    def __post_init__(self):
        checks = [
            (self.market in ("sp500", "nasdaq"), "market must be 'sp500' or 'nasdaq'"),
            (isinstance(self.seed, int) and self.seed >= 0, "seed must be a non-negative integer"),
            (isinstance(self.n_paths, int) and 2 <= self.n_paths <= 100_000, "n_paths must be in [2, 100000]"),
            (isinstance(self.n_steps, int) and 20 <= self.n_steps <= 10_000, "n_steps must be in [20, 10000]"),
            (self.path_model in ("mixed", "bootstrap", "garch"), "path_model must be mixed, bootstrap or garch"),
            (isinstance(self.block, int) and self.block >= 1, "block must be a positive integer"),
            (0.0 <= self.holdout_fraction < 0.9, "holdout_fraction must be in [0, 0.9)"),
            (0.0 < self.drawdown_budget < 1.0, "drawdown_budget must be in (0, 1)"),
            (0.0 <= self.max_severity <= 1.0, "max_severity must be in [0, 1]"),
            (self.gan in ("short", "full", "off"), "gan must be 'short', 'full' or 'off'"),
            (self.max_multiple > 0, "max_multiple must be positive"),
            (self.utility in ("log_growth", "drawdown_penalised"), "utility must be log_growth or drawdown_penalised"),
            (self.drawdown_penalty >= 0, "drawdown_penalty must be non-negative"),
            (0.0 <= self.cost < 0.1, "cost must be in [0, 0.1)"),
        ]
        for ok, message in checks:
            if not ok:
                raise ConfigError(f"{message} (config: {self._describe()})")

    def _describe(self) -> str:
        return ", ".join(f"{k}={v!r}" for k, v in asdict(self).items())

    @classmethod
    def quick_defaults(cls, **overrides) -> "RunConfig":
        """The ``--quick`` configuration: a small game that finishes in seconds."""
        return cls(**{"n_paths": 64, "quick": True, **overrides})

    def with_(self, **changes) -> "RunConfig":
        return replace(self, **changes)

    def to_dict(self) -> dict:
        out = asdict(self)
        out["data"] = str(self.data) if self.data is not None else None
        return out
