"""Algorithms that take a game and return a solution with its certificate.

The GAN stage lives in :mod:`solvers.gan` and the torch backend of the iterative
solvers in :mod:`solvers.torch_backend`; both are imported on demand (they load torch).
"""

from solvers.double_oracle import AttackBox, DoubleOracleResult, StrategyBox, double_oracle
from solvers.general_sum import (
    Equilibrium,
    GeneralSumSolution,
    StackelbergSolution,
    solve_general_sum,
    solve_stackelberg,
)
from solvers.iterative import ITERATIVE_METHODS, IterativeRun, run_iterative
from solvers.kkt import KKTResiduals, kkt_residuals
from solvers.regret import REGRET_KINDS, RegretSolution, minimax_regret, regret_matrix
from solvers.robust import RobustAllocation, robust_allocation, worst_case_bounds
from solvers.robust_statistics import RobustEstimate, median_of_means, minimum_covariance_determinant, trimmed_mean
from solvers.zero_sum import METHODS, ZeroSumSolution, solve_zero_sum

__all__ = [
    "ITERATIVE_METHODS",
    "METHODS",
    "REGRET_KINDS",
    "AttackBox",
    "DoubleOracleResult",
    "Equilibrium",
    "GeneralSumSolution",
    "IterativeRun",
    "KKTResiduals",
    "RegretSolution",
    "RobustAllocation",
    "RobustEstimate",
    "StackelbergSolution",
    "StrategyBox",
    "ZeroSumSolution",
    "double_oracle",
    "kkt_residuals",
    "median_of_means",
    "minimax_regret",
    "minimum_covariance_determinant",
    "regret_matrix",
    "robust_allocation",
    "run_iterative",
    "solve_general_sum",
    "solve_stackelberg",
    "solve_zero_sum",
    "trimmed_mean",
    "worst_case_bounds",
]
