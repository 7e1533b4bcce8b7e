"""Base-path models calibrated on market data: block bootstrap, a GARCH-family model, or a mix.

A path set is a float64 array of daily log returns, shape (n_paths, n_steps), wrapped in a
:class:`BasePaths` record that keeps the model, the seed that reproduces it and the daily
volatility of the source returns (attacks are sized in units of it).

The volatility model (``vol``) is fitted and simulated with ``arch``: ``"egarch"`` (default,
EGARCH(1,1,1)), ``"gjr"`` (GJR-GARCH(1,1,1)) or ``"garch"`` (symmetric GARCH(1,1)), with skewed
Student-t errors by default. Why EGARCH: on the S&P 500 and the NASDAQ (1999-2018, whole span
and first 80 %) it has the highest likelihood of the three, and its paths come closest to the
data's stylized facts (:mod:`scenarios.stylized`), the leverage effect included. The fitted
GARCH and GJR models have no finite fourth moment (``E[(beta + (alpha + gamma 1{z<0}) z**2)**2]
> 1``), so the pooled kurtosis of their paths is set by a few explosive ones (one-year volatility
above 100 % where the data's worst year is 46 %); EGARCH moves the log variance linearly in the
shock and stays near the data. ``benchmarks/path_models_facts.py`` prints the comparison.
"""

from __future__ import annotations

import math
import operator
from dataclasses import asdict, dataclass, field

import numpy as np
from arch.univariate import (
    EGARCH,
    GARCH,
    ConstantMean,
    GeneralizedError,
    Normal,
    SkewStudent,
    StudentsT,
)

from accelerated.bootstrap import block_bootstrap_nb
from scenarios.data import PERIODS_PER_YEAR, MarketData
from scenarios.errors import ScenarioError

__all__ = [
    "MODELS",
    "VOLS",
    "BasePaths",
    "GarchFit",
    "bootstrap_paths",
    "fit_garch",
    "garch_paths",
    "make_paths",
    "simulate_garch",
]

MODELS = ("bootstrap", "garch", "mixed")
VOLS = ("egarch", "gjr", "garch")
"""Volatility models of the ``"garch"`` path model: EGARCH(1,1,1), GJR-GARCH(1,1,1), GARCH(1,1)."""
MAX_STEPS = 100_000
"""Longest path accepted (about 400 years of trading days)."""
MAX_VALUES = 2**28
"""Most values (n_paths * n_steps) in one path set: 2 GiB of float64."""
MIN_GARCH_OBS = 250
"""Fewest returns a GARCH fit is attempted on."""

_SCALE = 100.0  # GARCH is fitted on percent returns, where arch's optimiser is well conditioned
_DISTRIBUTIONS = {"normal": Normal, "t": StudentsT, "skewt": SkewStudent, "ged": GeneralizedError}
_PARAM_NAMES = {"alpha[1]": "alpha", "gamma[1]": "gamma", "beta[1]": "beta"}
_ARCH_VOLS = {"egarch": (EGARCH, 1), "gjr": (GARCH, 1), "garch": (GARCH, 0)}  # arch class, o


@dataclass(frozen=True, eq=False)
class BasePaths:
    """A set of simulated daily log-return paths.

    Attributes
    ----------
    log_returns : numpy.ndarray
        float64, shape (n_paths, n_steps), read-only (a private copy of what was passed).
    model : str
        Model that produced the paths: ``"bootstrap"``, ``"garch"`` (the GARCH-family model
        ``garch.vol``) or ``"mixed"``.
    seed : int or None
        Seed that reproduces the paths when passed back as ``rng``; None if unknown.
    sigma : float
        Daily standard deviation of the source returns (the scale attacks are sized by).
    periods_per_year : int, default 252
        Steps per year.
    source : str
        Description of the data the model was calibrated on.
    garch : GarchFit or None
        The volatility-model fit behind the paths (``"garch"`` and ``"mixed"`` models), else None.
    """

    log_returns: np.ndarray
    model: str
    seed: int | None
    sigma: float
    periods_per_year: int = PERIODS_PER_YEAR
    source: str = ""
    garch: GarchFit | None = None

    def __post_init__(self):
        values = np.array(self.log_returns, dtype=np.float64, order="C")
        if values.ndim != 2 or values.size == 0:
            raise ScenarioError(
                f"log_returns must be a non-empty 2-D array (n_paths, n_steps), got shape "
                f"{values.shape}"
            )
        bad = np.argwhere(~np.isfinite(values))
        if bad.size:
            path, step = bad[0]
            raise ScenarioError(f"log_returns[{path}, {step}] is {values[path, step]}, not finite")
        if not (math.isfinite(self.sigma) and self.sigma > 0):
            raise ScenarioError(f"sigma must be a positive finite number, got {self.sigma}")
        values.flags.writeable = False
        object.__setattr__(self, "log_returns", values)

    @property
    def n_paths(self) -> int:
        """Number of paths."""
        return self.log_returns.shape[0]

    @property
    def n_steps(self) -> int:
        """Steps per path."""
        return self.log_returns.shape[1]

    def simple_returns(self) -> np.ndarray:
        """Simple returns ``expm1(log_returns)``, float64, shape (n_paths, n_steps), a new array."""
        return np.expm1(self.log_returns)


