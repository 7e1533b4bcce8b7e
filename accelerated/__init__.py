"""Numba kernels: pure functions on NumPy arrays, the performance core."""

from accelerated.attacks import black_swan_nb, flash_crash_nb, pump_and_dump_nb, replay_nb
from accelerated.bootstrap import block_bootstrap_nb
from accelerated.detector import detector_run_nb, detector_step_nb, detector_tick_nb
from accelerated.payoff import equity_curves_nb, exposure_paths_nb, payoff_tables_nb, worst_drawdown_nb
from accelerated.reference import payoff_tables_reference

from accelerated.attacks import (
    NORM_INF,
    NORM_ONE,
    coordinated_nb,
    liquidity_gap_nb,
    overlay_nb,
    perturbation_nb,
    pump_and_dump_volume_nb,
    spoofing_nb,
    vol_regime_nb,
)
from accelerated.intraday import intraday_bridge_nb, order_book_nb
from accelerated.iterative import pdhg_nb, project_simplex_nb, rm_plus_nb, rm_plus_reference

__all__ = [
    "NORM_INF",
    "NORM_ONE",
    "black_swan_nb",
    "block_bootstrap_nb",
    "coordinated_nb",
    "detector_run_nb",
    "detector_step_nb",
    "detector_tick_nb",
    "equity_curves_nb",
    "exposure_paths_nb",
    "flash_crash_nb",
    "intraday_bridge_nb",
    "liquidity_gap_nb",
    "order_book_nb",
    "overlay_nb",
    "pdhg_nb",
    "payoff_tables_nb",
    "payoff_tables_reference",
    "perturbation_nb",
    "project_simplex_nb",
    "pump_and_dump_nb",
    "pump_and_dump_volume_nb",
    "replay_nb",
    "rm_plus_nb",
    "rm_plus_reference",
    "spoofing_nb",
    "vol_regime_nb",
    "worst_drawdown_nb",
]
