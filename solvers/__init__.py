"""Algorithms that take a game and return a solution with its certificate.

The GAN stage lives in :mod:`solvers.gan` and the torch backend of the iterative
solvers in :mod:`solvers.torch_backend`; both are imported on demand (they load torch).
"""

from solvers.double_oracle import AttackBox, DoubleOracleResult, StrategyBox, double_oracle
from solvers.iterative import ITERATIVE_METHODS, IterativeRun, run_iterative
from solvers.regret import RegretSolution, minimax_regret, regret_matrix
from solvers.zero_sum import METHODS, ZeroSumSolution, solve_zero_sum

__all__ = [
    "ITERATIVE_METHODS",
    "METHODS",
    "AttackBox",
    "DoubleOracleResult",
    "IterativeRun",
    "RegretSolution",
    "StrategyBox",
    "ZeroSumSolution",
    "double_oracle",
    "minimax_regret",
    "regret_matrix",
    "run_iterative",
    "solve_zero_sum",
]