@dataclass(frozen=True)
class GarchFit:
    """A constant-mean GARCH-family model fitted by ``arch`` to daily log returns.

    With ``r_t = mu + e_t``, ``e_t = sigma_t z_t`` and ``z_t`` of mean 0 and variance 1, `vol` is

    - ``"egarch"``: ``ln sigma2_t = omega + alpha (|z_{t-1}| - sqrt(2/pi)) + gamma z_{t-1}
      + beta ln sigma2_{t-1}`` (leverage effect: ``gamma < 0``);
    - ``"gjr"``: ``sigma2_t = omega + (alpha + gamma 1{e_{t-1} < 0}) e_{t-1}**2
      + beta sigma2_{t-1}`` (leverage effect: ``gamma > 0``);
    - ``"garch"``: ``sigma2_t = omega + alpha e_{t-1}**2 + beta sigma2_{t-1}``.

    Attributes
    ----------
    params : dict of str to float
        Maximum-likelihood estimates in return units (not percent), in arch's order:
        ``mu, omega, alpha, gamma, beta`` (no ``gamma`` for ``"garch"``), then the
        distribution's shape parameters (``nu`` for ``"t"``; ``eta, lambda`` for ``"skewt"``;
        ``nu`` for ``"ged"``). Only ``mu`` and ``omega`` differ from arch's figures on percent
        returns: ``mu / 100`` and ``omega / 100**2``, or ``omega - 2 ln(100) (1 - beta)`` for
        ``"egarch"``.
    vol : str
        Volatility model: ``"egarch"``, ``"gjr"`` or ``"garch"``.
    dist : str
        Error distribution: ``"normal"``, ``"t"``, ``"skewt"`` or ``"ged"``.
    persistence : float
        Share of a variance shock left after a day: ``alpha + E[z**2 1{z < 0}] gamma + beta``
        for ``"gjr"`` (under the fitted error distribution: 1/2 if symmetric, 0.54 for the S&P
        500's skewed t), ``alpha + beta`` for ``"garch"``, ``beta`` (of the log variance) for
        ``"egarch"``.
    unconditional_vol : float or None
        Annualised long-run volatility implied by the estimates: ``sqrt(252 omega /
        (1 - persistence))`` for ``"gjr"`` and ``"garch"``; for ``"egarch"`` the geometric
        level ``sqrt(252 exp(E ln sigma2))``, ``E ln sigma2 = (omega + alpha (E|z| -
        sqrt(2/pi))) / (1 - beta)`` (``E sigma2`` itself is infinite under Student-t errors).
        None when ``persistence >= 1``.
    loglikelihood : float
        Log-likelihood of the returns in return units (arch's figure on the percent returns
        plus ``n_obs * log(100)``).
    sample_mean, sample_std : float
        Daily mean and standard deviation (ddof=1) of the returns the model was fitted on.
    n_obs : int
        Number of returns fitted.
    source : str
        Description of those returns.
    conditional_vol : numpy.ndarray
        float64, shape (n_obs,), read-only: the fitted daily conditional volatility of each
        day, in return units; simulated paths start from these states.
    """

    params: dict[str, float]
    vol: str
    dist: str
    persistence: float
    unconditional_vol: float | None
    loglikelihood: float
    sample_mean: float
    sample_std: float
    n_obs: int
    source: str
    conditional_vol: np.ndarray = field(repr=False, compare=False)

    def to_dict(self) -> dict:
        """JSON-serialisable summary for reports: every field but `conditional_vol`."""
        summary = asdict(self)
        del summary["conditional_vol"]
        return summary

    @property
    def simulation_params(self) -> dict[str, float]:
        """Parameters the simulation uses: the estimates, with ``mu`` set to the sample mean.

        A fat-tailed likelihood down-weights crash days, so its ``mu`` can sit well above the
        sample mean (S&P 500 1999-2018, GARCH-t: 16% a year against 3.6%). Simulating with the
        sample mean keeps the simulated paths' drift equal to the data's and to the bootstrap
        paths'. The other parameters are the estimates as fitted.
        """
        return {**self.params, "mu": self.sample_mean}


