"""Numba kernels: pure functions on NumPy arrays, the performance core."""

from accelerated.attacks import black_swan_nb, flash_crash_nb, pump_and_dump_nb, replay_nb
from accelerated.bootstrap import block_bootstrap_nb
from accelerated.payoff import equity_curves_nb, payoff_tables_nb, worst_drawdown_nb
from accelerated.reference import payoff_tables_reference

__all__ = [
    "black_swan_nb",
    "block_bootstrap_nb",
    "equity_curves_nb",
    "flash_crash_nb",
    "payoff_tables_nb",
    "payoff_tables_reference",
    "pump_and_dump_nb",
    "replay_nb",
    "worst_drawdown_nb",
]
