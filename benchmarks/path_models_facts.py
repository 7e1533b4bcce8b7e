"""Stylized facts of simulated base paths against the real series, per volatility model.

    python benchmarks/path_models_facts.py [--markets sp500 nasdaq --paths 1024 --steps 252 --span 0.8]

For each market, the models are fitted with ``scenarios.paths.fit_garch`` on the first ``--span``
of the returns (the run's training span by default) and simulated with ``simulate_garch``
(``--paths`` x ``--steps``, seed 0); ``stylized_facts`` measures the pooled paths and the real
returns the same way. Columns: excess kurtosis, leverage correlation, ACF of |r| at lags 1, 10
and 100, annual volatility, Hill tail index, the highest one-year volatility of a path (real:
of a rolling 252-day window), the fit's log-likelihood, persistence and ``gamma``, and
``m4 = E[(beta + (alpha + gamma 1{z<0}) z**2)**2]`` for GARCH and GJR (>= 1: no finite fourth
moment, so the pooled kurtosis is set by a few explosive paths). The last rows per market
are the run's own base paths, ``make_paths(model="mixed")`` with 256 paths and seed 0, for
the old default (GARCH-t) and the new one (EGARCH-skew-t). Facts, not timings: no ratios.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np
import pandas as pd
from arch.univariate import SkewStudent, StudentsT

from scenarios.data import PERIODS_PER_YEAR, load_market
from scenarios.paths import (
    BasePaths,
    bootstrap_paths,
    fit_garch,
    make_paths,
    simulate_garch,
)
from scenarios.stylized import stylized_facts

MODELS = [("garch", "t"), ("gjr", "t"), ("gjr", "skewt"), ("egarch", "t"), ("egarch", "skewt")]
DISTRIBUTIONS = {"t": StudentsT, "skewt": SkewStudent}


def fourth_moment_condition(fit) -> float:
    """``E[(beta + (alpha + gamma 1{z<0}) z**2)**2]`` of a GARCH or GJR fit under its error law."""
    names = list(fit.params)
    shape = [fit.params[name] for name in names[names.index("beta") + 1 :]]
    law = DISTRIBUTIONS[fit.dist]()
    alpha, gamma, beta = fit.params["alpha"], fit.params.get("gamma", 0.0), fit.params["beta"]
    z2_below, z4, z4_below = (law.partial_moment(2, 0.0, shape), law.moment(4, shape),
                              law.partial_moment(4, 0.0, shape))
    return (beta**2 + 2 * beta * (alpha + gamma * z2_below) + alpha**2 * z4
            + (2 * alpha * gamma + gamma**2) * z4_below)


def row(label: str, returns: np.ndarray, max_year_vol: float, fit=None) -> dict:
    facts = stylized_facts(returns)
    line = {"model": label, "kurtosis": facts.excess_kurtosis, "leverage": facts.leverage,
            "acf|r| 1": facts.acf_abs_1, "acf|r| 10": facts.acf_abs_10, "acf|r| 100": facts.acf_abs_100,
            "annual vol": facts.annual_vol, "tail index": facts.tail_index, "max 1y vol": max_year_vol}
    if fit is not None:
        line |= {"loglik": fit.loglikelihood, "persistence": fit.persistence,
                 "gamma": fit.params.get("gamma", float("nan")),
                 "m4": float("nan") if fit.vol == "egarch" else fourth_moment_condition(fit)}
    return line


def path_rows(label: str, paths: BasePaths) -> dict:
    x = paths.log_returns
    return row(label, x, float(x.std(axis=1).max() * math.sqrt(PERIODS_PER_YEAR)), paths.garch)


def market_table(market: str, n_paths: int, n_steps: int, span: float) -> pd.DataFrame:
    data = load_market(market)
    train, _ = data.split(data.prices.index[round(data.n_obs * span) - 1])
    returns = train.log_returns
    rolling = float(returns.rolling(PERIODS_PER_YEAR).std().max() * math.sqrt(PERIODS_PER_YEAR))
    rows = [row("real", returns.to_numpy(), rolling)]
    for vol, dist in MODELS:
        paths = simulate_garch(fit_garch(train, vol=vol, dist=dist), n_paths, n_steps, rng=0)
        rows.append(path_rows(f"{vol}-{dist}", paths))
    rows.append(path_rows("bootstrap", bootstrap_paths(train, n_paths, n_steps, rng=0)))
    for label, vol, dist in [("mixed, old (garch-t)", "garch", "t"), ("mixed, new (egarch-skewt)", "egarch", "skewt")]:
        rows.append(path_rows(label, make_paths(train, 256, 252, model="mixed", rng=0, vol=vol, dist=dist)))
    return pd.DataFrame(rows).set_index("model")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--markets", nargs="+", default=["sp500", "nasdaq"])
    parser.add_argument("--paths", type=int, default=1024)
    parser.add_argument("--steps", type=int, default=252)
    parser.add_argument("--span", type=float, default=0.8, help="share of the data fitted (from the start)")
    args = parser.parse_args(argv)
    with pd.option_context("display.width", 200, "display.max_columns", 20, "display.float_format", "{:.3f}".format):
        for market in args.markets:
            print(f"\n{market}, first {args.span:.0%} of the data; {args.paths} x {args.steps} paths per model")
            print(market_table(market, args.paths, args.steps, args.span))


if __name__ == "__main__":
    main()