def bootstrap_paths(data, n_paths: int, n_steps: int, *, block: int = 20, rng=None) -> BasePaths:
    """Paths resampled from the data in contiguous blocks (moving-block bootstrap).

    Keeps the data's return distribution exactly (every value is one of the data's returns)
    and its dependence within `block` days; block starts are uniform over the data.

    Parameters
    ----------
    data : MarketData or array-like
        Market data, or a 1-D array of daily log returns.
    n_paths, n_steps : int
        Shape of the path set, (n_paths, n_steps).
    block : int, default 20
        Block length in days, at most the number of returns.
    rng : numpy.random.Generator, int or None
        Randomness; the seed that reproduces the paths is recorded in the result.

    Returns
    -------
    BasePaths
        ``model="bootstrap"``.
    """
    returns, source = _source_returns(data)
    _check_shape(n_paths, n_steps)
    block = _positive_int(block, "block")
    if block > returns.size:
        raise ScenarioError(f"block ({block}) is longer than the {returns.size} returns")
    seed, generator = _seeded(rng)
    n_blocks = -(-n_steps // block)
    starts = generator.integers(0, returns.size - block + 1, size=(n_paths, n_blocks))
    paths = block_bootstrap_nb(returns, starts.astype(np.int64), block, n_steps)
    return BasePaths(paths, "bootstrap", seed, _std(returns), source=source)


def fit_garch(data, *, vol: str = "egarch", dist: str = "skewt") -> GarchFit:
    """Fit a constant-mean GARCH-family model with ``arch`` (on percent returns, in return units).

    Parameters
    ----------
    data : MarketData or array-like
        Market data, or a 1-D array of at least ``MIN_GARCH_OBS`` daily log returns.
    vol : {"egarch", "gjr", "garch"}
        Volatility model (see :class:`GarchFit`): EGARCH(1,1,1), GJR-GARCH(1,1,1) or
        GARCH(1,1).
    dist : {"skewt", "t", "normal", "ged"}
        Error distribution.

    Returns
    -------
    GarchFit

    Raises
    ------
    ScenarioError
        Too few returns, unknown `vol` or `dist`, or the optimiser did not converge.
    """
    returns, source = _source_returns(data)
    if vol not in VOLS:
        raise ScenarioError(f"unknown volatility model {vol!r}; use one of {', '.join(VOLS)}")
    if dist not in _DISTRIBUTIONS:
        raise ScenarioError(f"unknown GARCH dist {dist!r}; use one of {', '.join(_DISTRIBUTIONS)}")
    if returns.size < MIN_GARCH_OBS:
        raise ScenarioError(
            f"a GARCH fit needs at least {MIN_GARCH_OBS} returns, got {returns.size}; "
            "use the bootstrap model for short data"
        )
    model = _arch_model(vol, _DISTRIBUTIONS[dist](), _SCALE * returns)
    result = model.fit(disp="off")
    if result.convergence_flag != 0:
        raise ScenarioError(
            f"{vol} fit on {source} did not converge: {result.optimization_result.message}"
        )
    estimates = {_PARAM_NAMES.get(name, name): float(v) for name, v in result.params.items()}
    params = _rescaled(estimates, vol, 1.0 / _SCALE)
    shape = result.params.to_numpy()[len(estimates) - model.distribution.num_params :]
    persistence, unconditional_vol = _long_run(params, vol, model.distribution, shape)
    return GarchFit(
        params=params,
        vol=vol,
        dist=dist,
        persistence=persistence,
        unconditional_vol=unconditional_vol,
        loglikelihood=float(result.loglikelihood) + returns.size * math.log(_SCALE),
        sample_mean=float(returns.mean()),
        sample_std=_std(returns),
        n_obs=returns.size,
        source=source,
        conditional_vol=_read_only(np.asarray(result.conditional_volatility) / _SCALE),
    )


def simulate_garch(fit: GarchFit, n_paths: int, n_steps: int, *, rng=None) -> BasePaths:
    """Simulate independent paths from a GARCH-family fit with ``arch``'s own simulator.

    Each path starts from the fitted conditional variance of a day of the data drawn at
    random, and runs `n_steps` steps of arch's recursion for ``fit.vol`` from there, without
    burn-in. The paths thus inherit the data's mix of calm and turbulent regimes. A long
    burn-in is avoided on purpose: fitted equity GARCH(1,1)-t is nearly integrated (S&P 500:
    ``alpha + beta`` = 0.99965, half-life about 2000 days), and run for decades it drifts to
    volatilities far above anything in the data. Cost: one arch call per path, about 1.3 ms
    for 252 steps. With the same seed, the first k paths of a larger set equal a set of k
    paths.

    Parameters
    ----------
    fit : GarchFit
        From :func:`fit_garch`; simulated with :attr:`GarchFit.simulation_params`.
    n_paths, n_steps : int
        Shape of the path set, (n_paths, n_steps).
    rng : numpy.random.Generator, int or None
        Randomness; the seed that reproduces the paths is recorded in the result.

    Returns
    -------
    BasePaths
        ``model="garch"``, with `garch` set to `fit`.
    """
    _check_shape(n_paths, n_steps)
    seed, generator = _seeded(rng)
    model = _arch_model(fit.vol, _DISTRIBUTIONS[fit.dist](seed=generator))
    params = list(_rescaled(fit.simulation_params, fit.vol, _SCALE).values())  # arch's order
    start_variances = (_SCALE * fit.conditional_vol) ** 2
    starts = np.log(start_variances) if fit.vol == "egarch" else start_variances  # arch's state
    paths = np.empty((n_paths, n_steps))
    for path in paths:  # the draws interleave, so a larger set extends a smaller one
        start = starts[generator.integers(starts.size)]
        simulated = model.simulate(params, n_steps, burn=0, initial_value_vol=start)
        path[:] = simulated["data"].to_numpy() / _SCALE
    return BasePaths(paths, "garch", seed, fit.sample_std, source=fit.source, garch=fit)


def garch_paths(
    data, n_paths: int, n_steps: int, *, rng=None, vol: str = "egarch", dist: str = "skewt"
) -> BasePaths:
    """Fit a GARCH-family model to the data and simulate paths from it.

    Shorthand for ``simulate_garch(fit_garch(data, vol=vol, dist=dist), n_paths, n_steps,
    rng=rng)``; see those for details.

    Returns
    -------
    BasePaths
        ``model="garch"``, shape (n_paths, n_steps).
    """
    _check_shape(n_paths, n_steps)
    return simulate_garch(fit_garch(data, vol=vol, dist=dist), n_paths, n_steps, rng=rng)


def make_paths(
    data,
    n_paths: int,
    n_steps: int,
    *,
    model: str = "mixed",
    rng=None,
    block: int = 20,
    vol: str = "egarch",
    dist: str = "skewt",
) -> BasePaths:
    """Base paths from the named model.

    Parameters
    ----------
    data : MarketData or array-like
        Market data, or a 1-D array of daily log returns.
    n_paths, n_steps : int
        Shape of the path set, (n_paths, n_steps).
    model : {"mixed", "bootstrap", "garch"}
        ``"garch"``: simulated from the volatility model `vol` with errors `dist`.
        ``"mixed"``: the first ``ceil(n_paths / 2)`` paths are block-bootstrapped, the rest
        are ``"garch"`` paths, from two independent streams spawned from the seed.
    rng : numpy.random.Generator, int or None
        Randomness; the seed that reproduces the paths is recorded in the result.
    block : int, default 20
        Bootstrap block length in days.
    vol : {"egarch", "gjr", "garch"}
        Volatility model of the ``"garch"`` and ``"mixed"`` paths (see :class:`GarchFit`).
    dist : {"skewt", "t", "normal", "ged"}
        Its error distribution. ``vol="garch", dist="t"`` gives the paths of versions before
        the EGARCH default, number for number.

    Returns
    -------
    BasePaths
    """
    if model not in MODELS:
        raise ScenarioError(f"unknown path model {model!r}; use one of {', '.join(MODELS)}")
    if model == "bootstrap":
        return bootstrap_paths(data, n_paths, n_steps, block=block, rng=rng)
    if model == "garch":
        return garch_paths(data, n_paths, n_steps, rng=rng, vol=vol, dist=dist)
    _check_shape(n_paths, n_steps)
    seed, _ = _seeded(rng)
    boot_stream, garch_stream = map(np.random.default_rng, np.random.SeedSequence(seed).spawn(2))
    n_garch = n_paths // 2
    boot = bootstrap_paths(data, n_paths - n_garch, n_steps, block=block, rng=boot_stream)
    if n_garch == 0:
        return BasePaths(boot.log_returns, "mixed", seed, boot.sigma, source=boot.source)
    garch = garch_paths(data, n_garch, n_steps, rng=garch_stream, vol=vol, dist=dist)
    return BasePaths(
        np.vstack([boot.log_returns, garch.log_returns]),
        "mixed",
        seed,
        boot.sigma,
        source=boot.source,
        garch=garch.garch,
    )


def _arch_model(vol: str, distribution, returns=None) -> ConstantMean:
    """arch's constant-mean model with volatility `vol` (order 1,1 or 1,1,1) and `distribution`."""
    volatility, o = _ARCH_VOLS[vol]
    return ConstantMean(returns, volatility=volatility(p=1, o=o, q=1), distribution=distribution)


def _rescaled(params: dict[str, float], vol: str, scale: float) -> dict[str, float]:
    """`params` for returns multiplied by `scale` (only ``mu`` and ``omega`` change)."""
    rescaled = dict(params)
    rescaled["mu"] *= scale
    if vol == "egarch":  # ln sigma2 shifts by 2 ln(scale), absorbed by omega
        rescaled["omega"] += 2.0 * math.log(scale) * (1.0 - rescaled["beta"])
    else:
        rescaled["omega"] *= scale**2
    return rescaled


def _long_run(params: dict, vol: str, distribution, shape) -> tuple[float, float | None]:
    """Persistence and annualised long-run volatility of a fit (see :class:`GarchFit`)."""
    if vol == "egarch":
        persistence = params["beta"]
        abs_mean = distribution.moment(1, shape) - 2.0 * distribution.partial_moment(1, 0.0, shape)
        centred = params["omega"] + params["alpha"] * (abs_mean - math.sqrt(2.0 / math.pi))
        if persistence >= 1.0:
            return persistence, None
        return persistence, math.sqrt(PERIODS_PER_YEAR * math.exp(centred / (1.0 - persistence)))
    down_share = distribution.partial_moment(2, 0.0, shape)  # E[z**2 1{z < 0}]
    persistence = params["alpha"] + params.get("gamma", 0.0) * down_share + params["beta"]
    if persistence >= 1.0:
        return persistence, None
    return persistence, math.sqrt(PERIODS_PER_YEAR * params["omega"] / (1.0 - persistence))


def _source_returns(data) -> tuple[np.ndarray, str]:
    """Daily log returns, float64 contiguous (n_obs,), and a description of where they came from."""
    if isinstance(data, MarketData):
        returns = data.log_returns.to_numpy(dtype=np.float64)
        source = f"{data.name} {data.start:%Y-%m-%d}..{data.end:%Y-%m-%d} ({data.source})"
        return np.ascontiguousarray(returns), source
    returns = np.array(data, dtype=np.float64)
    if returns.ndim != 1 or returns.size < 2:
        raise ScenarioError(
            f"returns must be MarketData or a 1-D array of at least 2 log returns, got shape "
            f"{returns.shape}"
        )
    bad = np.flatnonzero(~np.isfinite(returns))
    if bad.size:
        raise ScenarioError(f"returns[{bad[0]}] is {returns[bad[0]]}, not finite")
    return returns, f"{returns.size} log returns (array)"


def _check_shape(n_paths, n_steps) -> None:
    n_paths = _positive_int(n_paths, "n_paths")
    n_steps = _positive_int(n_steps, "n_steps")
    if n_steps > MAX_STEPS:
        raise ScenarioError(f"n_steps ({n_steps}) exceeds the maximum of {MAX_STEPS}")
    if n_paths * n_steps > MAX_VALUES:
        raise ScenarioError(
            f"n_paths * n_steps = {n_paths * n_steps} exceeds the maximum of {MAX_VALUES} values"
        )


def _positive_int(value, name: str) -> int:
    """`value` as an int >= 1 (bools and non-integers refused)."""
    try:
        number = operator.index(value)
    except TypeError:
        number = None
    if number is None or isinstance(value, bool) or number < 1:
        raise ScenarioError(f"{name} must be a positive integer, got {value!r}")
    return number


def _seeded(rng) -> tuple[int, np.random.Generator]:
    """A seed that reproduces the stream and the generator for it.

    An int is used as the seed; a Generator gives one draw as the seed; None takes fresh
    entropy. Either way the recorded seed regenerates the same paths.
    """
    if rng is None:
        seed = int(np.random.SeedSequence().entropy)
    elif isinstance(rng, np.random.Generator):
        seed = int(rng.integers(0, 2**63))
    else:
        try:
            seed = operator.index(rng)
        except TypeError:
            seed = -1
        if isinstance(rng, bool) or seed < 0:
            raise ScenarioError(
                f"rng must be a numpy Generator, a non-negative int or None, got {rng!r}"
            )
    return seed, np.random.default_rng(seed)


def _read_only(values: np.ndarray) -> np.ndarray:
    values = np.array(values, dtype=np.float64)
    values.flags.writeable = False
    return values


def _std(returns: np.ndarray) -> float:
    return float(np.std(returns, ddof=1))
