"""Algorithms that take a game and return a solution with its certificate."""

from solvers.regret import RegretSolution, minimax_regret, regret_matrix
from solvers.zero_sum import ZeroSumSolution, solve_zero_sum

__all__ = ["RegretSolution", "ZeroSumSolution", "minimax_regret", "regret_matrix", "solve_zero_sum"]
